import { IafaError } from '../../../shared/contract';
import type { AnalyzeParsed, CausalParsed, CausalResult, ExperimentAnalysis } from '../../../shared/contract/experiments';
import { analyzeFromAggregates, causalFromAggregates, type AggregateSource } from '../../experiments';
import type { ExperimentAggregateSpec, ExperimentAggregates, JointAggregate, MetricAggregate, VariantAggregate } from '../types';
import type { ClickHouseConnection, QueryOptions } from './connection';
import { requireColumn, stringExpr, tableRef, type ChColumn } from './schema';
import { num, str, strList } from './sql';

/**
 * A user-level experiment table read out in ClickHouse: per variant (and per segment value and
 * day for the primary) the units, the values' count and sums, and the centered sums of squares
 * and cross-products, computed two-pass like the local engine (the means of the first query are
 * inlined in the second); value counts for the balance check and stage counts for the funnel
 * mechanism. Only those few numbers per group come back; the statistics run here, in the
 * engine's read-out from aggregates (experiments/prepare-aggregates.ts). Cells are read as the
 * local engine reads CSV cells: trimmed strings, true/false/yes/no/1/0 as 0/1, numbers with
 * thousands commas.
 */

const TRUE = ['true', 't', 'yes', 'y', '1'];
const FALSE = ['false', 'f', 'no', 'n', '0'];

/** The trimmed text of a cell, '' for empty/NULL. */
const cellText = (c: ChColumn) => `replaceRegexpAll(${stringExpr(c)}, '^\\\\s+|\\\\s+$', '')`;
const binaryOf = (c: ChColumn) => `multiIf(lower(${cellText(c)}) IN (${strList(TRUE)}), 1, lower(${cellText(c)}) IN (${strList(FALSE)}), 0, -1)`;
const numberOf = (c: ChColumn) => `toFloat64OrNull(replaceAll(${cellText(c)}, ',', ''))`;

type Group = { g: string; v: string };

/**
 * Joint statistics of k numeric columns per (group, variant), two-pass: rows, n and the sums,
 * then the centered co-moments Σ(a − ā)(b − b̄) with each group's means inlined. One column is a
 * mean metric (m2); a 0/1 metric reads its column as 0/1 and needs no second pass.
 */
async function jointStats(
  conn: ClickHouseConnection,
  from: string,
  variantExpr: string,
  armFilter: string,
  groupExpr: string,
  cols: ChColumn[],
  o: QueryOptions,
  binary = false,
): Promise<Map<string, JointAggregate>> {
  const values = cols.map((c) => (binary ? binaryOf(c) : numberOf(c)));
  const ok = binary ? `${values[0]} >= 0` : values.map((v) => `isNotNull(${v})`).join(' AND ');
  const val = (i: number) => (binary ? `toFloat64(${values[i]})` : `assumeNotNull(${values[i]})`);
  const first = await conn.rows<Group & Record<string, number | string>>(
    `SELECT ${groupExpr} AS g, ${variantExpr} AS v, count() AS units, countIf(${ok}) AS n${cols.map((_, i) => `, sumIf(toFloat64(${val(i)}), ${ok}) AS s${i}`).join('')} FROM ${from} WHERE ${armFilter} GROUP BY g, v`,
    o,
  );
  const out = new Map<string, JointAggregate>();
  const k = cols.length;
  for (const r of first) {
    out.set(`${r.g}\u0000${r.v}`, {
      rows: Number(r.units),
      n: Number(r.n),
      sums: cols.map((_, i) => Number(r[`s${i}`])),
      comoments: Array.from({ length: k }, () => new Array<number>(k).fill(0)),
    });
  }
  const withValues = first.filter((r) => Number(r.n) > 0);
  if (binary || !withValues.length) return out;
  const meanOf = (i: number) =>
    `multiIf(${withValues.map((r) => `g = ${str(String(r.g))} AND v = ${str(String(r.v))}, ${num(Number(r[`s${i}`]) / Number(r.n))}`).join(', ')}, 0)`;
  const pairs: [number, number][] = [];
  for (let a = 0; a < k; a++) for (let b = a; b < k; b++) pairs.push([a, b]);
  const centered = cols.map((_, i) => `(${val(i)} - ${meanOf(i)})`);
  const second = await conn.rows<Group & Record<string, number | string>>(
    `SELECT ${groupExpr} AS g, ${variantExpr} AS v${pairs.map(([a, b], j) => `, sumIf(${centered[a]} * ${centered[b]}, ${ok}) AS c${j}`).join('')} FROM ${from} WHERE ${armFilter} GROUP BY g, v`,
    o,
  );
  for (const r of second) {
    const j = out.get(`${r.g}\u0000${r.v}`);
    if (!j) continue;
    pairs.forEach(([a, b], i) => (j.comoments[a][b] = j.comoments[b][a] = Number(r[`c${i}`])));
  }
  return out;
}

