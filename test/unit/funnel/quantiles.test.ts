import { describe, expect, it } from 'vitest';
import { quantile, quantiles } from '../../../src/core/funnel/result';
import { seededRandom } from '../../../src/core/random';

const QS = [0.5, 0.25, 0.75, 0.9, 0, 1];

/** The reference: a full sort, then the type-7 interpolation. */
function bySorting(values: Float64Array): (number | null)[] {
  const sorted = Float64Array.from(values).sort();
  return QS.map((q) => quantile(sorted, q));
}

describe('quantiles (selection without a full sort)', () => {
  const r = seededRandom(3);
  const cases: [string, (i: number) => number][] = [
    ['times to convert in seconds', () => Math.floor(r() * 600_000) / 1000],
    ['heavy ties', () => Math.floor(r() * 4)],
    ['all equal', () => 42],
    ['zeros and tiny values', (i) => (i % 3 ? 0 : r() * 1e-300)],
    ['twelve orders of magnitude', () => 10 ** (r() * 12 - 3)],
    ['negative values (the general way)', () => r() * 200 - 100],
  ];
  for (const [name, gen] of cases) {
    for (const n of [1, 2, 7, 4095, 4096, 50_001]) {
      it(`${name}, ${n} values`, () => {
        const values = Float64Array.from({ length: n }, (_, i) => gen(i));
        const expected = bySorting(values);
        expect(quantiles(Float64Array.from(values), QS)).toEqual(expected);
      });
    }
  }
});
