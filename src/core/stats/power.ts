import { normalCdf, normalQuantile, tQuantile } from './distributions';
import { noncentralTCdf } from './noncentral';
import { findRoot } from './roots';

/**
 * Power and sample size for two-sided tests, reproducing R's power.prop.test and power.t.test
 * (strict = FALSE, i.e. the far rejection tail is ignored, no continuity correction). With k
 * variants each treatment is compared with control at alpha/(k−1) (Bonferroni), so the family
 * of k−1 primary comparisons keeps the overall false-positive rate at alpha.
 */

export type MdeType = 'relative' | 'absolute';

function checkUnit(x: number, name: string): void {
  if (!(x > 0 && x < 1)) throw new RangeError(`${name} must be between 0 and 1 (exclusive), got ${x}`);
}

/** Power of the pooled two-proportion test with n per group (power.prop.test's formula). */
export function twoProportionPower(p1: number, p2: number, n: number, alpha = 0.05): number {
  return twoProportionPowerUnequal(p1, p2, n, n, alpha);
}

/** Same with unequal groups: pooled SE under H0, unpooled under H1. */
export function twoProportionPowerUnequal(p1: number, p2: number, n1: number, n2: number, alpha = 0.05): number {
  checkUnit(alpha, 'alpha');
  if (!(n1 > 0 && n2 > 0)) throw new RangeError('group sizes must be positive');
  const d = Math.abs(p2 - p1);
  const pbar = (n1 * p1 + n2 * p2) / (n1 + n2);
  const se0 = Math.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2));
  const se1 = Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
  if (!(se1 > 0)) return d > 0 ? 1 : alpha / 2;
  return normalCdf((d - normalQuantile(1 - alpha / 2) * se0) / se1);
}

/** The treatment rate implied by a baseline and an MDE. */
export function targetRate(baseline: number, mde: number, mdeType: MdeType): number {
  checkUnit(baseline, 'baseline rate');
  if (!(mde > 0)) throw new RangeError(`the MDE must be positive, got ${mde}`);
  const p2 = mdeType === 'relative' ? baseline * (1 + mde) : baseline + mde;
  if (!(p2 < 1)) throw new RangeError(`baseline ${baseline} with MDE ${mde} (${mdeType}) implies a treatment rate of ${p2}, which is not below 100%`);
  return p2;
}

export function bonferroniAlpha(alpha: number, variants: number): number {
  if (!Number.isInteger(variants) || variants < 2) throw new RangeError(`an experiment needs at least 2 variants, got ${variants}`);
  return alpha / (variants - 1);
}

export interface SampleSizeResult {
  /** Rounded up: the number to plan with. */
  per_variant: number;
  /** Unrounded solution (what R's power.prop.test prints as n). */
  per_variant_exact: number;
  total: number;
  variants: number;
  alpha: number;
  alpha_per_comparison: number;
  power: number;
  control_rate: number;
  treatment_rate: number;
  mde_absolute: number;
  mde_relative: number;
}

export interface ProportionSampleSizeInput {
  baseline: number;
  mde: number;
  mdeType?: MdeType;
  alpha?: number;
  power?: number;
  variants?: number;
}

/** Per-variant n for a two-sided two-proportion test (closed form of power.prop.test). */
export function sampleSizeTwoProportions(input: ProportionSampleSizeInput): SampleSizeResult {
  const { baseline, mde, mdeType = 'relative', alpha = 0.05, power = 0.8, variants = 2 } = input;
  checkUnit(alpha, 'alpha');
  checkUnit(power, 'power');
  const a = bonferroniAlpha(alpha, variants);
  const p1 = baseline;
  const p2 = targetRate(baseline, mde, mdeType);
  const pbar = (p1 + p2) / 2;
  const num = normalQuantile(1 - a / 2) * Math.sqrt(2 * pbar * (1 - pbar)) + normalQuantile(power) * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  const exact = (num * num) / ((p2 - p1) * (p2 - p1));
  const per = Math.ceil(exact - 1e-9);
  return {
    per_variant: per,
    per_variant_exact: exact,
    total: per * variants,
    variants,
    alpha,
    alpha_per_comparison: a,
    power,
    control_rate: p1,
    treatment_rate: p2,
    mde_absolute: p2 - p1,
    mde_relative: p2 / p1 - 1,
  };
}

