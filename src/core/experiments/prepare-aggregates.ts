import { IafaError, type MetricSpec } from '../../shared/contract';
import type { ExperimentAggregateSpec, ExperimentAggregates, JointAggregate, MetricAggregate } from '../backends/types';
import type { CupedMoments, SampleSummary } from '../stats';
import { firstSeenRank } from './aggregate-table';
import type { MetricData } from './metrics';
import { choosePair, dailyPoint, snapshot } from './prepare-table';
import { asRatio, guardrailInputs, metricName, requireMetrics, type PreparedExperiment, type RawGuardrail } from './prepared';

/**
 * A user-level experiment prepared from a backend's aggregates instead of its rows: the same
 * PreparedExperiment prepareUserTable builds, with every statistic a function of per-variant
 * sufficient statistics (counts, sums, centered co-moments). Plain metrics, ratio metrics (delta
 * method), CUPED, segments, daily looks, A/B/n and the causal checks' balance and stage counts
 * all come from ExperimentAggregates, so any backend that computes them reads an experiment out.
 */

/** Where aggregates come from: a warehouse backend, the local column store, a table in memory. */
export interface AggregateSource {
  /** The table's column names (a metric "A/B" naming no column is a ratio of A and B). */
  columns: readonly string[];
  aggregates(spec: ExperimentAggregateSpec): Promise<ExperimentAggregates>;
}

/** Segment values beyond this many (largest first) are left out, as in prepare-table.ts. */
export const MAX_SEGMENT_VALUES = 50;
/** Balance categories a backend returns; the rest arrive summed (causal-checks pools them anyway). */
const MAX_BALANCE_VALUES = 50;

export interface AggregatePlanInput {
  variantColumn: string;
  control: string;
  treatments: readonly string[];
  metrics: readonly MetricSpec[];
  guardrails?: readonly RawGuardrail[];
  segmentBy?: readonly string[];
  dateColumn?: string;
  covariate?: string;
  lowerIsBetter?: readonly string[];
  balanceBy?: readonly string[];
  stageColumns?: readonly string[];
}

/** How one metric is read: a column (rate or mean) or a ratio, with the joint sets it needs. */
interface MetricPlan {
  name: string;
  column?: string;
  ratio?: { numerator: string; denominator: string };
  /** Index into spec.joints: [numerator, denominator] or [numerator, denominator, covariate] for a ratio; [column, covariate] for CUPED. */
  joint?: number;
  covariate?: string;
  missingCovariate?: IafaError;
}

function unknownColumn(columns: readonly string[], name: string, role: string): IafaError {
  return new IafaError('validation', `The ${role} column "${name}" does not exist. Columns: ${columns.join(', ') || '(none)'}.`, {
    reason: 'unknown_column',
    column: name,
  });
}

/** The variant values and the control/treatment pair, checked as prepare-table.ts checks them. */
export function pickPair(
  variants: ExperimentAggregates['variants'],
  variantColumn: string,
  control?: string,
  treatment?: string,
): { control: string; treatment: string; others: string[] } {
  const values = variants.map((v) => v.variant).sort();
  ({ control, treatment } = choosePair(values, variantColumn, control, treatment));
  return { control, treatment, others: values.filter((v) => v !== control && v !== treatment) };
}

