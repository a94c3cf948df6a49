import { IafaError } from '../../shared/contract';
import type { AnalyzeParsed, CausalParsed, CausalResult, ExperimentAnalysis } from '../../shared/contract/experiments';
import type { Fact } from '../../shared/contract/facts';
import { analyzePrepared } from './analyze';
import { causalAnalysis } from './causal';
import { analyzeArms, analyzeMultiArm, checkArms, guessControl, resolveControl } from './multi-arm';
import { aggregatePlan, pickPair, preparePair, type AggregatePlanInput, type AggregateSource } from './prepare-aggregates';
import { balanceRows, pooledBalance } from './causal-checks';
import { prepareAggregatedPair, prepareFunnelStages } from './prepare-aggregate';
import { prepareUserTable } from './prepare-table';
import type { PreparedExperiment } from './prepared';
import { toBinary, type Table } from './table';
import type { ExperimentAggregates } from '../backends/types';

/** Public API of the experiments engine: pure functions over tables already in memory. */
export { designExperiment } from './design';
export { parseCsv, type Table } from './table';
export type { PreparedExperiment } from './prepared';
export type { AggregateSource } from './prepare-aggregates';
export { tableExperimentAggregates } from './aggregate-table';

/** Tables the caller loaded for an analyze/causal input (from a dataset, a file or inline JSON). */
export interface LoadedTables {
  table?: Table;
  control?: Table;
  treatment?: Table;
}

function segmentList(s: string | string[] | undefined): string[] {
  if (s === undefined) return [];
  return (Array.isArray(s) ? s : s.split(',')).map((x) => x.trim()).filter(Boolean);
}

export function prepareFromInput(input: AnalyzeParsed, loaded: LoadedTables, stageColumns?: readonly string[]): PreparedExperiment {
  if (loaded.table) {
    if (!input.variant_column) throw new IafaError('validation', 'A user-level table needs variant_column (the column holding control/treatment).');
    return prepareUserTable(loaded.table, { ...userTableSpec(input), control: input.control, treatment: input.treatment });
  }
  if (loaded.control || loaded.treatment) {
    if (!loaded.control || !loaded.treatment) throw new IafaError('validation', 'Two aggregated exports are needed: one for control and one for treatment.');
    if (segmentList(input.segment_by).length)
      throw new IafaError('validation', 'Segment breakdowns need a user-level table; aggregated exports have no units to split.');
    return prepareAggregatedPair(loaded.control, loaded.treatment, {
      metrics: input.metrics,
      guardrails: input.guardrails,
      dateColumn: input.date_column,
      srmColumn: input.srm_column,
      stageColumns,
      lowerIsBetter: input.lower_is_better,
      controlLabel: input.control,
      treatmentLabel: input.treatment,
    });
  }
  if (input.stages) return prepareFunnelStages(input.stages, { metrics: input.metrics, guardrails: input.guardrails, lowerIsBetter: input.lower_is_better });
  throw new IafaError(
    'validation',
    'Give the experiment data: a user-level table (datasetId, file or table), two aggregated exports (control_/treatment_ datasetId, file or table), or funnel stage counts (stages).',
  );
}

export interface RunOptions {
  experimentId?: string | null;
  provenance?: Fact['provenance'];
  now?: () => Date;
}

/** The treatment arms named in the input: `treatments` (A/B/n) or the single `treatment`. */
function treatmentList(input: AnalyzeParsed): string[] {
  const list = input.treatments?.length ? input.treatments : [];
  return [...new Set(list)];
}

export function runAnalysis(input: AnalyzeParsed, loaded: LoadedTables, o: RunOptions = {}): ExperimentAnalysis {
  const arms = treatmentList(input);
  if (arms.length > 1) {
    if (!loaded.table)
      throw new IafaError(
        'validation',
        'Several treatment arms (A/B/n) need a user-level table with a variant column; aggregated exports and stage counts hold one treatment.',
      );
    if (!input.variant_column) throw new IafaError('validation', 'A user-level table needs variant_column (the column holding the arms).');
    const control = resolveControl(loaded.table, input.variant_column, input.control, arms);
    return analyzeMultiArm(loaded.table, { ...userTableSpec(input), control, treatments: arms }, analyzeOptions(input, o));
  }
  if (input.planned_split && input.planned_split.length !== 2) {
    throw new IafaError('validation', `The planned split has ${input.planned_split.length} weights; a two-arm analysis needs 2 (control, treatment).`);
  }
  const prepared = prepareFromInput(arms.length === 1 ? { ...input, treatment: arms[0] } : input, loaded);
  return analyzePrepared(prepared, analyzeOptions(input, o));
}

function userTableSpec(input: AnalyzeParsed) {
  return {
    variantColumn: input.variant_column as string,
    metrics: input.metrics,
    guardrails: input.guardrails,
    segmentBy: segmentList(input.segment_by),
    dateColumn: input.date_column,
    covariate: input.covariate,
    lowerIsBetter: input.lower_is_better,
  };
}

