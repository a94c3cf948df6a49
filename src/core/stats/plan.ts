import { normalCdf, normalQuantile, tQuantile } from './distributions';
import { noncentralTCdf } from './noncentral';
import { findRoot } from './roots';

/**
 * Planning with unequal arms and one- or two-sided tests, for a single treatment-vs-control
 * comparison (the caller divides alpha for several treatments). `ratio` is n_treatment/n_control
 * (statsmodels' `ratio`): 90/10 control/treatment is ratio 1/9. Rates use the pooled-under-H0,
 * unpooled-under-H1 normal formula (R's power.prop.test when ratio = 1 and two-sided); means use
 * the noncentral t with n1 + n2 − 2 df (R's power.t.test / statsmodels' TTestIndPower). Far-tail
 * rejections of a two-sided test are ignored, as R's strict = FALSE does.
 */
export interface PlanOptions {
  alpha: number;
  /** n_treatment / n_control. */
  ratio: number;
  sides: 1 | 2;
}

function crit(alpha: number, sides: 1 | 2): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  return normalQuantile(1 - alpha / sides);
}

function checkRatio(r: number): void {
  if (!(r > 0 && Number.isFinite(r))) throw new RangeError(`the allocation ratio must be positive, got ${r}`);
}

/** Power of the two-proportion z-test with n1 control and n2 treatment units. */
export function proportionPowerAt(p1: number, p2: number, n1: number, n2: number, alpha: number, sides: 1 | 2): number {
  if (!(n1 > 0 && n2 > 0)) throw new RangeError('group sizes must be positive');
  const d = Math.abs(p2 - p1);
  const pbar = (n1 * p1 + n2 * p2) / (n1 + n2);
  const se0 = Math.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2));
  const se1 = Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
  if (!(se1 > 0)) return d > 0 ? 1 : alpha / sides;
  return normalCdf((d - crit(alpha, sides) * se0) / se1);
}

/** Control-arm n (unrounded) for power `power` at rates p1 → p2. */
export function proportionSampleSize(p1: number, p2: number, power: number, o: PlanOptions): number {
  checkRatio(o.ratio);
  if (!(power > 0 && power < 1)) throw new RangeError(`power must be in (0, 1), got ${power}`);
  if (p1 === p2) throw new RangeError('the two rates are equal, so there is nothing to detect');
  const k = o.ratio;
  const pbar = (p1 + k * p2) / (1 + k);
  const num = crit(o.alpha, o.sides) * Math.sqrt(pbar * (1 - pbar) * (1 + 1 / k)) + normalQuantile(power) * Math.sqrt(p1 * (1 - p1) + (p2 * (1 - p2)) / k);
  return (num * num) / ((p2 - p1) * (p2 - p1));
}

/** Smallest increase p2 − p1 detectable with n1 control units (n2 = ratio·n1) at `power`. */
export function proportionMde(p1: number, n1: number, power: number, o: PlanOptions): number {
  checkRatio(o.ratio);
  const n2 = n1 * o.ratio;
  const f = (p2: number) => proportionPowerAt(p1, p2, n1, n2, o.alpha, o.sides) - power;
  const hi = 1 - 1e-12;
  if (f(hi) < 0) throw new RangeError(`even a 100% treatment rate is not detectable with ${Math.round(n1)} control units at power ${power}`);
  return findRoot(f, p1, hi, 1e-14) - p1;
}

/** Power of the two-sample t-test (equal variances) with n1 and n2 units. */
export function meanPowerAt(delta: number, sd: number, n1: number, n2: number, alpha: number, sides: 1 | 2): number {
  if (!(n1 >= 2 && n2 >= 2)) throw new RangeError('each arm needs at least 2 units');
  if (!(sd > 0)) throw new RangeError(`the standard deviation must be positive, got ${sd}`);
  const df = n1 + n2 - 2;
  const q = tQuantile(1 - alpha / sides, df);
  return 1 - noncentralTCdf(q, df, Math.abs(delta) / (sd * Math.sqrt(1 / n1 + 1 / n2)));
}

/** Control-arm n (unrounded) for a mean difference delta with sd at `power`. */
export function meanSampleSize(delta: number, sd: number, power: number, o: PlanOptions): number {
  checkRatio(o.ratio);
  if (!(delta !== 0 && Number.isFinite(delta))) throw new RangeError('the difference to detect must be non-zero');
  const lo = Math.max(2, 2 / o.ratio);
  const f = (n: number) => meanPowerAt(delta, sd, n, n * o.ratio, o.alpha, o.sides) - power;
  if (f(lo) >= 0) return lo;
  let hi = 1e6;
  while (f(hi) < 0) {
    hi *= 10;
    if (hi > 1e13) throw new RangeError('the effect is too small to detect with any feasible sample');
  }
  return findRoot(f, lo, hi, 1e-10);
}

/** Smallest mean difference detectable with n1 control units at `power`. */
export function meanMde(sd: number, n1: number, power: number, o: PlanOptions): number {
  checkRatio(o.ratio);
  const n2 = n1 * o.ratio;
  const f = (d: number) => meanPowerAt(d, sd, n1, n2, o.alpha, o.sides) - power;
  let hi = sd;
  while (f(hi) < 0) hi *= 2;
  return findRoot(f, 0, hi, 1e-13 * sd);
}
