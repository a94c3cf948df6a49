import { chiSquareSf, normalQuantile, normalSf, tQuantile } from './distributions';

/**
 * Two-proportion comparisons. Convention everywhere: group 1 = control, group 2 = treatment,
 * differences are treatment − control, rates are fractions (0..1). Functions throw a RangeError
 * on inputs where a statistic does not exist; callers (experiments/) turn that into a flagged
 * "not tested" result with the reason.
 */

export interface Proportion {
  successes: number;
  n: number;
}

export interface Interval {
  lower: number;
  upper: number;
}

export interface TwoProportionTest {
  control_rate: number;
  treatment_rate: number;
  difference: number;
  pooled_rate: number;
  se_pooled: number;
  z: number;
  p_value: number;
}

function check(p: Proportion, label: string): void {
  if (!Number.isInteger(p.n) || p.n <= 0) throw new RangeError(`${label}: sample size must be a positive integer (got ${p.n})`);
  if (!Number.isInteger(p.successes) || p.successes < 0 || p.successes > p.n) {
    throw new RangeError(`${label}: successes must be an integer between 0 and n (got ${p.successes} of ${p.n})`);
  }
}

function zFor(alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  return normalQuantile(1 - alpha / 2);
}

/**
 * Pooled two-sided z-test (the classic test; equals statsmodels proportions_ztest and R's
 * prop.test without continuity correction). Undefined when both groups are all-0 or all-1.
 */
export function twoProportionZTest(control: Proportion, treatment: Proportion): TwoProportionTest {
  check(control, 'control');
  check(treatment, 'treatment');
  const p1 = control.successes / control.n;
  const p2 = treatment.successes / treatment.n;
  const pooled = (control.successes + treatment.successes) / (control.n + treatment.n);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / control.n + 1 / treatment.n));
  if (!(se > 0)) {
    throw new RangeError(`both groups have a ${pooled === 0 ? '0%' : '100%'} rate, so there is no variance to test a difference`);
  }
  const z = (p2 - p1) / se;
  return { control_rate: p1, treatment_rate: p2, difference: p2 - p1, pooled_rate: pooled, se_pooled: se, z, p_value: Math.min(1, 2 * normalSf(Math.abs(z))) };
}

/** Unpooled Wald interval for p2 − p1 (zero width when both groups are degenerate). */
export function waldDiffCI(control: Proportion, treatment: Proportion, alpha = 0.05): Interval {
  check(control, 'control');
  check(treatment, 'treatment');
  const p1 = control.successes / control.n;
  const p2 = treatment.successes / treatment.n;
  const se = Math.sqrt((p1 * (1 - p1)) / control.n + (p2 * (1 - p2)) / treatment.n);
  const z = zFor(alpha);
  return { lower: p2 - p1 - z * se, upper: p2 - p1 + z * se };
}