/** Smallest p2 > p1 detectable with n per group (power.prop.test solving for p2). */
export function mdeTwoProportions(
  baseline: number,
  n: number,
  alpha = 0.05,
  power = 0.8,
  variants = 2,
): { treatment_rate: number; mde_absolute: number; mde_relative: number } {
  checkUnit(baseline, 'baseline rate');
  checkUnit(power, 'power');
  const a = bonferroniAlpha(alpha, variants);
  if (!(n >= 2)) throw new RangeError(`n per variant must be at least 2, got ${n}`);
  const f = (p2: number) => twoProportionPower(baseline, p2, n, a) - power;
  const hi = 1 - 1e-12;
  if (f(hi) < 0) throw new RangeError(`even a 100% treatment rate is not detectable with ${n} per variant at power ${power}`);
  const p2 = findRoot(f, baseline, hi, 1e-14);
  return { treatment_rate: p2, mde_absolute: p2 - baseline, mde_relative: p2 / baseline - 1 };
}

/** Power of the two-sample two-sided t-test with n per group (power.t.test, strict = FALSE). */
export function meanPower(n: number, delta: number, sd: number, alpha = 0.05): number {
  if (!(n >= 2)) throw new RangeError(`n per variant must be at least 2, got ${n}`);
  if (!(sd > 0)) throw new RangeError(`the standard deviation must be positive, got ${sd}`);
  const df = 2 * (n - 1);
  const q = tQuantile(1 - alpha / 2, df);
  return 1 - noncentralTCdf(q, df, Math.sqrt(n / 2) * (Math.abs(delta) / sd));
}

export interface MeanSampleSizeInput {
  /** Absolute difference in means to detect. */
  delta: number;
  sd: number;
  alpha?: number;
  power?: number;
  variants?: number;
}

export function sampleSizeMeans(input: MeanSampleSizeInput): { per_variant: number; per_variant_exact: number; total: number; alpha_per_comparison: number } {
  const { delta, sd, alpha = 0.05, power = 0.8, variants = 2 } = input;
  checkUnit(alpha, 'alpha');
  checkUnit(power, 'power');
  if (!(delta !== 0 && Number.isFinite(delta))) throw new RangeError('the difference to detect must be non-zero');
  const a = bonferroniAlpha(alpha, variants);
  let hi = 1e7;
  while (meanPower(hi, delta, sd, a) < power) {
    hi *= 10;
    if (hi > 1e13) throw new RangeError('the effect is too small to detect with any feasible sample');
  }
  if (meanPower(2, delta, sd, a) >= power) return { per_variant: 2, per_variant_exact: 2, total: 2 * variants, alpha_per_comparison: a };
  const exact = findRoot((n) => meanPower(n, delta, sd, a) - power, 2, hi, 1e-10);
  const per = Math.ceil(exact - 1e-9);
  return { per_variant: per, per_variant_exact: exact, total: per * variants, alpha_per_comparison: a };
}

export interface DurationResult {
  /** Days of traffic the sample needs. */
  days_needed: number;
  /** Days to run: rounded up to full weeks when weekly cycles matter. */
  days: number;
  weeks: number;
  daily_in_experiment: number;
  rationale: string;
}

/**
 * Duration from daily eligible users and the share of them allocated to the experiment. Full
 * weeks are the default because most products have weekday/weekend cycles; stopping mid-week
 * over-weights some days.
 */
export function experimentDuration(totalSample: number, dailyUsers: number, allocation = 1, fullWeeks = true): DurationResult {
  if (!(dailyUsers > 0)) throw new RangeError(`daily users must be positive, got ${dailyUsers}`);
  if (!(allocation > 0 && allocation <= 1)) throw new RangeError(`allocation must be in (0, 1], got ${allocation}`);
  const daily = dailyUsers * allocation;
  const needed = Math.ceil(totalSample / daily - 1e-9);
  const weeks = Math.max(1, Math.ceil(needed / 7));
  const days = fullWeeks ? weeks * 7 : needed;
  const share = allocation === 1 ? 'all' : `${Math.round(allocation * 1000) / 10}% of`;
  const need = `${fmtInt(totalSample)} users at ${fmtInt(daily)} per day (${share} ${fmtInt(dailyUsers)} daily eligible users) need ${needed} day${needed === 1 ? '' : 's'}`;
  const rationale = fullWeeks
    ? `${need}; rounded up to ${weeks} full week${weeks === 1 ? '' : 's'} (${days} days) so every weekday is represented equally.`
    : `${need}.`;
  return { days_needed: needed, days, weeks, daily_in_experiment: daily, rationale };
}

function fmtInt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}
