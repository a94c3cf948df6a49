import { summarize, welchTTest, type SampleSummary, type WelchResult } from './continuous';

/**
 * CUPED (Deng et al. 2013): subtract from each unit's metric the part predicted by its
 * pre-experiment covariate, y' = y − θ(x − x̄), with θ = cov(x, y)/var(x) estimated on both arms
 * pooled. Randomization makes x independent of assignment, so the adjusted difference is still
 * unbiased, and its variance shrinks by the squared correlation of x and y.
 */
export interface CupedResult {
  theta: number;
  /** 1 − var(y′)/var(y) on the pooled data (0 = no gain). */
  variance_reduction: number;
  control: SampleSummary;
  treatment: SampleSummary;
  test: WelchResult;
}

export function cuped(
  control: { y: readonly number[]; x: readonly number[] },
  treatment: { y: readonly number[]; x: readonly number[] },
  alpha = 0.05,
): CupedResult {
  if (control.y.length !== control.x.length || treatment.y.length !== treatment.x.length) {
    throw new RangeError('each unit needs both a metric value and a covariate value');
  }
  const ys = [...control.y, ...treatment.y];
  const xs = [...control.x, ...treatment.x];
  const n = ys.length;
  if (n < 4) throw new RangeError('CUPED needs at least 4 units');
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  if (!(sxx > 0)) throw new RangeError('the covariate is constant, so CUPED cannot reduce variance');
  const theta = sxy / sxx;
  const adj = (y: readonly number[], x: readonly number[]) => y.map((v, i) => v - theta * (x[i] - mx));
  const c = summarize(adj(control.y, control.x));
  const t = summarize(adj(treatment.y, treatment.x));
  const yAdj = [...adj(control.y, control.x), ...adj(treatment.y, treatment.x)];
  const varAdj = summarize(yAdj).sd ** 2;
  const varY = syy / (n - 1);
  return { theta, variance_reduction: varY > 0 ? 1 - varAdj / varY : 0, control: c, treatment: t, test: welchTTest(c, t, alpha) };
}

/** One arm's joint moments of the metric y and the covariate x: sums and centered co-moments. */
export interface CupedMoments {
  n: number;
  sumY: number;
  sumX: number;
  syy: number;
  sxx: number;
  sxy: number;
}

/**
 * The same CUPED from per-arm sufficient statistics (a warehouse's aggregates): θ from the pooled
 * co-moments (merged with Chan et al.'s update, never from raw sums of squares), the adjusted
 * arm means ȳ − θ(x̄ − x̄pooled) and variances (Syy − 2θSxy + θ²Sxx)/(n − 1).
 */
export function cupedFromMoments(control: CupedMoments, treatment: CupedMoments, alpha = 0.05): CupedResult {
  const n = control.n + treatment.n;
  if (n < 4) throw new RangeError('CUPED needs at least 4 units');
  const both = control.n > 0 && treatment.n > 0;
  const w = both ? (control.n * treatment.n) / n : 0;
  // Differences of arm means as (nt·Σc − nc·Σt)/(nc·nt): shifted values (x ≈ 1e9) keep their digits.
  const diff = (c: number, t: number) => (both ? (treatment.n * c - control.n * t) / (control.n * treatment.n) : 0);
  const dx = diff(control.sumX, treatment.sumX);
  const dy = diff(control.sumY, treatment.sumY);
  const sxx = control.sxx + treatment.sxx + dx * dx * w;
  const syy = control.syy + treatment.syy + dy * dy * w;
  const sxy = control.sxy + treatment.sxy + dx * dy * w;
  if (!(sxx > 0)) throw new RangeError('the covariate is constant, so CUPED cannot reduce variance');
  const theta = sxy / sxx;
  const arm = (a: CupedMoments, b: CupedMoments): SampleSummary => {
    if (a.n === 0) return { mean: NaN, sd: NaN, n: 0 };
    const ss = Math.max(0, a.syy - 2 * theta * a.sxy + theta * theta * a.sxx);
    // x̄a − x̄pooled = (nb·Σxa − na·Σxb)/(na·n): one rounding, not the difference of two rounded means of shifted values.
    return { mean: a.sumY / a.n - theta * ((b.n * a.sumX - a.n * b.sumX) / (a.n * n)), sd: a.n > 1 ? Math.sqrt(ss / (a.n - 1)) : NaN, n: a.n };
  };
  const c = arm(control, treatment);
  const t = arm(treatment, control);
  const varAdj = Math.max(0, syy - 2 * theta * sxy + theta * theta * sxx) / (n - 1);
  const varY = syy / (n - 1);
  return { theta, variance_reduction: varY > 0 ? 1 - varAdj / varY : 0, control: c, treatment: t, test: welchTTest(c, t, alpha) };
}