/** The spec asking a backend for everything the read-out of these arms needs, and how to read it back. */
export function aggregatePlan(
  columns: readonly string[],
  input: AggregatePlanInput,
): { spec: ExperimentAggregateSpec; main: MetricPlan[]; guardrails: MetricPlan[]; primary: MetricPlan } {
  requireMetrics(input.metrics);
  const has = (c: string, role: string) => {
    if (!columns.includes(c)) throw unknownColumn(columns, c, role);
  };
  has(input.variantColumn, 'variant');
  const plain: string[] = [];
  const joints: string[][] = [];
  const jointOf = (cols: string[]) => {
    const key = JSON.stringify(cols);
    const i = joints.findIndex((j) => JSON.stringify(j) === key);
    if (i >= 0) return i;
    joints.push(cols);
    return joints.length - 1;
  };
  const plan = (s: MetricSpec, withCovariate: boolean): MetricPlan => {
    const cov = withCovariate ? input.covariate : undefined;
    const r = asRatio(s, columns);
    if (r) {
      has(r.numerator, 'numerator');
      has(r.denominator, 'denominator');
      if (cov) has(cov, 'covariate');
      return {
        name: r.name,
        ratio: { numerator: r.numerator, denominator: r.denominator },
        joint: jointOf(cov ? [r.numerator, r.denominator, cov] : [r.numerator, r.denominator]),
        covariate: cov,
      };
    }
    const name = metricName(s);
    has(name, 'metric');
    if (!plain.includes(name)) plain.push(name);
    // A missing covariate matters only if the column turns out to be a mean (a rate ignores it).
    if (cov && !columns.includes(cov)) return { name, column: name, covariate: cov, missingCovariate: unknownColumn(columns, cov, 'covariate') };
    return { name, column: name, ...(cov ? { joint: jointOf([name, cov]), covariate: cov } : {}) };
  };
  const main = input.metrics.map((s) => plan(s, true));
  const guardrails = guardrailInputs(input.guardrails ?? [], input.lowerIsBetter ?? []).map((g) => plan(g.spec, false));
  // Segments and days split the primary without its covariate (as prepare-table's primaryFor does).
  const primary = plan(input.metrics[0], false);
  const metrics = primary.column ? [primary.column, ...plain.filter((c) => c !== primary.column)] : plain;
  for (const c of input.segmentBy ?? []) has(c, 'segment');
  if (input.dateColumn) has(input.dateColumn, 'date');
  for (const c of input.balanceBy ?? []) has(c, 'balance');
  const spec: ExperimentAggregateSpec = {
    variantColumn: input.variantColumn,
    variants: [input.control, ...input.treatments],
    metrics,
    ...(joints.length ? { joints } : {}),
    ...(primary.ratio ? { primaryJoint: primary.joint } : {}),
    ...(input.segmentBy?.length ? { segmentBy: [...input.segmentBy], maxSegmentValues: MAX_SEGMENT_VALUES } : {}),
    ...(input.dateColumn ? { dateColumn: input.dateColumn } : {}),
    ...(input.balanceBy?.length ? { balanceBy: [...input.balanceBy], maxBalanceValues: MAX_BALANCE_VALUES } : {}),
    ...(input.stageColumns?.length ? { stageColumns: [...input.stageColumns] } : {}),
  };
  return { spec, main, guardrails, primary };
}

const EMPTY_METRIC: MetricAggregate = { rows: 0, n: 0, sum: 0, m2: 0, binary: false };

function summaryOf(a: Pick<MetricAggregate, 'n' | 'sum' | 'm2'>): SampleSummary {
  return a.n === 0 ? { mean: NaN, sd: NaN, n: 0 } : { mean: a.sum / a.n, sd: a.n > 1 ? Math.sqrt(a.m2 / (a.n - 1)) : NaN, n: a.n };
}

/** The delta-method ratio of a [numerator, denominator(, covariate)] joint: its summary and, with a covariate, CUPED's moments of the linearised values. */
function ratioArm(j: JointAggregate | undefined): { summary: SampleSummary; cuped: CupedMoments | null } {
  if (!j || j.n === 0) return { summary: { mean: NaN, sd: NaN, n: 0 }, cuped: null };
  const md = j.sums[1] / j.n;
  if (md === 0) return { summary: { mean: NaN, sd: NaN, n: j.n }, cuped: null };
  const r = j.sums[0] / j.n / md;
  // Unit i's linearisation is r + (m_i − r·d_i)/d̄: its centered moments follow from those of m and d.
  const c = j.comoments;
  const syy = Math.max(0, c[0][0] - 2 * r * c[0][1] + r * r * c[1][1]) / (md * md);
  const summary = { mean: r, sd: j.n > 1 ? Math.sqrt(syy / (j.n - 1)) : NaN, n: j.n };
  if (j.sums.length < 3) return { summary, cuped: null };
  return { summary, cuped: { n: j.n, sumY: r * j.n, sumX: j.sums[2], syy, sxx: c[2][2], sxy: (c[0][2] - r * c[1][2]) / md } };
}

function columnMoments(j: JointAggregate | undefined): { summary: SampleSummary; cuped: CupedMoments } {
  const z = j ?? {
    rows: 0,
    n: 0,
    sums: [0, 0],
    comoments: [
      [0, 0],
      [0, 0],
    ],
  };
  return {
    summary: summaryOf({ n: z.n, sum: z.sums[0], m2: z.comoments[0][0] }),
    cuped: { n: z.n, sumY: z.sums[0], sumX: z.sums[1], syy: z.comoments[0][0], sxx: z.comoments[1][1], sxy: z.comoments[0][1] },
  };
}