/** Wilson score interval for one proportion. */
export function wilsonCI(p: Proportion, alpha = 0.05): Interval {
  check(p, 'proportion');
  const z = zFor(alpha);
  const phat = p.successes / p.n;
  const z2 = z * z;
  const denom = 1 + z2 / p.n;
  const centre = (phat + z2 / (2 * p.n)) / denom;
  const half = (z * Math.sqrt((phat * (1 - phat)) / p.n + z2 / (4 * p.n * p.n))) / denom;
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/** Newcombe's hybrid score interval (method 10) for p2 − p1: better coverage than Wald near 0 or 1. */
export function newcombeDiffCI(control: Proportion, treatment: Proportion, alpha = 0.05): Interval {
  const p1 = control.successes / control.n;
  const p2 = treatment.successes / treatment.n;
  const w1 = wilsonCI(control, alpha);
  const w2 = wilsonCI(treatment, alpha);
  const d = p2 - p1;
  return {
    lower: d - Math.sqrt((p2 - w2.lower) ** 2 + (w1.upper - p1) ** 2),
    upper: d + Math.sqrt((w2.upper - p2) ** 2 + (p1 - w1.lower) ** 2),
  };
}

export interface RelativeLift {
  /** p2/p1 − 1 as a fraction. */
  lift: number;
  se: number;
  ci: Interval;
}

/**
 * Relative lift r = m2/m1 − 1 with a delta-method standard error:
 * Var(m2/m1) ≈ Var(m2)/m1² + m2²·Var(m1)/m1⁴ (independent groups). Works for rates and means
 * (pass each group's estimate and the variance of that estimate). With `df` the interval uses
 * Student's t with those degrees of freedom (the Welch df of a mean comparison, as gbstats does),
 * so a mean metric's relative interval has the same reference distribution as its absolute one.
 */
export function relativeLiftDelta(m1: number, var1: number, m2: number, var2: number, alpha = 0.05, df?: number): RelativeLift {
  if (m1 === 0) throw new RangeError('the control value is 0, so a relative lift is undefined');
  const lift = m2 / m1 - 1;
  const se = Math.sqrt(var2 / (m1 * m1) + (m2 * m2 * var1) / m1 ** 4);
  const z = df !== undefined && Number.isFinite(df) ? tQuantile(1 - alpha / 2, df) : zFor(alpha);
  return { lift, se, ci: { lower: lift - z * se, upper: lift + z * se } };
}

export function relativeLiftProportions(control: Proportion, treatment: Proportion, alpha = 0.05): RelativeLift {
  check(control, 'control');
  check(treatment, 'treatment');
  const p1 = control.successes / control.n;
  const p2 = treatment.successes / treatment.n;
  return relativeLiftDelta(p1, (p1 * (1 - p1)) / control.n, p2, (p2 * (1 - p2)) / treatment.n, alpha);
}

/**
 * Fieller's interval for p2/p1 − 1 with the Wald variances: {ρ : (p2 − ρ·p1)² ≤ z²(v2 + ρ²·v1)}.
 * It excludes 0 exactly when the Wald interval of the difference excludes 0, so the relative and
 * absolute intervals shown side by side never contradict each other (a symmetric delta-method
 * interval can: it crosses 0 while the difference's interval does not, e.g. on AdSmart). Null
 * when the control rate itself is not distinguishable from 0 (the interval is unbounded).
 */
export function fiellerLift(control: Proportion, treatment: Proportion, alpha = 0.05): Interval | null {
  check(control, 'control');
  check(treatment, 'treatment');
  const p1 = control.successes / control.n;
  const p2 = treatment.successes / treatment.n;
  const v1 = (p1 * (1 - p1)) / control.n;
  const v2 = (p2 * (1 - p2)) / treatment.n;
  const z2 = zFor(alpha) ** 2;
  const a = p1 * p1 - z2 * v1;
  const b = p1 * p2;
  const c = p2 * p2 - z2 * v2;
  const disc = b * b - a * c;
  if (!(a > 0) || disc < 0) return null;
  const r = Math.sqrt(disc);
  return { lower: (b - r) / a - 1, upper: (b + r) / a - 1 };
}

export type EffectSizeLabel = 'negligible' | 'small' | 'medium' | 'large';

/** Cohen's conventional thresholds (0.2 / 0.5 / 0.8), shared by h and d. */
export function effectSizeLabel(es: number): EffectSizeLabel {
  const a = Math.abs(es);
  if (a < 0.2) return 'negligible';
  if (a < 0.5) return 'small';
  if (a < 0.8) return 'medium';
  return 'large';
}

/** Cohen's h = 2·asin√p2 − 2·asin√p1. */
export function cohensH(p1: number, p2: number): number {
  return 2 * Math.asin(Math.sqrt(p2)) - 2 * Math.asin(Math.sqrt(p1));
}

export interface ChiSquareResult {
  statistic: number;
  df: number;
  p_value: number;
  expected: number[][];
}

/**
 * Pearson chi-square test of independence on an r×c table of counts (rows/columns that are all
 * zero are dropped, as they carry no information). `yates` applies the 2×2 continuity correction.
 */
export function chiSquareIndependence(table: number[][], yates = false): ChiSquareResult {
  const rows = table.filter((r) => r.some((v) => v > 0));
  if (rows.length < 2) throw new RangeError('the table needs at least two non-empty rows');
  const nCol = rows[0].length;
  const keepCols = Array.from({ length: nCol }, (_, j) => rows.some((r) => r[j] > 0));
  const t = rows.map((r) => r.filter((_, j) => keepCols[j]));
  const c = t[0].length;
  if (c < 2) throw new RangeError('the table needs at least two non-empty columns');
  const rowSums = t.map((r) => r.reduce((a, b) => a + b, 0));
  const colSums = Array.from({ length: c }, (_, j) => t.reduce((a, r) => a + r[j], 0));
  const total = rowSums.reduce((a, b) => a + b, 0);
  const expected = t.map((_, i) => colSums.map((cs) => (rowSums[i] * cs) / total));
  const useYates = yates && t.length === 2 && c === 2;
  let stat = 0;
  for (let i = 0; i < t.length; i++) {
    for (let j = 0; j < c; j++) {
      const diff = Math.abs(t[i][j] - expected[i][j]);
      const adj = useYates ? Math.max(0, diff - 0.5) : diff;
      stat += (adj * adj) / expected[i][j];
    }
  }
  const df = (t.length - 1) * (c - 1);
  return { statistic: stat, df, p_value: chiSquareSf(stat, df), expected };
}