/** The read-out's options from the request: shared by every backend, so none drops one. */
export function analyzeOptions(input: AnalyzeParsed, o: RunOptions) {
  return {
    alpha: input.alpha,
    correction: input.correction,
    engine: input.engine ?? 'frequentist',
    prior: input.prior ? { mean: input.prior.mean, variance: input.prior.sd ** 2, proper: true } : undefined,
    ciMethod: input.ci_method,
    plannedSplit: input.planned_split,
    mde: input.mde,
    mdeType: input.mde_type,
    sequential: input.sequential ?? null,
    lowerIsBetter: input.lower_is_better,
    experimentId: o.experimentId,
    provenance: o.provenance,
    now: o.now,
  };
}

export function runCausal(raw: CausalParsed, loaded: LoadedTables, o: RunOptions = {}): CausalResult {
  // Causal checks compare two arms: with several, the chosen `treatment` (else the first) against control.
  const arms = treatmentList(raw);
  const input: CausalParsed = arms.length
    ? { ...raw, treatment: raw.treatment && arms.includes(raw.treatment) ? raw.treatment : arms[0], treatments: undefined }
    : raw;
  const prepared = prepareFromInput(input, loaded, input.stage_columns);
  if (arms.length > 1)
    prepared.warnings.push(
      `Causal checks compare ${input.treatment} with control; the other arms (${arms.filter((a) => a !== input.treatment).join(', ')}) are read in the A/B/n analysis.`,
    );
  if (input.stage_columns?.length && loaded.table) {
    // User tables: stage columns are 0/1 flags in funnel order; count the units that reached each.
    prepared.stageData = stageCountsFromTable(loaded.table, prepared, input.stage_columns);
  }
  const analysis = analyzePrepared(prepared, analyzeOptions(input, o));
  const balanceColumns = input.balance_columns ?? segmentList(input.segment_by);
  return causalAnalysis(prepared, analysis, {
    alpha: input.alpha,
    externalFactors: input.external_factors,
    table: loaded.table ?? null,
    balanceColumns,
    provenance: o.provenance,
    now: o.now,
  });
}

function stageCountsFromTable(t: Table, p: PreparedExperiment, cols: readonly string[]): PreparedExperiment['stageData'] {
  const variant = t.columns[p.variantColumn as string];
  const counts = { control: [0, ...cols.map(() => 0)], treatment: [0, ...cols.map(() => 0)] };
  const flags = cols.map((c) => {
    const col = t.columns[c];
    if (!col) throw new IafaError('validation', `The stage column "${c}" does not exist.`);
    return col;
  });
  variant.forEach((v, i) => {
    const k = v === null ? null : String(v).trim();
    const arm = k === p.controlLabel ? counts.control : k === p.treatmentLabel ? counts.treatment : null;
    if (!arm) return;
    // Every assigned unit enters the funnel; a stage counts units flagged at it and at every earlier stage.
    arm[0]++;
    for (let s = 0; s < cols.length; s++) {
      if (toBinary(flags[s][i]) !== 1) break;
      arm[s + 1]++;
    }
  });
  return { names: ['assigned', ...cols], control: counts.control, treatment: counts.treatment };
}

/**
 * The read-out of a user-level table from a backend's aggregates (a warehouse table, the local
 * column store): the same result runAnalysis gives on the table's rows, with only per-variant
 * sufficient statistics crossing the backend interface. A/B, A/B/n, ratio metrics and CUPED.
 */
export async function analyzeFromAggregates(src: AggregateSource, input: AnalyzeParsed, o: RunOptions = {}): Promise<ExperimentAnalysis> {
  if (!input.variant_column) throw new IafaError('validation', 'A user-level table needs variant_column (the column holding control/treatment).');
  const arms = treatmentList(input);
  if (arms.length <= 1 && input.planned_split && input.planned_split.length !== 2) {
    throw new IafaError('validation', `The planned split has ${input.planned_split.length} weights; a two-arm analysis needs 2 (control, treatment).`);
  }
  const { variants } = await src.aggregates({ variantColumn: input.variant_column, metrics: [] });
  const values = variants.map((v) => v.variant);
  if (arms.length > 1) {
    const control = input.control ?? guessControl(values, input.variant_column, arms);
    const list = checkArms(control, arms, input.planned_split);
    for (const arm of list) pickPair(variants, input.variant_column, control, arm);
    const spec: AggregatePlanInput = { ...planInput(input), control, treatments: list };
    const plan = aggregatePlan(src.columns, spec);
    const agg = await src.aggregates(plan.spec);
    const prepared: PreparedExperiment[] = [];
    for (const arm of list) prepared.push(preparePair(await pairSegments(src, plan, agg, control, arm), plan, spec, control, arm, []));
    const others = values.filter((v) => v !== control && !list.includes(v)).sort();
    return analyzeArms(control, list, prepared, others, analyzeOptions(input, o));
  }
  const pair = pickPair(variants, input.variant_column, input.control, arms[0] ?? input.treatment);
  const spec: AggregatePlanInput = { ...planInput(input), control: pair.control, treatments: [pair.treatment] };
  const plan = aggregatePlan(src.columns, spec);
  const agg = await src.aggregates(plan.spec);
  return analyzePrepared(preparePair(agg, plan, spec, pair.control, pair.treatment, pair.others), analyzeOptions(input, o));
}

