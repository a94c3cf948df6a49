import type { CausalResult } from '../../shared/contract/experiments';
import { chiSquareIndependence, chiSquareSf, holm, normalSf } from '../stats';
import { compareMetric, untestableReason, type MetricData } from './metrics';
import type { PreparedExperiment } from './prepared';
import { cellKey, requireColumn, type Table } from './table';
import { plural } from '../../shared/plural';

type Confounding = CausalResult['confounding_check'];

/** Categories with fewer units than this are pooled into "(other)": sparse cells break the chi-square approximation. */
export const MIN_CATEGORY_UNITS = 10;
const MAX_CATEGORIES = 50;
/** Balance is flagged at the SRM threshold: only strong evidence of broken randomization should fail it. */
export const BALANCE_THRESHOLD = 0.001;

/** 2×c table of units per arm and category, with rare categories pooled. */
export function balanceTable(
  table: Table,
  variantColumn: string,
  control: string,
  treatment: string,
  column: string,
): { categories: string[]; counts: [number[], number[]] } {
  const v = requireColumn(table, variantColumn, 'variant');
  const s = requireColumn(table, column, 'balance');
  const tally = new Map<string, [number, number]>();
  v.forEach((x, i) => {
    const k = x === null ? null : cellKey(x);
    if (k !== control && k !== treatment) return;
    const arm = k === control ? 0 : 1;
    const key = cellKey(s[i]);
    const t = tally.get(key) ?? [0, 0];
    t[arm]++;
    tally.set(key, t);
  });
  return pooledBalance([...tally.entries()]);
}

/**
 * Categories (value, [control units, treatment units]) sorted by size, the largest kept and the
 * rare ones pooled into "(other)" with `extraOther` (units of values a backend already summed).
 */
