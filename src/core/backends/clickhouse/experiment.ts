import { IafaError } from '../../../shared/contract';
import type { AnalyzeParsed, ExperimentAnalysis } from '../../../shared/contract/experiments';
import { analyzePrepared } from '../../experiments';
import type { MetricData } from '../../experiments/metrics';
import { guardrailInputs, metricName, type PreparedExperiment, type RawGuardrail } from '../../experiments/prepared';
import { dailyPoint, snapshot } from '../../experiments/prepare-table';
import type { ClickHouseConnection, QueryOptions } from './connection';
import { requireColumn, stringExpr, tableRef, type ChColumn } from './schema';
import { ident, num, str, strList } from './sql';

/**
 * A user-level experiment table read out in ClickHouse: per variant (and per segment value and
 * day for the primary metric) the units, the values' count and sum, and the centered sum of
 * squares, computed two-pass like the local engine (the mean of the first query is inlined in
 * the second). Only those few numbers per group come back; the statistics run here, in the
 * local engine's analyzePrepared. Cells are read as the local engine reads CSV cells: trimmed
 * strings, true/false/yes/no/1/0 as 0/1, numbers with thousands commas.
 */

const MAX_SEGMENT_VALUES = 50;

const TRUE = ['true', 't', 'yes', 'y', '1'];
const FALSE = ['false', 'f', 'no', 'n', '0'];

interface Cols {
  cell: (c: ChColumn) => string;
}

/** The trimmed text of a cell, '' for empty/NULL. */
const cellText = (c: ChColumn) => `replaceRegexpAll(${stringExpr(c)}, '^\\\\s+|\\\\s+$', '')`;
const binaryOf = (c: ChColumn) => `multiIf(lower(${cellText(c)}) IN (${strList(TRUE)}), 1, lower(${cellText(c)}) IN (${strList(FALSE)}), 0, -1)`;
const numberOf = (c: ChColumn) => `toFloat64OrNull(replaceAll(${cellText(c)}, ',', ''))`;
const cols: Cols = { cell: cellText };

type Agg = { g: string; v: string; units: number; n: number; s: number };

/** n and sum per (group, variant) for a metric of a kind, then Σ(x − mean)² per group with the means inlined. */
async function metricStats(conn: ClickHouseConnection, from: string, variantExpr: string, armFilter: string, groupExpr: string, metric: ChColumn, kind: 'rate' | 'mean', o: QueryOptions): Promise<Map<string, { units: number; n: number; sum: number; m2: number }>> {
  const value = kind === 'rate' ? binaryOf(metric) : numberOf(metric);
  const ok = kind === 'rate' ? `${value} >= 0` : `isNotNull(${value})`;
  const first = await conn.rows<Agg>(
    `SELECT ${groupExpr} AS g, ${variantExpr} AS v, count() AS units, countIf(${ok}) AS n, sumIf(toFloat64(${kind === 'rate' ? value : `assumeNotNull(${value})`}), ${ok}) AS s FROM ${from} WHERE ${armFilter} GROUP BY g, v`,
    o,
  );
  const out = new Map<string, { units: number; n: number; sum: number; m2: number }>();
  for (const r of first) out.set(`${r.g}\u0000${r.v}`, { units: Number(r.units), n: Number(r.n), sum: Number(r.s), m2: 0 });
  if (kind === 'mean' && first.length) {
    const means = first.filter((r) => Number(r.n) > 0);
    if (means.length) {
      const meanOf = `multiIf(${means.map((r) => `g = ${str(r.g)} AND v = ${str(r.v)}, ${num(Number(r.s) / Number(r.n))}`).join(', ')}, 0)`;
      const second = await conn.rows<{ g: string; v: string; m2: number }>(
        `SELECT ${groupExpr} AS g, ${variantExpr} AS v, sumIf((assumeNotNull(${value}) - ${meanOf}) * (assumeNotNull(${value}) - ${meanOf}), ${ok}) AS m2 FROM ${from} WHERE ${armFilter} GROUP BY g, v`,
        o,
      );
      for (const r of second) out.get(`${r.g}\u0000${r.v}`)!.m2 = Number(r.m2);
    }
  }
  return out;
}

function toData(name: string, kind: 'rate' | 'mean', c?: { n: number; sum: number; m2: number }, t?: { n: number; sum: number; m2: number }): MetricData {
  const z = { n: 0, sum: 0, m2: 0 };
  const a = c ?? z;
  const b = t ?? z;
  if (kind === 'rate') return { kind, name, control: { successes: a.sum, n: a.n }, treatment: { successes: b.sum, n: b.n } };
  const sum = (x: typeof a) => (x.n === 0 ? { mean: NaN, sd: NaN, n: 0 } : { mean: x.sum / x.n, sd: x.n > 1 ? Math.sqrt(x.m2 / (x.n - 1)) : NaN, n: x.n });
  return { kind, name, control: sum(a), treatment: sum(b) };
}

