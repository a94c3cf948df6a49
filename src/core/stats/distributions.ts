import { incompleteBeta, incompleteGamma, logBeta, logGamma } from './special';

/**
 * Normal, Student t and chi-square distribution functions. Tails are computed directly (not as
 * 1 − cdf) so small p-values keep their relative accuracy.
 */

const SQRT2PI = Math.sqrt(2 * Math.PI);

export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / SQRT2PI;
}

/** Φ(x). Uses Φ(−|x|) = ½·Q(½, x²/2) so both tails are accurate to ~1e-15 relative. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === 0) return 0.5;
  const { p, q } = incompleteGamma(0.5, (x * x) / 2);
  return x < 0 ? 0.5 * q : 0.5 + 0.5 * p;
}

/** 1 − Φ(x), accurate in the upper tail. */
export function normalSf(x: number): number {
  return normalCdf(-x);
}

// Acklam's rational approximation (|rel err| < 1.2e-9), then one Halley step against the
// accurate cdf, which brings it to machine precision.
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`normalQuantile needs 0 ≤ p ≤ 1, got ${p}`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  const plow = 0.02425;
  let x: number;
  if (p < plow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  } else if (p <= 1 - plow) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  }
  for (let i = 0; i < 2; i++) {
    // Work in the smaller tail so the residual is not swamped by rounding of 1 − p.
    const e = p < 0.5 ? normalCdf(x) - p : 1 - p - normalSf(x);
    const u = e * SQRT2PI * Math.exp((x * x) / 2);
    x = x - u / (1 + (x * u) / 2);
  }
  return x;
}

function checkDf(df: number, name: string): void {
  if (!(df > 0) || !Number.isFinite(df)) throw new RangeError(`${name} needs degrees of freedom > 0, got ${df}`);
}

/** Student t density. */
export function tPdf(t: number, df: number): number {
  checkDf(df, 'tPdf');
  return Math.exp(-((df + 1) / 2) * Math.log1p((t * t) / df) - 0.5 * Math.log(df) - logBeta(df / 2, 0.5));
}

/** P(T ≤ t) for Student t with (possibly fractional) df. */
export function tCdf(t: number, df: number): number {
  checkDf(df, 't distribution');
  if (t === 0) return 0.5;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const t2 = t * t;
  // Tail mass P(T > |t|) = ½·I_{df/(df+t²)}(df/2, ½).
  const { lower } = incompleteBeta(df / (df + t2), df / 2, 0.5, t2 / (df + t2));
  const tail = 0.5 * lower;
  return t < 0 ? tail : 1 - tail;
}

export function tSf(t: number, df: number): number {
  return tCdf(-t, df);
}

/** Two-sided p-value 2·P(T > |t|). */
export function tTwoSidedP(t: number, df: number): number {
  checkDf(df, 't distribution');
  const t2 = t * t;
  return Math.min(1, incompleteBeta(df / (df + t2), df / 2, 0.5, t2 / (df + t2)).lower);
}

/** Quantile of Student t: Newton on the accurate cdf from a normal start, bracketed by bisection. */
export function tQuantile(p: number, df: number): number {
  checkDf(df, 'tQuantile');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`tQuantile needs 0 ≤ p ≤ 1, got ${p}`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (p > 0.5) return -tQuantile(1 - p, df);
  // Lower tail from here on: the root is negative.
  let lo = -1;
  while (tCdf(lo, df) > p) lo *= 2;
  let hi = 0;
  let x = Math.max(lo, Math.min(hi, normalQuantile(p)));
  for (let i = 0; i < 200; i++) {
    const f = tCdf(x, df) - p;
    if (f > 0) hi = x;
    else lo = x;
    const step = f / tPdf(x, df);
    let next = x - step;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - x) <= 1e-15 * Math.max(1, Math.abs(x))) return next;
    x = next;
  }
  return x;
}

/** P(X ≤ x) for chi-square with k df. */
export function chiSquareCdf(x: number, k: number): number {
  checkDf(k, 'chi-square');
  return incompleteGamma(k / 2, Math.max(0, x) / 2).p;
}

/** P(X > x) for chi-square with k df: the p-value of a chi-square statistic. */
export function chiSquareSf(x: number, k: number): number {
  checkDf(k, 'chi-square');
  return incompleteGamma(k / 2, Math.max(0, x) / 2).q;
}

function chiSquarePdf(x: number, k: number): number {
  if (x <= 0) return 0;
  const a = k / 2;
  return Math.exp((a - 1) * Math.log(x / 2) - x / 2 - Math.log(2) - logGamma(a));
}

/** Quantile of chi-square with k df (Newton, bracketed). */
export function chiSquareQuantile(p: number, k: number): number {
  checkDf(k, 'chiSquareQuantile');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`chiSquareQuantile needs 0 ≤ p ≤ 1, got ${p}`);
  if (p === 0) return 0;
  if (p === 1) return Infinity;
  let lo = 0;
  let hi = Math.max(1, k);
  while (chiSquareCdf(hi, k) < p) hi *= 2;
  // Wilson–Hilferty start.
  const z = normalQuantile(p);
  const h = 2 / (9 * k);
  let x = Math.max(1e-12, k * Math.pow(1 - h + z * Math.sqrt(h), 3));
  if (!(x > lo && x < hi)) x = (lo + hi) / 2;
  for (let i = 0; i < 300; i++) {
    const f = p < 0.5 ? chiSquareCdf(x, k) - p : 1 - p - chiSquareSf(x, k);
    if (f > 0) hi = x;
    else lo = x;
    const pdf = chiSquarePdf(x, k);
    let next = pdf > 0 ? x - f / pdf : (lo + hi) / 2;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - x) <= 1e-15 * Math.max(1, x)) return next;
    x = next;
  }
  return x;
}
