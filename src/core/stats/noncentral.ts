import { normalCdf, tCdf } from './distributions';
import { incompleteBeta, logBeta } from './special';

/**
 * Lower-tail cdf of the noncentral t distribution, P(T ≤ t; df, δ), by Lenth's AS 243 series
 * (the algorithm behind R's pt(ncp=)), which power.t.test uses.
 */
export function noncentralTCdf(t: number, df: number, delta: number): number {
  if (!(df > 0)) throw new RangeError(`noncentral t needs df > 0, got ${df}`);
  if (delta === 0) return tCdf(t, df);
  const negdel = t < 0;
  const tt = negdel ? -t : t;
  const del = negdel ? -delta : delta;
  if (df > 4e5 || del * del > 2 * Math.LN2 * 1021) {
    // Abramowitz & Stegun 26.7.10 normal approximation, as in R, where the series underflows.
    const s = 1 / (4 * df);
    const z = (tt * (1 - s) - del) / Math.sqrt(1 + tt * tt * 2 * s);
    const lowerTail = normalCdf(z);
    return negdel ? 1 - lowerTail : lowerTail;
  }
  const x = (t * t) / (t * t + df);
  let tnc = 0;
  if (x > 0) {
    const lambda = del * del;
    let p = 0.5 * Math.exp(-0.5 * lambda);
    let q = Math.sqrt(2 / Math.PI) * p * del;
    let s = 0.5 - p;
    if (s < 1e-7) s = -0.5 * Math.expm1(-0.5 * lambda);
    let a = 0.5;
    const b = 0.5 * df;
    const rxb = Math.pow(df / (t * t + df), b);
    // ln√π + lnΓ(b) − lnΓ(b+½) = ln B(b, ½), computed without cancellation for large df.
    const albeta = logBeta(b, 0.5);
    let xodd = incompleteBeta(x, a, b, df / (t * t + df)).lower;
    let godd = 2 * rxb * Math.exp(a * Math.log(x) - albeta);
    const bx = b * x;
    let xeven = bx < Number.EPSILON ? bx : 1 - rxb;
    let geven = bx * rxb;
    tnc = p * xodd + q * xeven;
    for (let it = 1; it <= 10000; it++) {
      a += 1;
      xodd -= godd;
      xeven -= geven;
      godd *= (x * (a + b - 1)) / a;
      geven *= (x * (a + b - 0.5)) / (a + 0.5);
      p *= lambda / (2 * it);
      q *= lambda / (2 * it + 1);
      tnc += p * xodd + q * xeven;
      s -= p;
      if (s < -1e-10) break;
      if (s <= 0 && it > 1) break;
      const errbd = 2 * s * (xodd - godd);
      if (Math.abs(errbd) < 1e-12 && it > 1) break;
    }
  }
  tnc += normalCdf(-del);
  const lower = !negdel;
  const out = lower ? tnc : 1 - tnc;
  return Math.min(1, Math.max(0, out));
}