/** MetricData of one metric for a pair of arms, from their aggregates. */
function metricData(p: MetricPlan, c: { metrics: Record<string, MetricAggregate>; joints?: JointAggregate[] }, t: typeof c, useJoint = true): MetricData {
  if (p.ratio) {
    const jc = ratioArm(c.joints?.[p.joint!]);
    const jt = ratioArm(t.joints?.[p.joint!]);
    const d: MetricData = { kind: 'mean', name: p.name, control: jc.summary, treatment: jt.summary, ratio: { ...p.ratio } };
    if (p.covariate && jc.cuped && jt.cuped) d.cupedMoments = { covariate: p.covariate, control: jc.cuped, treatment: jt.cuped };
    return d;
  }
  const mc = c.metrics[p.column!] ?? EMPTY_METRIC;
  const mt = t.metrics[p.column!] ?? EMPTY_METRIC;
  if (mc.binary || mt.binary) return { kind: 'rate', name: p.name, control: { successes: mc.sum, n: mc.n }, treatment: { successes: mt.sum, n: mt.n } };
  if (useJoint && p.missingCovariate) throw p.missingCovariate;
  if (useJoint && p.covariate && p.joint !== undefined) {
    const jc = columnMoments(c.joints?.[p.joint]);
    const jt = columnMoments(t.joints?.[p.joint]);
    return {
      kind: 'mean',
      name: p.name,
      control: jc.summary,
      treatment: jt.summary,
      cupedMoments: { covariate: p.covariate, control: jc.cuped, treatment: jt.cuped },
    };
  }
  return { kind: 'mean', name: p.name, control: summaryOf(mc), treatment: summaryOf(mt) };
}

/** Merges two groups' joint moments (Chan et al.'s pairwise update of the co-moments). */
export function mergeJoint(a: JointAggregate, b: JointAggregate): JointAggregate {
  if (b.n === 0) return { ...a, rows: a.rows + b.rows };
  if (a.n === 0) return { ...b, rows: a.rows + b.rows };
  const n = a.n + b.n;
  const d = a.sums.map((s, i) => b.sums[i] / b.n - s / a.n);
  const w = (a.n * b.n) / n;
  return {
    rows: a.rows + b.rows,
    n,
    sums: a.sums.map((s, i) => s + b.sums[i]),
    comoments: a.comoments.map((row, i) => row.map((x, k) => x + b.comoments[i][k] + d[i] * d[k] * w)),
  };
}

export function mergeMetric(a: MetricAggregate, b: MetricAggregate): MetricAggregate {
  const j = mergeJoint({ rows: a.rows, n: a.n, sums: [a.sum], comoments: [[a.m2]] }, { rows: b.rows, n: b.n, sums: [b.sum], comoments: [[b.m2]] });
  return { rows: j.rows, n: j.n, sum: j.sums[0], m2: a.binary || b.binary ? 0 : j.comoments[0][0], binary: a.binary || b.binary };
}

