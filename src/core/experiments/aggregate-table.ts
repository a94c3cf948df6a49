import { IafaError } from '../../shared/contract';
import type { ExperimentAggregateSpec, ExperimentAggregates, JointAggregate, MetricAggregate, SegmentValueAggregate } from '../backends/types';
import { cachedConverters, cellKey, columnKind, requireColumn, type Cell, type Table } from './table';

/**
 * ExperimentAggregates of a table in memory (a file, inline JSON or the local column store):
 * the same sufficient statistics a warehouse computes in SQL, read cell by cell as the local
 * engine reads cells. Sums run over each group's rows in row order and the centered moments are
 * two-pass, so a plain metric's mean and variance carry exactly the digits summarize() gives.
 */

const converters = () => cachedConverters();

/** The calendar day of a date cell: its leading YYYY-MM-DD, else the trimmed text. */
export function dayOf(v: Cell): string | null {
  if (v === null) return null;
  const s = String(v).trim();
  const iso = /^(\d{4}-\d{2}-\d{2})/.exec(s);
  return iso ? iso[1] : s;
}

function metricAggregate(col: readonly Cell[], rows: readonly number[], binary: boolean, conv = converters()): MetricAggregate {
  let n = 0;
  let sum = 0;
  if (binary) {
    for (const i of rows) {
      const b = conv.binary(col[i]);
      if (b === null) continue;
      n++;
      sum += b;
    }
    return { rows: rows.length, n, sum, m2: 0, binary };
  }
  for (const i of rows) {
    const v = conv.number(col[i]);
    if (v === null) continue;
    n++;
    sum += v;
  }
  let m2 = 0;
  if (n > 0) {
    const mean = sum / n;
    for (const i of rows) {
      const v = conv.number(col[i]);
      if (v !== null) m2 += (v - mean) * (v - mean);
    }
  }
  return { rows: rows.length, n, sum, m2, binary };
}

export function jointAggregate(cols: readonly (readonly Cell[])[], rows: readonly number[], conv = converters()): JointAggregate {
  const k = cols.length;
  const kept: number[][] = [];
  for (const i of rows) {
    const vals: number[] = [];
    for (const c of cols) {
      const v = conv.number(c[i]);
      if (v === null) break;
      vals.push(v);
    }
    if (vals.length === k) kept.push(vals);
  }
  const n = kept.length;
  const sums = new Array<number>(k).fill(0);
  for (const r of kept) for (let a = 0; a < k; a++) sums[a] += r[a];
  const comoments = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  if (n > 0) {
    const means = sums.map((s) => s / n);
    for (const r of kept) {
      for (let a = 0; a < k; a++) for (let b = a; b < k; b++) comoments[a][b] += (r[a] - means[a]) * (r[b] - means[b]);
    }
    for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) comoments[a][b] = comoments[b][a];
  }
  return { rows: rows.length, n, sums, comoments };
}

