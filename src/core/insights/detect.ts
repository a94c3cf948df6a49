import { weekday } from './format';
import { median, robustScale, usable, value, type SeriesPoint } from './series';

/**
 * Point anomalies on one daily series, aware of weekly seasonality: each day is compared with the
 * median of the same weekday in the surrounding four weeks (itself excluded, so a drop cannot hide
 * in its own baseline). The scale is the larger of a MAD of all residuals (extra-binomial day-to-day
 * variation) and the day's own sampling noise (binomial for rates, Poisson for counts), inflated for
 * the uncertainty of a median of k days. Short series (under two weeks) fall back to the
 * neighbouring days and say so (`seasonal: false`).
 *
 * Thresholds were tuned on simulated clean funnels (test/unit/insights/anomaly-rates.test.ts) to
 * keep false alarms near zero while catching planted drops of 20-40% at realistic volumes.
 */

export interface DetectOptions {
  /** |robust z| at or above which a day is flagged. */
  z?: number;
  /** Minimum relative deviation from the baseline (practical significance). */
  minRelative?: number;
  /** Days with fewer trials than this are never flagged (too small to say anything). */
  minTrials?: number;
}

export interface FlaggedPoint {
  date: string;
  observed: number;
  expected: number;
  score: number;
  relative: number;
  seasonal: boolean;
  trials: number;
}

export const DEFAULT_DETECT: Required<DetectOptions> = { z: 4.5, minRelative: 0.1, minTrials: 30 };

interface Baseline {
  expected: number;
  k: number;
  seasonal: boolean;
}

function baselineAt(points: readonly SeriesPoint[], kind: 'rate' | 'count', t: number, seasonal: boolean): Baseline | null {
  const vals: number[] = [];
  if (seasonal) {
    const w = weekday(points[t].date);
    for (let s = Math.max(0, t - 28); s <= Math.min(points.length - 1, t + 28); s++) {
      if (s !== t && usable(points[s], kind) && weekday(points[s].date) === w) vals.push(value(points[s], kind));
    }
    if (vals.length >= 2) return { expected: median(vals), k: vals.length, seasonal: true };
    return null;
  }
  for (let s = Math.max(0, t - 3); s <= Math.min(points.length - 1, t + 3); s++) {
    if (s !== t && usable(points[s], kind)) vals.push(value(points[s], kind));
  }
  return vals.length >= 3 ? { expected: median(vals), k: vals.length, seasonal: false } : null;
}

function samplingSd(kind: 'rate' | 'count', expected: number, trials: number): number {
  if (kind === 'count') return Math.sqrt(Math.max(expected, 1));
  const p = Math.min(Math.max(expected / 100, 0.5 / Math.max(trials, 1)), 1 - 0.5 / Math.max(trials, 1));
  return 100 * Math.sqrt((p * (1 - p)) / Math.max(trials, 1));
}

/** Every day's deviation from its baseline, null where no baseline exists. */
export function evaluatePoints(points: readonly SeriesPoint[], kind: 'rate' | 'count'): (FlaggedPoint | null)[] {
  const none = points.map(() => null);
  const usableCount = points.filter((p) => usable(p, kind)).length;
  if (usableCount < 7) return none;
  const seasonal = usableCount >= 14;
  const bases = points.map((p, t) => (usable(p, kind) ? baselineAt(points, kind, t, seasonal) : null));
  const resid = points.flatMap((p, t) => {
    const b = bases[t];
    return b ? [value(p, kind) - b.expected] : [];
  });
  if (resid.length < 5) return none;
  const mad = residualScale(resid);
  return points.map((p, t) => {
    const b = bases[t];
    if (!b || !(b.expected > 0)) return null;
    const y = value(p, kind);
    // Residuals against a median of k days already carry the baseline's own noise, so the MAD needs
    // no inflation; the day's sampling noise does (var of a median ≈ π/2 · σ²/k).
    const sd = Math.max(mad, samplingSd(kind, b.expected, p.trials) * Math.sqrt(1 + 1.57 / b.k));
    if (!(sd > 0)) return null;
    return {
      date: p.date,
      observed: y,
      expected: b.expected,
      score: (y - b.expected) / sd,
      relative: (y - b.expected) / b.expected,
      seasonal: b.seasonal,
      trials: p.trials,
    };
  });
}

/**
 * Scale of the day-to-day residuals: a MAD to find the outliers, then the standard deviation of the
 * rest (corrected for trimming at 3 sigma). The MAD alone is robust but noisy on a few weeks of
 * data (an estimate 20% too low turns a 4.5 threshold into 3.6); the trimmed SD is nearly as
 * robust here and twice as efficient, which is what keeps false alarms rare at high volume.
 */
function residualScale(resid: readonly number[]): number {
  const mad = robustScale(resid);
  const m = median(resid);
  const kept = resid.filter((r) => Math.abs(r - m) <= 3 * mad);
  if (kept.length < 5 || !(mad > 0)) return mad;
  const mean = kept.reduce((a, b) => a + b, 0) / kept.length;
  const v = kept.reduce((a, b) => a + (b - mean) ** 2, 0) / (kept.length - 1);
  return Math.sqrt(v / 0.9733);
}

export function detectPoints(points: readonly SeriesPoint[], kind: 'rate' | 'count', opts: DetectOptions = {}): FlaggedPoint[] {
  const o = { ...DEFAULT_DETECT, ...opts };
  return evaluatePoints(points, kind).filter((e): e is FlaggedPoint => {
    if (!e) return false;
    // A count series is judged by its usual size, so a collapse to a handful of users still counts.
    if ((kind === 'count' ? e.expected : e.trials) < o.minTrials) return false;
    return Math.abs(e.score) >= o.z && Math.abs(e.relative) >= o.minRelative;
  });
}