export function pooledBalance(
  entries: [string, [number, number]][],
  extraOther: [number, number] = [0, 0],
): { categories: string[]; counts: [number[], number[]] } {
  const sorted = entries.sort((a, b) => b[1][0] + b[1][1] - (a[1][0] + a[1][1]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const kept = sorted.filter(([, t], i) => t[0] + t[1] >= MIN_CATEGORY_UNITS && i < MAX_CATEGORIES);
  const other: [number, number] = [extraOther[0], extraOther[1]];
  for (const e of sorted) if (!kept.includes(e)) [other[0], other[1]] = [other[0] + e[1][0], other[1] + e[1][1]];
  const cats = kept.map(([k]) => k);
  const counts: [number[], number[]] = [kept.map(([, t]) => t[0]), kept.map(([, t]) => t[1])];
  if (other[0] + other[1] > 0) {
    cats.push('(other)');
    counts[0].push(other[0]);
    counts[1].push(other[1]);
  }
  return { categories: cats, counts };
}

export function balanceChecks(
  table: Table,
  variantColumn: string,
  control: string,
  treatment: string,
  columns: readonly string[],
): Confounding['selection_bias']['balance'] {
  return balanceRows(columns, (column) => balanceTable(table, variantColumn, control, treatment, column));
}

/** The chi-square balance test per column (Holm-adjusted across columns) from each column's 2×c table. */
export function balanceRows(
  columns: readonly string[],
  tableOf: (column: string) => { categories: string[]; counts: [number[], number[]] },
): Confounding['selection_bias']['balance'] {
  const rows = columns.map((column) => {
    const { categories, counts } = tableOf(column);
    if (categories.length < 2)
      return { column, statistic: null, df: null, p_value: null, p_value_adjusted: null, passed: true, note: 'only one category: nothing to compare' };
    try {
      const r = chiSquareIndependence(counts);
      return {
        column,
        statistic: r.statistic,
        df: r.df,
        p_value: r.p_value,
        p_value_adjusted: null as number | null,
        passed: true,
        note: null as string | null,
      };
    } catch (e) {
      return { column, statistic: null, df: null, p_value: null, p_value_adjusted: null, passed: true, note: (e as Error).message };
    }
  });
  const tested = rows.filter((r) => r.p_value !== null);
  holm(tested.map((r) => r.p_value as number)).forEach((p, i) => {
    tested[i].p_value_adjusted = p;
    tested[i].passed = p >= BALANCE_THRESHOLD;
  });
  return rows;
}

/**
 * Trend of the daily treatment − control difference: weighted least squares of the daily
 * difference on the day index with weights 1/Var(daily difference) (variances known from the
 * binomial / sample variances), slope tested with a z statistic.
 */
export function temporalCheck(p: PreparedExperiment, m: MetricData, alpha: number, overallDiff: number | null): Confounding['temporal_effects'] {
  const pts: { t: number; d: number; w: number }[] = [];
  p.daily.forEach((day, i) => {
    if (day.difference === null) return;
    const v = dailyVariance(p, i, m);
    if (v && v > 0) pts.push({ t: i, d: day.difference, w: 1 / v });
  });
  const base = { days: p.daily.length, slope: null, p_value: null, first_half_difference: null, second_half_difference: null };
  if (pts.length < 4) {
    return {
      ...base,
      status: 'not_checked',
      check: p.daily.length ? 'Fewer than 4 days with data in both arms: no trend test.' : 'No date column: the daily effect could not be checked.',
    };
  }
  const sw = pts.reduce((a, x) => a + x.w, 0);
  const tb = pts.reduce((a, x) => a + x.w * x.t, 0) / sw;
  const db = pts.reduce((a, x) => a + x.w * x.d, 0) / sw;
  const sxx = pts.reduce((a, x) => a + x.w * (x.t - tb) ** 2, 0);
  const slope = pts.reduce((a, x) => a + x.w * (x.t - tb) * (x.d - db), 0) / sxx;
  const pval = 2 * normalSf(Math.abs(slope / Math.sqrt(1 / sxx)));
  const half = Math.floor(pts.length / 2);
  const avg = (xs: typeof pts) => xs.reduce((a, x) => a + x.w * x.d, 0) / xs.reduce((a, x) => a + x.w, 0);
  const first = avg(pts.slice(0, half));
  const second = avg(pts.slice(half));
  const unit = m.kind === 'rate' ? ' pp' : '';
  const out = { ...base, days: pts.length, slope, p_value: pval, first_half_difference: first, second_half_difference: second };
  if (pval >= alpha)
    return {
      ...out,
      status: 'passed',
      check: `No trend in the daily effect over ${plural(pts.length, 'day')} (slope ${slope.toFixed(3)}${unit}/day, p = ${pval.toFixed(3)}).`,
    };
  const fading = overallDiff !== null && Math.sign(slope) !== Math.sign(overallDiff);
  return {
    ...out,
    status: 'warning',
    check: fading
      ? `The effect fades over time (slope ${slope.toFixed(3)}${unit}/day, p = ${pval < 0.001 ? '< 0.001' : pval.toFixed(3)}): a novelty effect may inflate the average; run longer before trusting it.`
      : `The effect grows over time (slope ${slope.toFixed(3)}${unit}/day, p = ${pval < 0.001 ? '< 0.001' : pval.toFixed(3)}): a learning effect; the long-run effect may be larger than the average.`,
  };
}

function dailyVariance(p: PreparedExperiment, i: number, m: MetricData): number | null {
  const d = p.daily[i];
  if (d.control_value === null || d.treatment_value === null || d.control_n === 0 || d.treatment_n === 0) return null;
  if (m.kind === 'rate') {
    const a = d.control_value / 100;
    const b = d.treatment_value / 100;
    return ((a * (1 - a)) / d.control_n + (b * (1 - b)) / d.treatment_n) * 1e4;
  }
  // Means: the per-day SD is not kept, so the overall SDs stand in (a fixed weight per unit).
  return m.control.sd ** 2 / d.control_n + m.treatment.sd ** 2 / d.treatment_n;
}

/** Cochran's Q across segment-level effects (inverse-variance weights): the interaction test. */
export function heterogeneityCheck(p: PreparedExperiment, alpha: number): Confounding['heterogeneity'] {
  const column = p.segmentBy[0] ?? null;
  const empty = { column, q: null, df: null, p_value: null };
  if (!column) return { ...empty, status: 'not_checked', check: 'No segment column given: heterogeneity was not checked.' };
  const effects = p.segments
    .filter((s) => s.column === column && untestableReason(s.data) === null)
    .map((s) => {
      const d = s.data;
      if (d.kind === 'rate') {
        const a = d.control.successes / d.control.n;
        const b = d.treatment.successes / d.treatment.n;
        return { value: s.value, d: b - a, v: (a * (1 - a)) / d.control.n + (b * (1 - b)) / d.treatment.n };
      }
      return { value: s.value, d: d.treatment.mean - d.control.mean, v: d.control.sd ** 2 / d.control.n + d.treatment.sd ** 2 / d.treatment.n };
    })
    .filter((e) => e.v > 0);
  if (effects.length < 2) return { ...empty, status: 'not_checked', check: `Fewer than 2 segments of "${column}" have enough data in both arms.` };
  const sw = effects.reduce((a, e) => a + 1 / e.v, 0);
  const mean = effects.reduce((a, e) => a + e.d / e.v, 0) / sw;
  const q = effects.reduce((a, e) => a + (e.d - mean) ** 2 / e.v, 0);
  const df = effects.length - 1;
  const pval = chiSquareSf(q, df);
  const signs = new Set(effects.map((e) => Math.sign(e.d)));
  if (pval >= alpha)
    return {
      column,
      q,
      df,
      p_value: pval,
      status: 'passed',
      check: `The effect is consistent across the ${effects.length} values of ${column} (Cochran's Q = ${q.toFixed(2)}, p = ${pval.toFixed(3)}).`,
    };
  return {
    column,
    q,
    df,
    p_value: pval,
    status: 'warning',
    check: `The effect differs across values of ${column} (Cochran's Q = ${q.toFixed(2)}, df = ${df}, p = ${pval < 0.001 ? '< 0.001' : pval.toFixed(3)})${signs.size > 1 ? ', with opposite directions in some segments' : ''}.`,
  };
}

export function externalFactorsCheck(
  raw: readonly (string | { description: string; impact: 'none' | 'possible' | 'confirmed' })[],
): Confounding['external_factors'] {
  // A plain sentence that starts with a negation ("No holidays") is read as "factor absent".
  const factors = raw.map((f) =>
    typeof f === 'string' ? { description: f, impact: /^\s*(no|none|without|not)\b/i.test(f) ? ('none' as const) : ('possible' as const) } : f,
  );
  if (!factors.length)
    return { status: 'not_checked', check: 'No external factors were given; holidays, launches and outages during the test are unknown.', factors };
  const confirmed = factors.filter((f) => f.impact === 'confirmed');
  const possible = factors.filter((f) => f.impact === 'possible');
  if (confirmed.length) return { status: 'failed', check: `External factor(s) affected the test: ${confirmed.map((f) => f.description).join('; ')}.`, factors };
  if (possible.length)
    return {
      status: 'warning',
      check: `Possible external factor(s): ${possible.map((f) => f.description).join('; ')}. Both arms were exposed equally, but the effect may not generalize.`,
      factors,
    };
  return { status: 'passed', check: `No external factors reported (${factors.map((f) => f.description).join('; ')}).`, factors };
}

/** Stage-by-stage step conversion lift: which step of the funnel moved, and by how much. */
export function mechanismChain(p: PreparedExperiment, alpha: number): CausalResult['mechanism']['causal_chain'] {
  const s = p.stageData;
  if (!s) return [];
  const steps: CausalResult['mechanism']['causal_chain'] = [];
  for (let i = 1; i < s.names.length; i++) {
    const data: MetricData = {
      kind: 'rate',
      name: `${s.names[i - 1]} → ${s.names[i]}`,
      control: { successes: s.control[i], n: s.control[i - 1] },
      treatment: { successes: s.treatment[i], n: s.treatment[i - 1] },
    };
    const bad = [0, 1].some((a) => (a ? s.treatment : s.control)[i] > (a ? s.treatment : s.control)[i - 1]);
    const m = bad ? null : compareMetric(data, alpha, 'higher_is_better');
    const moved = m?.significant
      ? `${(m.difference as number) > 0 ? 'rose' : 'fell'} by ${Math.abs(m.difference as number).toFixed(2)} pp`
      : 'did not change significantly';
    steps.push({
      step: i,
      cause: i === 1 ? `Treatment (${p.treatmentLabel})` : `Users reaching ${s.names[i - 1]}`,
      effect: bad
        ? `${data.name}: counts are not nested (a later stage exceeds an earlier one), so no step conversion`
        : `${data.name} step conversion ${moved}`,
      stage: s.names[i],
      control_rate: m?.control_value ?? null,
      treatment_rate: m?.treatment_value ?? null,
      difference: m?.difference ?? null,
      lift: m?.relative_lift ?? null,
      confidence_interval: m?.confidence_interval ?? null,
      p_value: m?.p_value ?? null,
      significant: m?.significant ?? false,
    });
  }
  return steps;
}