/** The PreparedExperiment of control vs one treatment, as prepareUserTable would build it from the rows. */
export function preparePair(
  agg: ExperimentAggregates,
  plan: ReturnType<typeof aggregatePlan>,
  input: AggregatePlanInput,
  control: string,
  treatment: string,
  others: readonly string[],
): PreparedExperiment {
  const arm = (v: string) => agg.arms.find((a) => a.variant === v) ?? { variant: v, units: 0, metrics: {} };
  const c = arm(control);
  const t = arm(treatment);
  const kinds = agg.columnKinds ?? {};
  for (const p of [...plan.main, ...plan.guardrails]) {
    if (!p.ratio) continue;
    for (const [col, role] of [
      [p.ratio.numerator, 'numerator'],
      [p.ratio.denominator, 'denominator'],
    ] as const) {
      if (kinds[col] === 'invalid') throw new IafaError('validation', `The ${role} column "${col}" is not numeric.`, { reason: 'invalid_metric', column: col });
    }
  }
  const warnings = others.length ? [`Variant values ignored (only ${control} vs ${treatment} is analyzed): ${others.join(', ')}.`] : [];
  const metrics = plan.main.map((p) => metricData(p, c, t));
  if (input.covariate && metrics.every((m) => m.kind !== 'mean'))
    warnings.push(`CUPED covariate "${input.covariate}" ignored: it applies to mean metrics only.`);
  for (const m of metrics) {
    const missing = c.units + t.units - m.control.n - m.treatment.n;
    if (missing > 0) warnings.push(`${m.name}: ${missing.toLocaleString('en-US')} rows with an empty or unreadable value were left out.`);
  }
  const rules = guardrailInputs(input.guardrails ?? [], input.lowerIsBetter ?? []);
  const guardrails = plan.guardrails.map((p, i) => ({ data: metricData(p, c, t, false), rule: rules[i].rule }));

  const primary = plan.primary;
  const kindOfPrimary = metrics[0];
  /** The primary for a group given per variant (segment value or day). */
  const group = (byVariant: Record<string, MetricAggregate>, joints?: Record<string, JointAggregate>): MetricData => {
    const side = (v: string) => ({
      metrics: { [primary.column ?? '']: byVariant[v] ?? { ...EMPTY_METRIC, binary: kindOfPrimary.kind === 'rate' } },
      joints: primary.ratio
        ? [
            joints?.[v] ?? {
              rows: 0,
              n: 0,
              sums: [0, 0],
              comoments: [
                [0, 0],
                [0, 0],
              ],
            },
          ]
        : [],
    });
    return metricData(primary.ratio ? { ...primary, joint: 0, covariate: undefined } : primary, side(control), side(treatment), false);
  };

  const segments: PreparedExperiment['segments'] = [];
  const rank = firstSeenRank([control, treatment], Number.MAX_SAFE_INTEGER / 4);
  for (const column of input.segmentBy ?? []) {
    const s = agg.segments[column];
    const rowsOf = (v: (typeof s.values)[number], arm: string) => (primary.ratio ? v.jointByVariant?.[arm]?.rows : v.byVariant[arm]?.rows) ?? 0;
    const values = s.values
      .map((v) => ({ v, units: rowsOf(v, control) + rowsOf(v, treatment) }))
      .filter((x) => x.units > 0)
      .sort((a, b) => b.units - a.units || rank(a.v.firstRow) - rank(b.v.firstRow) || (a.v.value < b.v.value ? -1 : a.v.value > b.v.value ? 1 : 0));
    // With several arms a value may lie only in other arms: the pair's count is exact unless the backend cut the list.
    const distinct = input.treatments.length > 1 && s.values.length === s.distinct ? values.length : s.distinct;
    if (distinct > MAX_SEGMENT_VALUES) warnings.push(`Segment column "${column}" has ${distinct} values; only the ${MAX_SEGMENT_VALUES} largest are analyzed.`);
    for (const { v } of values.slice(0, MAX_SEGMENT_VALUES)) segments.push({ column, value: v.value, data: group(v.byVariant, v.jointByVariant) });
  }

  const daily: PreparedExperiment['daily'] = [];
  const looks: PreparedExperiment['looks'] = [];
  if (input.dateColumn) {
    const zero = (binary: boolean): MetricAggregate => ({ ...EMPTY_METRIC, binary });
    const zeroJ = (): JointAggregate => ({
      rows: 0,
      n: 0,
      sums: [0, 0],
      comoments: [
        [0, 0],
        [0, 0],
      ],
    });
    const binary = kindOfPrimary.kind === 'rate';
    let cum = { m: { c: zero(binary), t: zero(binary) }, j: { c: zeroJ(), t: zeroJ() } };
    for (const d of agg.daily) {
      const inPair =
        (d.byVariant[control]?.rows ?? d.jointByVariant?.[control]?.rows ?? 0) + (d.byVariant[treatment]?.rows ?? d.jointByVariant?.[treatment]?.rows ?? 0);
      if (inPair === 0) continue;
      daily.push(dailyPoint(d.date, group(d.byVariant, d.jointByVariant)));
      cum = {
        m: { c: mergeMetric(cum.m.c, d.byVariant[control] ?? zero(binary)), t: mergeMetric(cum.m.t, d.byVariant[treatment] ?? zero(binary)) },
        j: { c: mergeJoint(cum.j.c, d.jointByVariant?.[control] ?? zeroJ()), t: mergeJoint(cum.j.t, d.jointByVariant?.[treatment] ?? zeroJ()) },
      };
      looks.push(snapshot(group({ [control]: cum.m.c, [treatment]: cum.m.t }, { [control]: cum.j.c, [treatment]: cum.j.t })));
    }
  }

  let stageData: PreparedExperiment['stageData'] = null;
  if (input.stageColumns?.length && c.stages && t.stages)
    stageData = { names: ['assigned', ...input.stageColumns], control: [...c.stages], treatment: [...t.stages] };
  return {
    source: 'user_table',
    variantColumn: input.variantColumn,
    controlLabel: control,
    treatmentLabel: treatment,
    metrics,
    guardrails,
    srmCounts: [c.units, t.units],
    srmUnit: 'rows (units)',
    segments,
    segmentBy: [...(input.segmentBy ?? [])],
    daily,
    looks,
    stageData,
    warnings,
  };
}
