import type { AnalyzeInput, MetricSpec } from '../../../../shared/contract/experiments';
import type { ColumnInfo, Dataset } from '../../../../shared/contract';
import { num } from './fields';

/** The analyzer's and the causal panel's shared setup: one experiment, two views of it. */
export interface AnalysisConfig {
  datasetId: string;
  variantColumn: string;
  control: string;
  /** One treatment value, or several separated by commas (A/B/n: each arm against control). */
  treatment: string;
  primary: string;
  /** A ratio metric over two user columns ("revenue/sessions"), added after the secondary metrics; empty = none. */
  ratio?: string;
  /** '' = the Settings default. */
  engine?: '' | 'frequentist' | 'bayesian';
  /** Bayesian: sd of a normal prior on the relative lift, percent (empty = flat prior). */
  priorSd?: string;
  secondary: string[];
  /** Guardrail column → non-inferiority margin in percent (relative). */
  guardrails: Record<string, string>;
  segmentBy: string;
  dateColumn: string;
  /** Planned share of units in treatment, percent (SRM is tested against it). */
  treatmentShare: string;
  /** The design's relative MDE in percent, for "power at the planned effect"; empty = not given. */
  plannedMde: string;
  /** Always-valid (mSPRT) p-value, for results that were looked at daily. */
  sequential: boolean;
  alpha: string;
  correction: 'holm' | 'bh' | 'bonferroni';
}

