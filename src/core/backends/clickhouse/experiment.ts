import { IafaError } from '../../../shared/contract';
import type { AnalyzeParsed, ExperimentAnalysis } from '../../../shared/contract/experiments';
import { analyzeOptions, analyzePrepared } from '../../experiments';
import type { MetricData } from '../../experiments/metrics';
import { guardrailInputs, metricName, type PreparedExperiment, type RawGuardrail } from '../../experiments/prepared';
import { dailyPoint, snapshot } from '../../experiments/prepare-table';
import type { ExperimentAggregateSpec, ExperimentAggregates, MetricAggregate } from '../types';
import type { ClickHouseConnection, QueryOptions } from './connection';
import { requireColumn, stringExpr, tableRef, type ChColumn } from './schema';
import { num, str, strList } from './sql';

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

/** The trimmed text of a cell, '' for empty/NULL. */
const cellText = (c: ChColumn) => `replaceRegexpAll(${stringExpr(c)}, '^\\\\s+|\\\\s+$', '')`;
const binaryOf = (c: ChColumn) => `multiIf(lower(${cellText(c)}) IN (${strList(TRUE)}), 1, lower(${cellText(c)}) IN (${strList(FALSE)}), 0, -1)`;
const numberOf = (c: ChColumn) => `toFloat64OrNull(replaceAll(${cellText(c)}, ',', ''))`;

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

function toData(name: string, kind: 'rate' | 'mean', c?: Pick<MetricAggregate, 'n' | 'sum' | 'm2'>, t?: Pick<MetricAggregate, 'n' | 'sum' | 'm2'>): MetricData {
  const z = { n: 0, sum: 0, m2: 0 };
  const a = c ?? z;
  const b = t ?? z;
  if (kind === 'rate') return { kind, name, control: { successes: a.sum, n: a.n }, treatment: { successes: b.sum, n: b.n } };
  const sum = (x: typeof a) => (x.n === 0 ? { mean: NaN, sd: NaN, n: 0 } : { mean: x.sum / x.n, sd: x.n > 1 ? Math.sqrt(x.m2 / (x.n - 1)) : NaN, n: x.n });
  return { kind, name, control: sum(a), treatment: sum(b) };
}

/** A variant or segment cell as the local engine keys it: trimmed text, '(empty)' for none. */
const keyOf = (c: ChColumn) => `if(${cellText(c)} = '', '(empty)', ${cellText(c)})`;

/** Every variant value with its row count (empty cells left out, as the local reader does). */
async function variantCounts(conn: ClickHouseConnection, variant: ChColumn, o: QueryOptions): Promise<{ variant: string; units: number }[]> {
  const rows = await conn.rows<{ v: string; c: number }>(`SELECT ${keyOf(variant)} AS v, count() AS c FROM ${tableRef(conn)} WHERE ${cellText(variant)} != '' GROUP BY v`, o);
  return rows.map((r) => ({ variant: r.v, units: Number(r.c) })).sort((a, b) => b.units - a.units || (a.variant < b.variant ? -1 : 1));
}

/** rate when every non-empty value reads as 0/1, mean when every one reads as a number. */
async function kindOf(conn: ClickHouseConnection, c: ChColumn, armFilter: string, o: QueryOptions): Promise<'rate' | 'mean'> {
  const r = await conn.rows<{ seen: number; bin: number; nums: number }>(
    `SELECT countIf(${cellText(c)} != '') AS seen, countIf(${cellText(c)} != '' AND ${binaryOf(c)} >= 0) AS bin, countIf(${cellText(c)} != '' AND isNotNull(${numberOf(c)})) AS nums FROM ${tableRef(conn)} WHERE ${armFilter}`,
    o,
  );
  const [seen, bin, nums] = [Number(r[0].seen), Number(r[0].bin), Number(r[0].nums)];
  if (seen === 0 || (bin < seen && nums < seen)) throw new IafaError('validation', `The metric column "${c.name}" is neither 0/1 (a rate) nor numeric (a mean).`, { reason: 'invalid_metric', column: c.name });
  return bin === seen ? 'rate' : 'mean';
}

/**
 * DatasetBackend.experimentAggregates on ClickHouse: per variant, per segment value and per day,
 * each metric's rows, n, Σx and Σ(x − mean)², computed on the server; a few numbers per group.
 */
