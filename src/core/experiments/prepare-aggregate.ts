import { IafaError, type MetricSpec } from '../../shared/contract';
import type { MetricData } from './metrics';
import { dailyPoint, snapshot } from './prepare-table';
import { asRatio, guardrailInputs, metricName, requireMetrics, type PreparedExperiment, type RawGuardrail } from './prepared';
import { requireColumn, rowCount, toNumber, type Table } from './table';

export interface AggregatedPairSpec {
  metrics: readonly MetricSpec[];
  guardrails?: readonly RawGuardrail[];
  dateColumn?: string;
  srmColumn?: string;
  stageColumns?: readonly string[];
  lowerIsBetter?: readonly string[];
  controlLabel?: string;
  treatmentLabel?: string;
}

/** Rows of the two exports matched by date (or by position when there is no date column). */
function alignRows(c: Table, t: Table, dateColumn?: string): { pairs: [number, number][]; keys: string[]; warnings: string[] } {
  const warnings: string[] = [];
  const dc = dateColumn ?? Object.keys(c.columns).find((k) => /^(date|day)$/i.test(k.trim()));
  if (dc && c.columns[dc] && t.columns[dc]) {
    const tIndex = new Map<string, number>();
    t.columns[dc].forEach((v, i) => v !== null && tIndex.set(String(v), i));
    const pairs: [number, number][] = [];
    const keys: string[] = [];
    c.columns[dc].forEach((v, i) => {
      const j = v === null ? undefined : tIndex.get(String(v));
      if (j !== undefined) {
        pairs.push([i, j]);
        keys.push(String(v));
      }
    });
    const unmatched = rowCount(c) + rowCount(t) - 2 * pairs.length;
    if (unmatched > 0) warnings.push(`${unmatched} rows whose ${dc} appears in only one of the two files were left out.`);
    return { pairs, keys, warnings };
  }
  if (dateColumn) throw new IafaError('validation', `The date column "${dateColumn}" is missing from one of the two files.`);
  const n = Math.min(rowCount(c), rowCount(t));
  if (rowCount(c) !== rowCount(t)) warnings.push(`The two files have different row counts (${rowCount(c)} vs ${rowCount(t)}); rows were matched by position.`);
  return { pairs: Array.from({ length: n }, (_, i) => [i, i] as [number, number]), keys: Array.from({ length: n }, (_, i) => `row ${i + 1}`), warnings };
}

function sumWhereAll(tab: Table, cols: readonly string[], rows: readonly number[]): number[] {
  return cols.map((col) => rows.reduce((acc, i) => acc + (toNumber(tab.columns[col][i]) ?? 0), 0));
}

export function prepareAggregatedPair(control: Table, treatment: Table, spec: AggregatedPairSpec): PreparedExperiment {
  requireMetrics(spec.metrics);
  const { pairs, keys, warnings } = alignRows(control, treatment, spec.dateColumn);
  const names = Object.keys(control.columns);
  const ratio = (s: MetricSpec) => {
    const r = asRatio(s, names);
    if (!r) throw new IafaError('validation', `"${metricName(s)}": in aggregated exports a metric is a ratio of two count columns, e.g. Enrollments/Clicks.`);
    for (const col of [r.numerator, r.denominator]) {
      requireColumn(control, col, 'count');
      requireColumn(treatment, col, 'count');
    }
    return r;
  };
  /** Pairs of rows where every given column has a value in both files. */
  const usable = (cols: readonly string[]) =>
    pairs.filter(([i, j]) => cols.every((col) => toNumber(control.columns[col][i]) !== null && toNumber(treatment.columns[col][j]) !== null));
  const build = (s: MetricSpec, subset?: [number, number][]): MetricData => {
    const r = ratio(s);
    const rows = subset ?? usable([r.numerator, r.denominator]);
    const [xc, nc] = sumWhereAll(
      control,
      [r.numerator, r.denominator],
      rows.map((p) => p[0]),
    );
    const [xt, nt] = sumWhereAll(
      treatment,
      [r.numerator, r.denominator],
      rows.map((p) => p[1]),
    );
    for (const [x, n, arm] of [
      [xc, nc, 'control'],
      [xt, nt, 'treatment'],
    ] as const) {
      if (!Number.isInteger(x) || !Number.isInteger(n) || x < 0)
        throw new IafaError('validation', `${r.name}: the ${arm} counts must be non-negative whole numbers.`);
      if (x > n) throw new IafaError('validation', `${r.name}: the ${arm} numerator (${x}) exceeds its denominator (${n}), so it is not a rate.`);
    }
    return { kind: 'rate', name: r.name, control: { successes: xc, n: nc }, treatment: { successes: xt, n: nt } };
  };
  const metrics = spec.metrics.map((s) => build(s));
  const primarySpec = ratio(spec.metrics[0]);
  const primaryRows = usable([primarySpec.numerator, primarySpec.denominator]);
  if (primaryRows.length < pairs.length) {
    warnings.push(
      `${primarySpec.name}: computed on the ${primaryRows.length} of ${pairs.length} days where ${primarySpec.numerator} and ${primarySpec.denominator} exist in both files.`,
    );
  }
  const guardrails = guardrailInputs(spec.guardrails ?? [], spec.lowerIsBetter ?? []).map((g) => ({ data: build(g.spec), rule: g.rule }));

  const srmCol = spec.srmColumn ?? primarySpec.denominator;
  requireColumn(control, srmCol, 'SRM count');
  requireColumn(treatment, srmCol, 'SRM count');
  const srmRows = spec.srmColumn ? usable([srmCol]) : primaryRows;
  const srmCounts: [number, number] = [
    sumWhereAll(
      control,
      [srmCol],
      srmRows.map((p) => p[0]),
    )[0],
    sumWhereAll(
      treatment,
      [srmCol],
      srmRows.map((p) => p[1]),
    )[0],
  ];

  const daily: PreparedExperiment['daily'] = [];
  const looks: PreparedExperiment['looks'] = [];
  const cum: [number, number][] = [];
  primaryRows.forEach((p) => {
    const k = keys[pairs.indexOf(p)];
    daily.push(dailyPoint(k, build(spec.metrics[0], [p])));
    cum.push(p);
    looks.push(snapshot(build(spec.metrics[0], cum)));
  });

  let stageData: PreparedExperiment['stageData'] = null;
  if (spec.stageColumns?.length) {
    for (const col of spec.stageColumns) {
      requireColumn(control, col, 'stage');
      requireColumn(treatment, col, 'stage');
    }
    const rows = usable(spec.stageColumns);
    stageData = {
      names: [...spec.stageColumns],
      control: sumWhereAll(
        control,
        spec.stageColumns,
        rows.map((p) => p[0]),
      ),
      treatment: sumWhereAll(
        treatment,
        spec.stageColumns,
        rows.map((p) => p[1]),
      ),
    };
    if (rows.length < pairs.length) warnings.push(`Funnel stages: computed on the ${rows.length} days where every stage column has a value in both files.`);
  }
  return {
    source: 'aggregated_pair',
    variantColumn: null,
    controlLabel: spec.controlLabel ?? 'control',
    treatmentLabel: spec.treatmentLabel ?? 'treatment',
    metrics,
    guardrails,
    srmCounts,
    srmUnit: `${srmCol} (summed)`,
    segments: [],
    segmentBy: [],
    daily,
    looks,
    stageData,
    warnings,
  };
}

