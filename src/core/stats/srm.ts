import { chiSquareSf } from './distributions';

export interface SrmResult {
  observed: number[];
  expected: number[];
  statistic: number;
  df: number;
  p_value: number;
  /** True when p < threshold: the split is not what was planned, so the assignment is suspect. */
  mismatch: boolean;
  threshold: number;
}

/**
 * Sample ratio mismatch: chi-square goodness of fit of the observed arm sizes against the
 * planned split (weights, normalised). The strict 0.001 threshold is the industry convention:
 * SRM checks run on every experiment, so a loose threshold would flag healthy tests weekly.
 */
export function srmCheck(observed: readonly number[], planned?: readonly number[], threshold = 0.001): SrmResult {
  if (observed.length < 2) throw new RangeError('an SRM check needs at least two arms');
  const weights = planned ?? observed.map(() => 1);
  if (weights.length !== observed.length) throw new RangeError('the planned split must have one weight per arm');
  if (weights.some((w) => !(w > 0))) throw new RangeError('planned split weights must be positive');
  const total = observed.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new RangeError('no units were observed in any arm');
  const wsum = weights.reduce((a, b) => a + b, 0);
  const expected = weights.map((w) => (total * w) / wsum);
  const statistic = observed.reduce((acc, o, i) => acc + (o - expected[i]) ** 2 / expected[i], 0);
  const df = observed.length - 1;
  const p = chiSquareSf(statistic, df);
  return { observed: [...observed], expected, statistic, df, p_value: p, mismatch: p < threshold, threshold };
}