/** Causal interpretation from aggregates: randomisation, balance (per-variant value counts), temporal stability, heterogeneity, stages. */
export async function causalFromAggregates(src: AggregateSource, raw: CausalParsed, o: RunOptions = {}): Promise<CausalResult> {
  if (!raw.variant_column) throw new IafaError('validation', 'A user-level table needs variant_column (the column holding control/treatment).');
  const arms = treatmentList(raw);
  const input: CausalParsed = arms.length
    ? { ...raw, treatment: raw.treatment && arms.includes(raw.treatment) ? raw.treatment : arms[0], treatments: undefined }
    : raw;
  if (input.planned_split && input.planned_split.length !== 2) {
    throw new IafaError('validation', `The planned split has ${input.planned_split.length} weights; a two-arm analysis needs 2 (control, treatment).`);
  }
  const { variants } = await src.aggregates({ variantColumn: raw.variant_column, metrics: [] });
  const pair = pickPair(variants, raw.variant_column, input.control, input.treatment);
  const balanceColumns = input.balance_columns ?? segmentList(input.segment_by);
  for (const c of input.stage_columns ?? []) if (!src.columns.includes(c)) throw new IafaError('validation', `The stage column "${c}" does not exist.`);
  const spec: AggregatePlanInput = {
    ...planInput(input),
    control: pair.control,
    treatments: [pair.treatment],
    balanceBy: balanceColumns,
    stageColumns: input.stage_columns,
  };
  const plan = aggregatePlan(src.columns, spec);
  const agg = await src.aggregates(plan.spec);
  const prepared = preparePair(agg, plan, spec, pair.control, pair.treatment, pair.others);
  if (arms.length > 1)
    prepared.warnings.push(
      `Causal checks compare ${input.treatment} with control; the other arms (${arms.filter((a) => a !== input.treatment).join(', ')}) are read in the A/B/n analysis.`,
    );
  const analysis = analyzePrepared(prepared, analyzeOptions(input, o));
  const balance = balanceColumns.length
    ? balanceRows(balanceColumns, (column) => {
        const b = agg.balance?.[column] ?? { values: [], other: {} as Record<string, number> };
        const entries = b.values
          .map((v): [string, [number, number]] => [v.value, [v.byVariant[pair.control] ?? 0, v.byVariant[pair.treatment] ?? 0]])
          .filter(([, t]) => t[0] + t[1] > 0);
        return pooledBalance(entries, [b.other[pair.control] ?? 0, b.other[pair.treatment] ?? 0]);
      })
    : [];
  return causalAnalysis(prepared, analysis, {
    alpha: input.alpha,
    externalFactors: input.external_factors,
    table: null,
    balance,
    balanceColumns,
    provenance: o.provenance,
    now: o.now,
  });
}

/**
 * A segment column with more values than are split was cut over all arms; each pair's read-out
 * cuts it over its own two arms (as the row read-out does), so those columns are asked again per pair.
 */
async function pairSegments(
  src: AggregateSource,
  plan: ReturnType<typeof aggregatePlan>,
  agg: ExperimentAggregates,
  control: string,
  arm: string,
): Promise<ExperimentAggregates> {
  const cut = Object.entries(agg.segments)
    .filter(([, s]) => s.distinct > s.values.length)
    .map(([c]) => c);
  if (!cut.length) return agg;
  const p = plan.primary;
  const again = await src.aggregates({
    variantColumn: plan.spec.variantColumn,
    variants: [control, arm],
    metrics: p.column ? [p.column] : [],
    ...(p.ratio ? { joints: [[p.ratio.numerator, p.ratio.denominator]], primaryJoint: 0 } : {}),
    segmentBy: cut,
    maxSegmentValues: plan.spec.maxSegmentValues,
  });
  return { ...agg, segments: { ...agg.segments, ...again.segments } };
}

function planInput(input: AnalyzeParsed): Omit<AggregatePlanInput, 'control' | 'treatments'> {
  return {
    variantColumn: input.variant_column as string,
    metrics: input.metrics,
    guardrails: input.guardrails,
    segmentBy: segmentList(input.segment_by),
    dateColumn: input.date_column,
    covariate: input.covariate,
    lowerIsBetter: input.lower_is_better,
  };
}