export async function clickhouseExperimentAggregates(conn: ClickHouseConnection, columns: ChColumn[], spec: ExperimentAggregateSpec, o: QueryOptions = {}): Promise<ExperimentAggregates> {
  const table = `${conn.target.database}.${conn.target.table}`;
  const from = tableRef(conn);
  const variantCol = requireColumn(columns, spec.variantColumn, 'variant', table);
  const variantExpr = keyOf(variantCol);
  const variants = await variantCounts(conn, variantCol, o);
  const chosen = spec.variants ?? variants.map((v) => v.variant);
  if (chosen.length === 0) return { variants, arms: [], segments: {}, daily: [] };
  const armFilter = `${variantExpr} IN (${strList(chosen)})`;
  const kinds = new Map<string, 'rate' | 'mean'>();
  const statsOf = async (name: string, group: string) => {
    if (name.includes('/') && !columns.some((c) => c.name === name)) throw new IafaError('validation', `"${name}" is a ratio of two columns: ratio metrics (delta method) are not available on the ClickHouse backend yet; import the table to use them.`, { reason: 'unsupported' });
    const col = requireColumn(columns, name, 'metric', table);
    if (!kinds.has(name)) kinds.set(name, await kindOf(conn, col, armFilter, o));
    const kind = kinds.get(name)!;
    const stats = await metricStats(conn, from, variantExpr, armFilter, group, col, kind, o);
    const out = new Map<string, MetricAggregate>();
    for (const [k, v] of stats) out.set(k, { rows: v.units, n: v.n, sum: v.sum, m2: v.m2, binary: kind === 'rate' });
    return out;
  };
  const arms = chosen.map((variant) => ({ variant, units: variants.find((v) => v.variant === variant)?.units ?? 0, metrics: {} as Record<string, MetricAggregate> }));
  for (const m of [...new Set(spec.metrics)]) {
    const stats = await statsOf(m, "''");
    for (const a of arms) a.metrics[m] = stats.get(`\u0000${a.variant}`) ?? { rows: 0, n: 0, sum: 0, m2: 0, binary: kinds.get(m) === 'rate' };
  }
  const primary = spec.metrics[0];
  const segments: ExperimentAggregates['segments'] = {};
  for (const column of spec.segmentBy ?? []) {
    const seg = requireColumn(columns, column, 'segment', table);
    const stats = await statsOf(primary, keyOf(seg));
    const groups = new Map<string, { value: string; units: number; byVariant: Record<string, MetricAggregate> }>();
    for (const [k, s] of stats) {
      const [value, variant] = k.split('\u0000');
      const g = groups.get(value) ?? { value, units: 0, byVariant: {} };
      g.units += s.rows;
      g.byVariant[variant] = s;
      groups.set(value, g);
    }
    // Largest first; equal sizes by value (a table has no file order to keep).
    const values = [...groups.values()].sort((a, b) => b.units - a.units || (a.value < b.value ? -1 : 1));
    segments[column] = { distinct: values.length, values: values.slice(0, spec.maxSegmentValues ?? values.length) };
  }
  const daily: ExperimentAggregates['daily'] = [];
  if (spec.dateColumn) {
    const text = cellText(requireColumn(columns, spec.dateColumn, 'date', table));
    const stats = await statsOf(primary, `if(match(${text}, '^[0-9]{4}-[0-9]{2}-[0-9]{2}'), substring(${text}, 1, 10), ${text})`);
    const byDay = new Map<string, Record<string, MetricAggregate>>();
    for (const [k, s] of stats) {
      const [date, variant] = k.split('\u0000');
      if (date === '') continue;
      byDay.set(date, { ...byDay.get(date), [variant]: s });
    }
    for (const date of [...byDay.keys()].sort()) daily.push({ date, byVariant: byDay.get(date)! });
  }
  return { variants, arms, segments, daily };
}

/**
 * The experiment read-out of a user-level ClickHouse table: arms picked as prepare-table.ts
 * picks them, aggregates from the server, then the local engine's analyzePrepared.
 */