/** Rows per variant key (empty variant cells belong to no variant). */
function rowsByVariant(variant: readonly Cell[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  variant.forEach((v, i) => {
    if (v === null) return;
    const k = cellKey(v);
    const list = out.get(k);
    if (list) list.push(i);
    else out.set(k, [i]);
  });
  return out;
}

export function tableExperimentAggregates(table: Table, spec: ExperimentAggregateSpec): ExperimentAggregates {
  const variantCol = requireColumn(table, spec.variantColumn, 'variant');
  const byVariant = rowsByVariant(variantCol);
  const variants = [...byVariant.entries()]
    .map(([variant, r]) => ({ variant, units: r.length }))
    .sort((a, b) => b.units - a.units || (a.variant < b.variant ? -1 : a.variant > b.variant ? 1 : 0));
  const chosen = spec.variants ?? variants.map((v) => v.variant);
  const rowsOf = (v: string) => byVariant.get(v) ?? [];
  const all = chosen.flatMap(rowsOf);
  const conv = converters();

  const columnKinds: Record<string, 'rate' | 'mean' | 'invalid'> = {};
  const kindOf = (name: string, role: string) => {
    const col = requireColumn(table, name, role);
    columnKinds[name] ??= columnKind(all.map((i) => col[i]));
    return { col, kind: columnKinds[name] };
  };
  const metric = (name: string) => {
    const { col, kind } = kindOf(name, 'metric');
    if (kind === 'invalid')
      throw new IafaError('validation', `The metric column "${name}" is neither 0/1 (a rate) nor numeric (a mean).`, {
        reason: 'invalid_metric',
        column: name,
      });
    return { col, binary: kind === 'rate' };
  };
  const metrics = [...new Set(spec.metrics)].map((name) => ({ name, ...metric(name) }));
  const joints = (spec.joints ?? []).map((cols) => cols.map((c) => kindOf(c, 'metric').col));

  const arms = chosen.map((variant) => {
    const rows = rowsOf(variant);
    const stats: Record<string, MetricAggregate> = {};
    for (const m of metrics) stats[m.name] = metricAggregate(m.col, rows, m.binary, conv);
    return {
      variant,
      units: rows.length,
      metrics: stats,
      ...(joints.length ? { joints: joints.map((cols) => jointAggregate(cols, rows, conv)) } : {}),
      ...(spec.stageColumns?.length ? { stages: stageCounts(table, spec.stageColumns, rows, conv) } : {}),
    };
  });

  const primaryJoint = spec.primaryJoint !== undefined ? joints[spec.primaryJoint] : undefined;
  if (spec.primaryJoint !== undefined && !primaryJoint) throw new IafaError('validation', `primaryJoint ${spec.primaryJoint} names no joint column set.`);
  const primary = metrics.find((m) => m.name === spec.metrics[0]);
  /** The primary's statistics for each variant over a subset of rows. */
  const split = (groups: Map<string, Map<string, number[]>>) =>
    [...groups.entries()].map(([key, g]) => {
      const out: {
        key: string;
        byVariant: Record<string, MetricAggregate>;
        jointByVariant?: Record<string, JointAggregate>;
        units: number;
        firstRow: Record<string, number>;
      } = { key, byVariant: {}, units: 0, firstRow: {} };
      if (primaryJoint) out.jointByVariant = {};
      for (const [variant, rows] of g) {
        out.units += rows.length;
        out.firstRow[variant] = rows[0];
        if (primary) out.byVariant[variant] = metricAggregate(primary.col, rows, primary.binary, conv);
        if (primaryJoint) out.jointByVariant![variant] = jointAggregate(primaryJoint, rows, conv);
      }
      return out;
    });
  const groupBy = (keyOf: (i: number) => string | null) => {
    const groups = new Map<string, Map<string, number[]>>();
    for (const variant of chosen) {
      for (const i of rowsOf(variant)) {
        const k = keyOf(i);
        if (k === null) continue;
        let g = groups.get(k);
        if (!g) groups.set(k, (g = new Map()));
        const list = g.get(variant);
        if (list) list.push(i);
        else g.set(variant, [i]);
      }
    }
    return groups;
  };

  const segments: ExperimentAggregates['segments'] = {};
  for (const column of spec.segmentBy ?? []) {
    const seg = requireColumn(table, column, 'segment');
    const values = split(groupBy((i) => cellKey(seg[i])));
    const rank = firstSeenRank(chosen, variantCol.length);
    values.sort((a, b) => b.units - a.units || rank(a.firstRow) - rank(b.firstRow));
    segments[column] = {
      distinct: values.length,
      values: values.slice(0, spec.maxSegmentValues ?? values.length).map((v): SegmentValueAggregate => ({
        value: v.key,
        units: v.units,
        byVariant: v.byVariant,
        ...(v.jointByVariant ? { jointByVariant: v.jointByVariant } : {}),
        firstRow: v.firstRow,
      })),
    };
  }

  const daily: ExperimentAggregates['daily'] = [];
  if (spec.dateColumn) {
    const dates = requireColumn(table, spec.dateColumn, 'date');
    const days = split(groupBy((i) => dayOf(dates[i]))).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const d of days) daily.push({ date: d.key, byVariant: d.byVariant, ...(d.jointByVariant ? { jointByVariant: d.jointByVariant } : {}) });
  }

  let balance: ExperimentAggregates['balance'];
  if (spec.balanceBy?.length) {
    balance = {};
    for (const column of spec.balanceBy) {
      const s = requireColumn(table, column, 'balance');
      const groups = [...groupBy((i) => cellKey(s[i])).entries()].map(([value, g]) => ({
        value,
        total: [...g.values()].reduce((a, r) => a + r.length, 0),
        byVariant: Object.fromEntries([...g].map(([v, r]) => [v, r.length])),
      }));
      groups.sort((a, b) => b.total - a.total || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
      const keep = spec.maxBalanceValues ?? groups.length;
      const other: Record<string, number> = {};
      for (const g of groups.slice(keep)) for (const [v, c] of Object.entries(g.byVariant)) other[v] = (other[v] ?? 0) + c;
      balance[column] = { distinct: groups.length, values: groups.slice(0, keep).map((g) => ({ value: g.value, byVariant: g.byVariant })), other };
    }
  }
  return { variants, arms, segments, daily, ...(balance ? { balance } : {}), columnKinds };
}

/**
 * Where a value first appeared when the rows are walked variant by variant in the spec's order
 * (the local read-out lists a segment's values in that order among equal sizes).
 */
export function firstSeenRank(order: readonly string[], rows: number): (first: Record<string, number> | undefined) => number {
  return (first) => {
    if (!first) return Infinity;
    for (let k = 0; k < order.length; k++) if (first[order[k]] !== undefined) return k * (rows + 1) + first[order[k]];
    return Infinity;
  };
}

/** [units, units flagged 1 at stage 1, at stages 1 and 2, …]: a stage counts units that reached every earlier one. */
function stageCounts(table: Table, columns: readonly string[], rows: readonly number[], conv = converters()): number[] {
  const flags = columns.map((c) => {
    const col = table.columns[c];
    if (!col) throw new IafaError('validation', `The stage column "${c}" does not exist.`);
    return col;
  });
  const counts = [rows.length, ...columns.map(() => 0)];
  for (const i of rows) {
    for (let s = 0; s < flags.length; s++) {
      if (conv.binary(flags[s][i]) !== 1) break;
      counts[s + 1]++;
    }
  }
  return counts;
}