export interface StageCounts {
  names: readonly string[];
  control: readonly number[];
  treatment: readonly number[];
}

/**
 * Funnel stage counts per arm (an event log with a variant property, run through the funnel
 * engine once per arm). A metric is a stage name (conversion from the first stage) or "A/B".
 */
export function prepareFunnelStages(
  stages: StageCounts,
  spec: { metrics: readonly MetricSpec[]; guardrails?: readonly RawGuardrail[]; lowerIsBetter?: readonly string[] },
): PreparedExperiment {
  const k = stages.names.length;
  if (k < 2) throw new IafaError('validation', 'A funnel needs at least 2 stages.');
  if (stages.control.length !== k || stages.treatment.length !== k) throw new IafaError('validation', 'Each arm needs one count per stage.');
  const idx = (name: string) => {
    const i = stages.names.indexOf(name);
    if (i < 0) throw new IafaError('validation', `Unknown stage "${name}". Stages: ${stages.names.join(', ')}.`);
    return i;
  };
  const build = (s: MetricSpec): MetricData => {
    const r =
      typeof s === 'string' && stages.names.includes(s)
        ? { numerator: s, denominator: stages.names[0], name: `${s} / ${stages.names[0]}` }
        : asRatio(s, [...stages.names]);
    if (!r) throw new IafaError('validation', `Unknown stage "${metricName(s)}". Stages: ${stages.names.join(', ')}.`);
    const [a, b] = [idx(r.numerator), idx(r.denominator)];
    for (const [arm, c] of [
      ['control', stages.control],
      ['treatment', stages.treatment],
    ] as const) {
      if (c[a] > c[b]) throw new IafaError('validation', `${r.name}: the ${arm} count of ${r.numerator} exceeds ${r.denominator}.`);
    }
    return {
      kind: 'rate',
      name: r.name,
      control: { successes: stages.control[a], n: stages.control[b] },
      treatment: { successes: stages.treatment[a], n: stages.treatment[b] },
    };
  };
  const specs = spec.metrics.length ? spec.metrics : [stages.names[k - 1]];
  return {
    source: 'funnel_stages',
    variantColumn: null,
    controlLabel: 'control',
    treatmentLabel: 'treatment',
    metrics: specs.map(build),
    guardrails: guardrailInputs(spec.guardrails ?? [], spec.lowerIsBetter ?? []).map((g) => ({ data: build(g.spec), rule: g.rule })),
    srmCounts: [stages.control[0], stages.treatment[0]],
    srmUnit: `users entering ${stages.names[0]}`,
    segments: [],
    segmentBy: [],
    daily: [],
    looks: [],
    stageData: { names: [...stages.names], control: [...stages.control], treatment: [...stages.treatment] },
    warnings: [],
  };
}