/** n, Σx and Σ(x − mean)² per (group, variant) for a metric of a kind. */
async function metricStats(
  conn: ClickHouseConnection,
  from: string,
  variantExpr: string,
  armFilter: string,
  groupExpr: string,
  metric: ChColumn,
  kind: 'rate' | 'mean',
  o: QueryOptions,
): Promise<Map<string, MetricAggregate>> {
  const joint = await jointStats(conn, from, variantExpr, armFilter, groupExpr, [metric], o, kind === 'rate');
  const out = new Map<string, MetricAggregate>();
  for (const [key, j] of joint) out.set(key, { rows: j.rows, n: j.n, sum: j.sums[0], m2: kind === 'rate' ? 0 : j.comoments[0][0], binary: kind === 'rate' });
  return out;
}

/** A variant or segment cell as the local engine keys it: trimmed text, '(empty)' for none. */
const keyOf = (c: ChColumn) => `if(${cellText(c)} = '', '(empty)', ${cellText(c)})`;

/** Every variant value with its row count (empty cells left out, as the local reader does). */
async function variantCounts(conn: ClickHouseConnection, variant: ChColumn, o: QueryOptions): Promise<{ variant: string; units: number }[]> {
  const rows = await conn.rows<{ v: string; c: number }>(
    `SELECT ${keyOf(variant)} AS v, count() AS c FROM ${tableRef(conn)} WHERE ${cellText(variant)} != '' GROUP BY v`,
    o,
  );
  return rows.map((r) => ({ variant: r.v, units: Number(r.c) })).sort((a, b) => b.units - a.units || (a.variant < b.variant ? -1 : 1));
}

/** How a column reads over the arms' rows: 0/1 (a rate), numbers (a mean), or neither; as columnKind does on a file. */
async function kindOf(conn: ClickHouseConnection, c: ChColumn, armFilter: string, o: QueryOptions): Promise<'rate' | 'mean' | 'invalid'> {
  const r = await conn.rows<{ seen: number; bin: number; nums: number }>(
    `SELECT countIf(${cellText(c)} != '') AS seen, countIf(${cellText(c)} != '' AND ${binaryOf(c)} >= 0) AS bin, countIf(${cellText(c)} != '' AND isNotNull(${numberOf(c)})) AS nums FROM ${tableRef(conn)} WHERE ${armFilter}`,
    o,
  );
  const [seen, bin, nums] = [Number(r[0].seen), Number(r[0].bin), Number(r[0].nums)];
  if (seen === 0 || (bin < seen && nums < seen)) return 'invalid';
  return bin === seen ? 'rate' : 'mean';
}

/** The most frequent values of a column over the arms (most units first, then by value), with units per variant; the rest summed per variant. */
async function balanceOf(
  conn: ClickHouseConnection,
  from: string,
  variantExpr: string,
  armFilter: string,
  col: ChColumn,
  keep: number,
  units: Map<string, number>,
  o: QueryOptions,
) {
  const key = keyOf(col);
  const [d] = await conn.rows<{ d: number }>(`SELECT uniqExact(${key}) AS d FROM ${from} WHERE ${armFilter}`, o);
  const top = await conn.rows<{ val: string; c: number }>(
    `SELECT ${key} AS val, count() AS c FROM ${from} WHERE ${armFilter} GROUP BY val ORDER BY c DESC, val ASC LIMIT ${num(keep)}`,
    o,
  );
  const values = top.map((r) => ({ value: r.val, byVariant: {} as Record<string, number> }));
  const other = Object.fromEntries(units);
  if (values.length) {
    const cells = await conn.rows<{ val: string; v: string; c: number }>(
      `SELECT ${key} AS val, ${variantExpr} AS v, count() AS c FROM ${from} WHERE ${armFilter} AND ${key} IN (${strList(values.map((x) => x.value))}) GROUP BY val, v`,
      o,
    );
    for (const r of cells) {
      values.find((x) => x.value === r.val)!.byVariant[r.v] = Number(r.c);
      other[r.v] -= Number(r.c);
    }
  }
  return { distinct: Number(d.d), values, other };
}

/** [units, units flagged 1 at stage 1, at stages 1 and 2, …] per variant. */
async function stagesOf(
  conn: ClickHouseConnection,
  from: string,
  variantExpr: string,
  armFilter: string,
  cols: ChColumn[],
  o: QueryOptions,
): Promise<Map<string, number[]>> {
  const reached = cols.map((_, s) =>
    cols
      .slice(0, s + 1)
      .map((c) => `${binaryOf(c)} = 1`)
      .join(' AND '),
  );
  const rows = await conn.rows<{ v: string } & Record<string, number | string>>(
    `SELECT ${variantExpr} AS v, count() AS units${reached.map((r, s) => `, countIf(${r}) AS s${s}`).join('')} FROM ${from} WHERE ${armFilter} GROUP BY v`,
    o,
  );
  return new Map(rows.map((r) => [String(r.v), [Number(r.units), ...cols.map((_, s) => Number(r[`s${s}`]))]]));
}

