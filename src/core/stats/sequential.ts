import type { Interval } from './proportions';

/**
 * Sequential testing with the mixture sequential probability ratio test (mSPRT; Robbins 1970,
 * Johari, Pekelis & Walsh 2017, "Always valid inference"), for the difference of two means or
 * rates under the normal approximation.
 *
 * Why it is always valid: with a N(0, τ²) mixture over the effect, the likelihood ratio Λₙ of
 * "effect ≠ 0" against "effect = 0" is a non-negative martingale under the null, so by Ville's
 * inequality P(Λₙ ≥ 1/α at any look, ever) ≤ α. The p-value pₙ = min(1, 1/max Λ) and the
 * matching confidence interval may therefore be checked after every day (or every user)
 * without inflating the false-positive rate. With estimated variances and 0/1 data the
 * guarantee is asymptotic (it relies on the CLT for each look's estimate), which is the
 * standard practice in commercial experimentation platforms.
 */

export interface ArmSnapshot {
  mean: number;
  /** Variance of one observation (p(1−p) for a rate). */
  variance: number;
  n: number;
}

export interface SequentialLook {
  control: ArmSnapshot;
  treatment: ArmSnapshot;
}

export interface SequentialLookResult {
  look: number;
  estimate: number;
  /** Variance of the estimate, var₁/n₁ + var₂/n₂. */
  estimate_variance: number;
  likelihood_ratio: number;
  /** Always-valid p-value: non-increasing across looks. */
  p_value: number;
  /** Always-valid confidence interval: the running intersection, so it only shrinks. */
  ci: Interval;
  reject: boolean;
}

export interface MsprtOptions {
  alpha?: number;
  /** Mixing standard deviation: the effect size the test is tuned for (e.g. the design's absolute MDE). */
  tau: number;
}

export function msprt(looks: readonly SequentialLook[], opts: MsprtOptions): SequentialLookResult[] {
  const alpha = opts.alpha ?? 0.05;
  const tau2 = opts.tau * opts.tau;
  if (!(tau2 > 0)) throw new RangeError('the mixing scale tau must be positive');
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  const out: SequentialLookResult[] = [];
  let p = 1;
  let lower = -Infinity;
  let upper = Infinity;
  looks.forEach((l, i) => {
    if (!(l.control.n > 0 && l.treatment.n > 0)) throw new RangeError(`look ${i + 1}: both arms need at least one unit`);
    const theta = l.treatment.mean - l.control.mean;
    const v = l.control.variance / l.control.n + l.treatment.variance / l.treatment.n;
    if (!(v > 0)) throw new RangeError(`look ${i + 1}: the estimate has zero variance`);
    const logLr = 0.5 * Math.log(v / (v + tau2)) + (theta * theta * tau2) / (2 * v * (v + tau2));
    const lr = Math.exp(logLr);
    p = Math.min(p, Math.min(1, Math.exp(-logLr)));
    const half = Math.sqrt(((v * (v + tau2)) / tau2) * (2 * Math.log(1 / alpha) + Math.log((v + tau2) / v)));
    lower = Math.max(lower, theta - half);
    upper = Math.min(upper, theta + half);
    out.push({ look: i + 1, estimate: theta, estimate_variance: v, likelihood_ratio: lr, p_value: p, ci: { lower, upper }, reject: p <= alpha });
  });
  return out;
}

/** Convenience for rates: cumulative (successes, n) per arm at each look. */
export function msprtProportions(
  looks: readonly { control: { successes: number; n: number }; treatment: { successes: number; n: number } }[],
  opts: MsprtOptions,
): SequentialLookResult[] {
  const arm = (a: { successes: number; n: number }): ArmSnapshot => {
    const m = a.successes / a.n;
    return { mean: m, variance: m * (1 - m), n: a.n };
  };
  return msprt(
    looks.map((l) => ({ control: arm(l.control), treatment: arm(l.treatment) })),
    opts,
  );
}