/** The treatment arms named in the config (comma-separated values, trimmed, duplicates dropped). */
export function treatmentArms(c: Pick<AnalysisConfig, 'treatment'>): string[] {
  return [
    ...new Set(
      c.treatment
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  ];
}

export const EMPTY_CONFIG: AnalysisConfig = {
  datasetId: '',
  variantColumn: '',
  control: '',
  treatment: '',
  primary: '',
  ratio: '',
  engine: '',
  secondary: [],
  guardrails: {},
  segmentBy: '',
  dateColumn: '',
  treatmentShare: '50',
  plannedMde: '',
  sequential: false,
  alpha: '0.05',
  correction: 'holm',
};

const NOT_METRIC = new Set(['user', 'variant', 'time', 'date', 'event', 'ignore']);

export function metricColumns(d: Dataset | null): ColumnInfo[] {
  if (d?.kind === 'aggregated') return stageRatios(d);
  return (d?.columns ?? []).filter((c) => (c.type === 'number' || c.type === 'boolean') && !NOT_METRIC.has(c.role));
}

/**
 * An aggregated export (e.g. a control + treatment pair imported together) is compared on rates
 * between its stage counts: each stage over the one before, then over the first stage. Listed as
 * rate metrics ("Enrollments/Clicks"), the form the engine reads for aggregated data.
 */
function stageRatios(d: Dataset): ColumnInfo[] {
  const stages = d.columns.filter((c) => c.role === 'count').map((c) => c.name);
  const pairs = stages.slice(1).map((s, i) => [s, stages[i]]);
  for (let i = 2; i < stages.length; i++) pairs.push([stages[i], stages[0]]);
  return pairs.map(([num, den]) => ({ name: `${num}/${den}`, role: 'metric', type: 'boolean' }));
}

/** Low-cardinality columns (text, yes/no, or small integer codes like platform_os) can split users into segments. */
export function segmentColumns(d: Dataset | null, variantColumn: string): ColumnInfo[] {
  return (d?.columns ?? []).filter(
    (c) =>
      c.name !== variantColumn &&
      c.role !== 'user' &&
      c.role !== 'time' &&
      (c.distinct === undefined || c.distinct <= 50) &&
      (c.type === 'string' || c.type === 'boolean' || (c.type === 'number' && c.distinct !== undefined && c.distinct > 2 && c.distinct <= 20)),
  );
}

/** Columns that can date each row, for the daily effect and the temporal-stability check. */
export function dateColumns(d: Dataset | null): ColumnInfo[] {
  return (d?.columns ?? []).filter((c) => c.type === 'date' || c.type === 'timestamp' || c.role === 'date' || c.role === 'time' || /date|day/i.test(c.name));
}

export function variantCandidates(d: Dataset | null): ColumnInfo[] {
  return (d?.columns ?? []).filter((c) => c.type === 'string' || c.type === 'boolean' || c.role === 'variant');
}

/**
 * A pair of files imported as one dataset carries its arms in a constant column, one value per
 * file (mapping.constants, then each mapping.also[i].mapping.constants), in the order imported:
 * the first file is the control.
 */
export function constantArms(d: Dataset): { column: string; values: string[] } | null {
  type Constants = { constants?: Record<string, string> };
  const first = (d.mapping as Constants).constants ?? {};
  const column = Object.keys(first)[0];
  if (!column) return null;
  const also = (d.mapping.also as { mapping?: Constants }[] | undefined) ?? [];
  const values = [first[column], ...also.map((a) => a.mapping?.constants?.[column])].filter((v): v is string => typeof v === 'string');
  return { column, values: [...new Set(values)] };
}

/** Sensible starting choices for a freshly picked dataset; the user can change every one. */
export function defaultsFor(d: Dataset): AnalysisConfig {
  const mapped = typeof d.mapping.variant === 'string' ? d.mapping.variant : '';
  const arms = constantArms(d);
  const variant =
    d.columns.find((c) => c.name === mapped) ?? d.columns.find((c) => c.role === 'variant') ?? d.columns.find((c) => c.name === arms?.column) ?? null;
  const values = variant && variant.name === arms?.column ? arms.values : [...(variant?.sample ?? [])].sort();
  // Yes/no columns first: a conversion-style metric is the usual primary one.
  const metrics = [...metricColumns(d)].sort((a, b) => Number(b.type === 'boolean' || b.distinct === 2) - Number(a.type === 'boolean' || a.distinct === 2));
  return {
    ...EMPTY_CONFIG,
    datasetId: d.id,
    variantColumn: variant?.name ?? '',
    control: values[0] ?? '',
    treatment: values[1] ?? '',
    primary: metrics[0]?.name ?? '',
    dateColumn: dateColumns(d)[0]?.name ?? '',
  };
}

export function toAnalyzeInput(c: AnalysisConfig): { input: AnalyzeInput | null; problem: string | null } {
  if (!c.datasetId) return { input: null, problem: 'Pick or import a user-level table.' };
  if (!c.variantColumn) return { input: null, problem: 'Choose the column that names the variant.' };
  const arms = treatmentArms(c);
  if (!c.control.trim() || !arms.length) return { input: null, problem: 'Enter the control and treatment values of the variant column.' };
  if (arms.includes(c.control.trim())) return { input: null, problem: 'Control and treatment must be different values.' };
  if (!c.primary) return { input: null, problem: 'Choose the primary metric.' };
  const alpha = num(c.alpha);
  if (alpha === null || !(alpha > 0 && alpha < 0.5)) return { input: null, problem: 'Alpha is a fraction below 0.5, e.g. 0.05.' };
  const share = num(c.treatmentShare ?? '50');
  if (share === null || !(share > 0 && share < 100)) return { input: null, problem: 'Planned treatment share: a percentage between 0 and 100, e.g. 50.' };
  const mde = (c.plannedMde ?? '').trim() === '' ? null : num(c.plannedMde);
  if (mde !== null && !(mde > 0)) return { input: null, problem: 'Planned MDE must be above 0 (or leave it empty).' };
  if (arms.length > 1 && share !== 50)
    return {
      input: null,
      problem: 'The planned treatment share applies to two arms; with several arms the split is checked against equal shares (leave it at 50%).',
    };
  const priorSd = (c.priorSd ?? '').trim() === '' ? null : num(c.priorSd ?? '');
  if (priorSd !== null && !(priorSd > 0)) return { input: null, problem: 'Prior sd: a percentage above 0 (or leave it empty for a flat prior).' };
  const r = (c.ratio ?? '').trim();
  const ratio = /^[^/]+\/[^/]+$/.test(r) ? r : '';
  const metrics: MetricSpec[] = [c.primary, ...c.secondary.filter((m) => m !== c.primary), ...(ratio && ratio !== c.primary ? [ratio] : [])];
  const guardrails = Object.entries(c.guardrails).map(([metric, margin]) => ({
    metric,
    margin: Math.max(num(margin) ?? 2, 0.01) / 100,
    margin_type: 'relative' as const,
    direction: 'higher_is_better' as const,
  }));
  return {
    input: {
      datasetId: c.datasetId,
      variant_column: c.variantColumn,
      control: c.control.trim(),
      ...(arms.length > 1 ? { treatments: arms } : { treatment: arms[0] }),
      metrics,
      guardrails,
      alpha,
      correction: c.correction,
      ...(c.engine ? { engine: c.engine } : {}),
      ...(c.engine === 'bayesian' && priorSd !== null ? { prior: { mean: 0, sd: priorSd / 100 } } : {}),
      ...(c.segmentBy ? { segment_by: c.segmentBy } : {}),
      ...(c.dateColumn ? { date_column: c.dateColumn } : {}),
      ...(share !== 50 ? { planned_split: [100 - share, share] } : {}),
      ...(mde !== null ? { mde: mde / 100, mde_type: 'relative' as const } : {}),
      ...(c.sequential ? { sequential: {} } : {}),
    },
    problem: null,
  };
}