/**
 * DatasetBackend.experimentAggregates on ClickHouse: per variant (and per segment value and day
 * for the primary) each metric's rows, n, Σx and Σ(x − mean)², each joint column set's sums and
 * centered co-moments, the balance columns' value counts and the stage counts, all computed on
 * the server; a few numbers per group come back.
 */
export async function clickhouseExperimentAggregates(
  conn: ClickHouseConnection,
  columns: ChColumn[],
  spec: ExperimentAggregateSpec,
  o: QueryOptions = {},
): Promise<ExperimentAggregates> {
  const table = `${conn.target.database}.${conn.target.table}`;
  const from = tableRef(conn);
  const variantCol = requireColumn(columns, spec.variantColumn, 'variant', table);
  const variantExpr = keyOf(variantCol);
  const variants = await variantCounts(conn, variantCol, o);
  const chosen = spec.variants ?? variants.map((v) => v.variant);
  if (chosen.length === 0) return { variants, arms: [], segments: {}, daily: [] };
  const armFilter = `${variantExpr} IN (${strList(chosen)})`;
  const columnKinds: Record<string, 'rate' | 'mean' | 'invalid'> = {};
  const kind = async (name: string) => (columnKinds[name] ??= await kindOf(conn, requireColumn(columns, name, 'metric', table), armFilter, o));
  const metricKind = async (name: string): Promise<'rate' | 'mean'> => {
    const k = await kind(name);
    if (k === 'invalid')
      throw new IafaError('validation', `The metric column "${name}" is neither 0/1 (a rate) nor numeric (a mean).`, {
        reason: 'invalid_metric',
        column: name,
      });
    return k;
  };
  const statsOf = async (name: string, group: string, filter = armFilter) => {
    const col = requireColumn(columns, name, 'metric', table);
    return metricStats(conn, from, variantExpr, filter, group, col, await metricKind(name), o);
  };
  const jointCols = (spec.joints ?? []).map((set) => set.map((c) => requireColumn(columns, c, 'metric', table)));
  for (const set of spec.joints ?? []) for (const c of set) await kind(c);
  const arms: VariantAggregate[] = chosen.map((variant) => ({ variant, units: variants.find((v) => v.variant === variant)?.units ?? 0, metrics: {} }));
  for (const m of [...new Set(spec.metrics)]) {
    const stats = await statsOf(m, "''");
    for (const a of arms) a.metrics[m] = stats.get(`\u0000${a.variant}`) ?? { rows: 0, n: 0, sum: 0, m2: 0, binary: columnKinds[m] === 'rate' };
  }
  if (jointCols.length) {
    for (const a of arms) a.joints = [];
    for (const cols of jointCols) {
      const stats = await jointStats(conn, from, variantExpr, armFilter, "''", cols, o);
      for (const a of arms)
        a.joints!.push(stats.get(`\u0000${a.variant}`) ?? { rows: a.units, n: 0, sums: cols.map(() => 0), comoments: cols.map(() => cols.map(() => 0)) });
    }
  }
  if (spec.stageColumns?.length) {
    const stages = await stagesOf(
      conn,
      from,
      variantExpr,
      armFilter,
      spec.stageColumns.map((c) => requireColumn(columns, c, 'stage', table)),
      o,
    );
    for (const a of arms) a.stages = stages.get(a.variant) ?? [0, ...spec.stageColumns.map(() => 0)];
  }
  const primaryJoint = spec.primaryJoint !== undefined ? jointCols[spec.primaryJoint] : undefined;
  const primary = spec.metrics[0];
  /** The primary per (group, variant): the first metric's statistics, or the primary joint's. */
  const primaryBy = async (group: string, filter = armFilter) => {
    const out = new Map<string, { rows: number; byVariant: Record<string, MetricAggregate>; jointByVariant?: Record<string, JointAggregate> }>();
    const put = (
      k: string,
      f: (g: { rows: number; byVariant: Record<string, MetricAggregate>; jointByVariant?: Record<string, JointAggregate> }, variant: string) => void,
    ) => {
      const [value, variant] = k.split('\u0000');
      const g = out.get(value) ?? { rows: 0, byVariant: {} };
      f(g, variant);
      out.set(value, g);
    };
    if (primaryJoint) {
      for (const [k, j] of await jointStats(conn, from, variantExpr, filter, group, primaryJoint, o)) put(k, (g, v) => ((g.jointByVariant ??= {})[v] = j));
    }
    if (primary !== undefined) {
      for (const [k, s] of await statsOf(primary, group, filter)) put(k, (g, v) => (g.byVariant[v] = s));
    }
    for (const g of out.values()) g.rows = Object.values(primaryJoint ? (g.jointByVariant ?? {}) : g.byVariant).reduce((a, x) => a + x.rows, 0);
    return out;
  };
  const segments: ExperimentAggregates['segments'] = {};
  for (const column of spec.segmentBy ?? []) {
    const key = keyOf(requireColumn(columns, column, 'segment', table));
    // Only the largest values are split (a column with a value per unit must not come back whole):
    // their list first, then the primary's statistics for those values alone.
    const keep = spec.maxSegmentValues ?? 1000;
    const [d] = await conn.rows<{ d: number }>(`SELECT uniqExact(${key}) AS d FROM ${from} WHERE ${armFilter}`, o);
    const top = await conn.rows<{ val: string }>(
      `SELECT ${key} AS val, count() AS c FROM ${from} WHERE ${armFilter} GROUP BY val ORDER BY c DESC, val ASC LIMIT ${num(keep)}`,
      o,
    );
    const groups = top.length ? await primaryBy(key, `${armFilter} AND ${key} IN (${strList(top.map((r) => r.val))})`) : new Map();
    // Largest first; equal sizes by value (a table has no file order to keep).
    const values = [...groups.entries()]
      .map(([value, g]) => ({ value, units: g.rows, byVariant: g.byVariant, ...(g.jointByVariant ? { jointByVariant: g.jointByVariant } : {}) }))
      .sort((a, b) => b.units - a.units || (a.value < b.value ? -1 : 1));
    segments[column] = { distinct: Number(d.d), values };
  }
  const daily: ExperimentAggregates['daily'] = [];
  if (spec.dateColumn) {
    const text = cellText(requireColumn(columns, spec.dateColumn, 'date', table));
    const byDay = await primaryBy(`if(match(${text}, '^[0-9]{4}-[0-9]{2}-[0-9]{2}'), substring(${text}, 1, 10), ${text})`);
    byDay.delete('');
    for (const date of [...byDay.keys()].sort()) {
      const d = byDay.get(date)!;
      daily.push({ date, byVariant: d.byVariant, ...(d.jointByVariant ? { jointByVariant: d.jointByVariant } : {}) });
    }
  }
  let balance: ExperimentAggregates['balance'];
  if (spec.balanceBy?.length) {
    balance = {};
    const units = new Map(arms.map((a) => [a.variant, a.units]));
    for (const column of spec.balanceBy)
      balance[column] = await balanceOf(
        conn,
        from,
        variantExpr,
        armFilter,
        requireColumn(columns, column, 'balance', table),
        spec.maxBalanceValues ?? 1000,
        units,
        o,
      );
  }
  return { variants, arms, segments, daily, ...(balance ? { balance } : {}), columnKinds };
}