export async function clickhouseExperiment(conn: ClickHouseConnection, columns: ChColumn[], input: AnalyzeParsed, o: QueryOptions & { file: string }): Promise<ExperimentAnalysis> {
  const table = `${conn.target.database}.${conn.target.table}`;
  if (!input.variant_column) throw new IafaError('validation', '--variant-col is required for a user-level table.');
  if (input.covariate) throw new IafaError('validation', 'CUPED (--covariate) needs the raw values and is not available on the ClickHouse backend yet.', { reason: 'unsupported' });
  if (new Set(input.treatments ?? []).size > 1) throw new IafaError('validation', 'Several treatment arms (A/B/n) are not available on the ClickHouse backend yet; read one arm at a time, or import the table.', { reason: 'unsupported' });
  const variantCol = requireColumn(columns, input.variant_column, 'variant', table);
  const counts = await variantCounts(conn, variantCol, o);
  const values = counts.map((r) => r.variant).sort();
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

  const metricNames = input.metrics.map((m) => metricName(m));
  if (metricNames.length === 0) throw new IafaError('validation', 'Name at least one metric (the first one is the primary metric).');
  const guardrailSpecs = guardrailInputs((input.guardrails ?? []) as RawGuardrail[], input.lower_is_better ?? []);
  const segmentBy = input.segment_by === undefined ? [] : (Array.isArray(input.segment_by) ? input.segment_by : String(input.segment_by).split(',')).map((s) => s.trim()).filter(Boolean);
  const agg = await clickhouseExperimentAggregates(
    conn,
    columns,
    { variantColumn: input.variant_column, variants: [control, treatment], metrics: [...metricNames, ...guardrailSpecs.map((g) => metricName(g.spec))], segmentBy, dateColumn: input.date_column, maxSegmentValues: MAX_SEGMENT_VALUES },
    o,
  );
  const arm = (v: string) => agg.arms.find((a) => a.variant === v)!;
  const data = (name: string, c?: MetricAggregate, t?: MetricAggregate) => toData(name, (c ?? t)?.binary ? 'rate' : 'mean', c, t);
  const metrics = metricNames.map((m) => data(m, arm(control).metrics[m], arm(treatment).metrics[m]));
  const nArms = arm(control).units + arm(treatment).units;
  for (const m of metrics) {
    const missing = nArms - m.control.n - m.treatment.n;
    if (missing > 0) warnings.push(`${m.name}: ${missing.toLocaleString('en-US')} rows with an empty or unreadable value were left out.`);
  }
  const guardrails = guardrailSpecs.map((g) => ({ data: data(metricName(g.spec), arm(control).metrics[metricName(g.spec)], arm(treatment).metrics[metricName(g.spec)]), rule: g.rule }));
  const primary = metricNames[0];
  const segments: PreparedExperiment['segments'] = [];
  for (const column of segmentBy) {
    const { distinct, values: groups } = agg.segments[column];
    if (distinct > MAX_SEGMENT_VALUES) warnings.push(`Segment column "${column}" has ${distinct} values; only the ${MAX_SEGMENT_VALUES} largest are analyzed.`);
    for (const g of groups) segments.push({ column, value: g.value, data: data(primary, g.byVariant[control], g.byVariant[treatment]) });
  }
  const daily: PreparedExperiment['daily'] = [];
  const looks: PreparedExperiment['looks'] = [];
  let cum = { c: { n: 0, sum: 0, m2: 0 }, t: { n: 0, sum: 0, m2: 0 } };
  const merge = (a: { n: number; sum: number; m2: number }, b?: MetricAggregate) => {
    if (!b || b.n === 0) return a;
    if (a.n === 0) return { n: b.n, sum: b.sum, m2: b.m2 };
    // Chan et al.'s pairwise update of the centered sum of squares.
    const d = b.sum / b.n - a.sum / a.n;
    return { n: a.n + b.n, sum: a.sum + b.sum, m2: a.m2 + b.m2 + (d * d * a.n * b.n) / (a.n + b.n) };
  };
  const kind = metrics[0].kind;
  for (const d of agg.daily) {
    daily.push(dailyPoint(d.date, toData(primary, kind, d.byVariant[control], d.byVariant[treatment])));
    cum = { c: merge(cum.c, d.byVariant[control]), t: merge(cum.t, d.byVariant[treatment]) };
    looks.push(snapshot(toData(primary, kind, cum.c, cum.t)));
  }

  const prepared: PreparedExperiment = {
    source: 'user_table',
    variantColumn: input.variant_column,
    controlLabel: control,
    treatmentLabel: treatment,
    metrics,
    guardrails,
    srmCounts: [arm(control).units, arm(treatment).units],
    srmUnit: 'rows (units)',
    segments,
    segmentBy,
    daily,
    looks,
    stageData: null,
    warnings,
  };
  // The same options as a file's read-out (engine, prior, correction, …): one function builds them.
  return analyzePrepared(prepared, analyzeOptions(input, { experimentId: input.experiment_id ?? null, provenance: { note: `clickhouse: ${o.file}` } }));
}
