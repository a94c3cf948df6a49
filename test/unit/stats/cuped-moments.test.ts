import { describe, expect, it } from 'vitest';
import { cuped, cupedFromMoments, type CupedMoments } from '../../../src/core/stats';

/** CUPED from per-arm sums and centered co-moments equals CUPED on the raw values it summarises. */
function moments(y: readonly number[], x: readonly number[]): CupedMoments {
  const n = y.length;
  const sumY = y.reduce((a, b) => a + b, 0);
  const sumX = x.reduce((a, b) => a + b, 0);
  const my = sumY / n;
  const mx = sumX / n;
  let syy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    syy += (y[i] - my) ** 2;
    sxx += (x[i] - mx) ** 2;
    sxy += (y[i] - my) * (x[i] - mx);
  }
  return { n, sumY, sumX, syy, sxx, sxy };
}

/** A deterministic pseudo-random stream (no Math.random in tests). */
function stream(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

describe('cupedFromMoments', () => {
  it.each([
    ['small', 12, 0],
    ['unequal arms', 300, 0],
    ['values shifted by 1e6', 500, 1e6],
  ])('equals cuped() on the raw values: %s', (_, n, shift) => {
    const r = stream(n);
    const arm = (k: number, lift: number) => {
      const x = Array.from({ length: k }, () => shift + 100 * r());
      return { x, y: x.map((v) => 0.8 * (v - shift) + 20 * r() + lift) };
    };
    const c = arm(n, 0);
    const t = arm(Math.round(n * 1.3), 2);
    const want = cuped(c, t);
    const got = cupedFromMoments(moments(c.y, c.x), moments(t.y, t.x));
    expect(want.variance_reduction).toBeGreaterThan(0.3);
    for (const [k, a, b] of [
      ['theta', got.theta, want.theta],
      ['variance_reduction', got.variance_reduction, want.variance_reduction],
      ['difference', got.test.difference, want.test.difference],
      ['se', got.test.se, want.test.se],
      ['p', got.test.p_value, want.test.p_value],
      ['ci lower', got.test.ci.lower, want.test.ci.lower],
    ] as const)
      expect(Math.abs(a - b), `${k}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
  });

  it('refuses what cuped() refuses: fewer than 4 units, a constant covariate', () => {
    expect(() => cupedFromMoments(moments([1], [1]), moments([2, 3], [1, 2]))).toThrow(/at least 4 units/);
    expect(() => cupedFromMoments(moments([1, 2], [5, 5]), moments([2, 3], [5, 5]))).toThrow(/covariate is constant/);
  });
});
