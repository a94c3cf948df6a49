import { quantiles } from './result';

/**
 * Time to convert per step: how many users converted, and the quartiles and 90th percentile of
 * their times, in seconds. Written into a shared array (5 numbers a step: users, median, p25,
 * p75, p90; NaN for none) so the helper thread can compute it while the funnel's caller groups
 * users (event-funnel.ts).
 */
export function newTtcSummary(steps: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(Math.max(1, steps) * 5 * 8));
}

/** spans[k][u]: ms user u took into step k + 2 (NaN if not). */
export function ttcSummary(spans: Float64Array[], out: Float64Array): void {
  spans.forEach((_, k) => ttcStep(spans, out, k));
}

/** ttcSummary's step k alone (the funnel's caller and its helper thread take steps in turn). */
export function ttcStep(spans: Float64Array[], out: Float64Array, k: number): void {
  const vals = secondsOf(spans[k]);
  out[5 * k] = vals.length;
  quantiles(vals, [0.5, 0.25, 0.75, 0.9]).forEach((q, i) => (out[5 * k + 1 + i] = q ?? NaN));
}

export interface TtcStep {
  users: number;
  median_seconds: number | null;
  p25_seconds: number | null;
  p75_seconds: number | null;
  p90_seconds: number | null;
}

export function ttcOf(out: Float64Array, k: number): TtcStep {
  const v = (i: number) => (Number.isNaN(out[5 * k + i]) ? null : out[5 * k + i]);
  return { users: out[5 * k], median_seconds: v(1), p25_seconds: v(2), p75_seconds: v(3), p90_seconds: v(4) };
}

/** The users' times to convert that are set (not NaN), in seconds. */
function secondsOf(ms: Float64Array): Float64Array {
  let count = 0;
  for (let u = 0; u < ms.length; u++) if (ms[u] === ms[u]) count++;
  const out = new Float64Array(count);
  let o = 0;
  for (let u = 0; u < ms.length; u++) if (ms[u] === ms[u]) out[o++] = ms[u] / 1000;
  return out;
}