export async function clickhouseExperiment(conn: ClickHouseConnection, columns: ChColumn[], input: AnalyzeParsed, o: QueryOptions & { file: string }): Promise<ExperimentAnalysis> {
  const from = tableRef(conn);
  const table = `${conn.target.database}.${conn.target.table}`;
  if (!input.variant_column) throw new IafaError('validation', '--variant-col is required for a user-level table.');
  if (input.covariate) throw new IafaError('validation', 'CUPED (--covariate) needs the raw values and is not available on the ClickHouse backend yet.', { reason: 'unsupported' });
  const variantCol = requireColumn(columns, input.variant_column, 'variant', table);
  const variantExpr = `if(${cellText(variantCol)} = '', '(empty)', ${cellText(variantCol)})`;
  void cols;

  // Arms, as prepare-table.ts picks them.
  const vrows = await conn.rows<{ v: string; c: number }>(`SELECT ${variantExpr} AS v, count() AS c FROM ${from} WHERE ${stringExpr(variantCol)} != '' GROUP BY v ORDER BY v`, o);
  const values = vrows.map((r) => r.v).sort();
  const list = values.map((v) => `"${v}"`).join(', ') || '(none)';
  if (values.length < 2) throw new IafaError('validation', `The variant column "${input.variant_column}" has ${values.length === 0 ? 'no values' : `only one value (${list})`}; an experiment needs at least 2 variants.`, { reason: 'too_few_variants', values });
  let control = input.control;
  let treatment = input.treatment;
  if (!control || !treatment) {
    if (values.length !== 2) throw new IafaError('validation', `The variant column "${input.variant_column}" has ${values.length} values (${list}); say which is control and which is treatment.`, { reason: 'ambiguous_variants', values });
    const ctl = control ?? values.find((v) => /control|baseline|^a$|off/i.test(v)) ?? values[0];
    control = ctl;
    treatment = treatment ?? values.find((v) => v !== ctl) ?? values[1];
  }
  for (const [role, v] of [['control', control], ['treatment', treatment]] as const) {
    if (!values.includes(v)) throw new IafaError('validation', `The ${role} value "${v}" does not occur in column "${input.variant_column}". Values: ${list}.`, { reason: 'unknown_variant', values });
  }
  if (control === treatment) throw new IafaError('validation', 'Control and treatment must be different variant values.');
  const others = values.filter((v) => v !== control && v !== treatment);
  const warnings = others.length ? [`Variant values ignored (only ${control} vs ${treatment} is analyzed): ${others.join(', ')}.`] : [];
  const armFilter = `${variantExpr} IN (${strList([control, treatment])})`;
  const units = (v: string) => Number(vrows.find((r) => r.v === v)?.c ?? 0);

  const kinds = new Map<string, 'rate' | 'mean'>();
  const kindOf = async (c: ChColumn): Promise<'rate' | 'mean'> => {
    const known = kinds.get(c.name);
    if (known) return known;
    const r = await conn.rows<{ seen: number; bin: number; nums: number }>(
      `SELECT countIf(${cellText(c)} != '') AS seen, countIf(${cellText(c)} != '' AND ${binaryOf(c)} >= 0) AS bin, countIf(${cellText(c)} != '' AND isNotNull(${numberOf(c)})) AS nums FROM ${from} WHERE ${armFilter}`,
      o,
    );
    const { seen, bin, nums } = r[0];
    if (Number(seen) === 0 || (Number(bin) < Number(seen) && Number(nums) < Number(seen))) throw new IafaError('validation', `The metric column "${c.name}" is neither 0/1 (a rate) nor numeric (a mean).`, { reason: 'invalid_metric', column: c.name });
    const k = Number(bin) === Number(seen) ? 'rate' : 'mean';
    kinds.set(c.name, k);
    return k;
  };
  const build = async (name: string, group = "''"): Promise<{ data: MetricData; stats: Map<string, { units: number; n: number; sum: number; m2: number }> }> => {
    if (name.includes('/') && !columns.some((c) => c.name === name)) throw new IafaError('validation', `"${name}" is a ratio of two columns; in a user-level table each metric is one column (0/1 for a rate, a number for a mean).`);
    const col = requireColumn(columns, name, 'metric', table);
    const kind = await kindOf(col);
    const stats = await metricStats(conn, from, variantExpr, armFilter, group, col, kind, o);
    return { data: toData(name, kind, stats.get(`\u0000${control}`), stats.get(`\u0000${treatment}`)), stats };
  };

  const metricNames = input.metrics.map((m) => metricName(m));
  if (metricNames.length === 0) throw new IafaError('validation', 'Name at least one metric (the first one is the primary metric).');
  const metrics: MetricData[] = [];
  for (const m of metricNames) metrics.push((await build(m)).data);
  const nArms = units(control) + units(treatment);
  for (const m of metrics) {
    const missing = nArms - m.control.n - m.treatment.n;
    if (missing > 0) warnings.push(`${m.name}: ${missing.toLocaleString('en-US')} rows with an empty or unreadable value were left out.`);
  }
  const guardrails: PreparedExperiment['guardrails'] = [];
  for (const g of guardrailInputs((input.guardrails ?? []) as RawGuardrail[], input.lower_is_better ?? [])) guardrails.push({ data: (await build(metricName(g.spec))).data, rule: g.rule });

  const primary = metricNames[0];
  const segmentBy = input.segment_by === undefined ? [] : (Array.isArray(input.segment_by) ? input.segment_by : String(input.segment_by).split(',')).map((s) => s.trim()).filter(Boolean);
  const segments: PreparedExperiment['segments'] = [];
  for (const column of segmentBy) {
    const seg = requireColumn(columns, column, 'segment', table);
    const key = `if(${cellText(seg)} = '', '(empty)', ${cellText(seg)})`;
    const { stats } = await build(primary, key);
    const groups = new Map<string, number>();
    for (const [k, s] of stats) groups.set(k.split('\u0000')[0], (groups.get(k.split('\u0000')[0]) ?? 0) + s.units);
    // Largest first; equal sizes by value (a table has no file order to keep).
    const ordered = [...groups.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    if (ordered.length > MAX_SEGMENT_VALUES) warnings.push(`Segment column "${column}" has ${ordered.length} values; only the ${MAX_SEGMENT_VALUES} largest are analyzed.`);
    for (const [value] of ordered.slice(0, MAX_SEGMENT_VALUES)) segments.push({ column, value, data: toData(primary, kinds.get(primary)!, stats.get(`${value}\u0000${control}`), stats.get(`${value}\u0000${treatment}`)) });
  }

  const daily: PreparedExperiment['daily'] = [];
  const looks: PreparedExperiment['looks'] = [];
  if (input.date_column) {
    const dc = requireColumn(columns, input.date_column, 'date', table);
    const text = cellText(dc);
    const day = `if(match(${text}, '^[0-9]{4}-[0-9]{2}-[0-9]{2}'), substring(${text}, 1, 10), ${text})`;
    const { stats } = await build(primary, day);
    const dates = [...new Set([...stats.keys()].map((k) => k.split('\u0000')[0]))].filter((d) => d !== '').sort();
    const cum = { c: { n: 0, sum: 0, m2: 0 }, t: { n: 0, sum: 0, m2: 0 } };
    const merge = (a: typeof cum.c, b?: { n: number; sum: number; m2: number }) => {
      if (!b || b.n === 0) return a;
      if (a.n === 0) return { ...b };
      // Chan et al.'s pairwise update of the centered sum of squares.
      const d = b.sum / b.n - a.sum / a.n;
      return { n: a.n + b.n, sum: a.sum + b.sum, m2: a.m2 + b.m2 + (d * d * a.n * b.n) / (a.n + b.n) };
    };
    for (const date of dates) {
      const c = stats.get(`${date}\u0000${control}`);
      const t = stats.get(`${date}\u0000${treatment}`);
      daily.push(dailyPoint(date, toData(primary, kinds.get(primary)!, c, t)));
      cum.c = merge(cum.c, c);
      cum.t = merge(cum.t, t);
      looks.push(snapshot(toData(primary, kinds.get(primary)!, cum.c, cum.t)));
    }
  }

  const prepared: PreparedExperiment = {
    source: 'user_table',
    variantColumn: input.variant_column,
    controlLabel: control,
    treatmentLabel: treatment,
    metrics,
    guardrails,
    srmCounts: [units(control), units(treatment)],
    srmUnit: 'rows (units)',
    segments,
    segmentBy,
    daily,
    looks,
    stageData: null,
    warnings,
  };
  void ident;
  return analyzePrepared(prepared, {
    alpha: input.alpha,
    correction: input.correction,
    ciMethod: input.ci_method,
    plannedSplit: input.planned_split,
    mde: input.mde,
    mdeType: input.mde_type,
    sequential: input.sequential ?? null,
    lowerIsBetter: input.lower_is_better,
    experimentId: input.experiment_id ?? null,
    provenance: { note: `clickhouse: ${o.file}` },
  });
}
