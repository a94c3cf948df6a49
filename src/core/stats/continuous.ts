import { tQuantile, tTwoSidedP } from './distributions';
import type { Interval } from './proportions';

/** Summary of one sample; sd is the sample standard deviation (n − 1 denominator). */
export interface SampleSummary {
  mean: number;
  sd: number;
  n: number;
}

export function summarize(values: readonly number[]): SampleSummary {
  const n = values.length;
  if (n === 0) return { mean: NaN, sd: NaN, n: 0 };
  // Two-pass mean/variance: one-pass formulas lose digits on large, shifted data.
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return { mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : NaN, n };
}

export interface WelchResult {
  control_mean: number;
  treatment_mean: number;
  difference: number;
  se: number;
  t: number;
  df: number;
  p_value: number;
  ci: Interval;
}

/** Welch's unequal-variance t-test with Welch–Satterthwaite df; difference = treatment − control. */
export function welchTTest(control: SampleSummary, treatment: SampleSummary, alpha = 0.05): WelchResult {
  for (const [label, s] of [
    ['control', control],
    ['treatment', treatment],
  ] as const) {
    if (!(s.n >= 2)) throw new RangeError(`${label}: at least 2 observations are needed for a t-test (got ${s.n})`);
  }
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  const v1 = (control.sd * control.sd) / control.n;
  const v2 = (treatment.sd * treatment.sd) / treatment.n;
  const se = Math.sqrt(v1 + v2);
  if (!(se > 0)) throw new RangeError('both groups have zero variance, so a t-test is undefined');
  const df = (v1 + v2) ** 2 / ((v1 * v1) / (control.n - 1) + (v2 * v2) / (treatment.n - 1));
  const diff = treatment.mean - control.mean;
  const t = diff / se;
  const q = tQuantile(1 - alpha / 2, df);
  return {
    control_mean: control.mean,
    treatment_mean: treatment.mean,
    difference: diff,
    se,
    t,
    df,
    p_value: tTwoSidedP(t, df),
    ci: { lower: diff - q * se, upper: diff + q * se },
  };
}

/** Cohen's d with the pooled standard deviation. */
export function cohensD(control: SampleSummary, treatment: SampleSummary): number {
  const pooled = Math.sqrt(((control.n - 1) * control.sd ** 2 + (treatment.n - 1) * treatment.sd ** 2) / (control.n + treatment.n - 2));
  if (!(pooled > 0)) throw new RangeError("pooled standard deviation is 0, so Cohen's d is undefined");
  return (treatment.mean - control.mean) / pooled;
}