/** A ClickHouse table as the source of an experiment read-out: its columns, and aggregates computed there. */
export function clickhouseAggregateSource(conn: ClickHouseConnection, columns: ChColumn[], o: QueryOptions = {}): AggregateSource {
  return { columns: columns.map((c) => c.name), aggregates: (spec) => clickhouseExperimentAggregates(conn, columns, spec, o) };
}

/**
 * The experiment read-out of a user-level ClickHouse table: arms picked as prepare-table.ts
 * picks them, aggregates from the server, then the engine's read-out from aggregates (A/B, A/B/n,
 * ratio metrics, CUPED).
 */
export async function clickhouseExperiment(
  conn: ClickHouseConnection,
  columns: ChColumn[],
  input: AnalyzeParsed,
  o: QueryOptions & { file: string },
): Promise<ExperimentAnalysis> {
  if (!input.variant_column) throw new IafaError('validation', '--variant-col is required for a user-level table.');
  return analyzeFromAggregates(clickhouseAggregateSource(conn, columns, o), input, {
    experimentId: input.experiment_id ?? null,
    provenance: { note: `clickhouse: ${o.file}` },
  });
}

/** The causal interpretation of a user-level ClickHouse table, from aggregates (balance counts, daily and segment statistics, stage counts). */
export async function clickhouseCausal(
  conn: ClickHouseConnection,
  columns: ChColumn[],
  input: CausalParsed,
  o: QueryOptions & { file: string },
): Promise<CausalResult> {
  if (!input.variant_column) throw new IafaError('validation', '--variant-col is required for a user-level table.');
  return causalFromAggregates(clickhouseAggregateSource(conn, columns, o), input, {
    experimentId: input.experiment_id ?? null,
    provenance: { note: `clickhouse: ${o.file}` },
  });
}
