/**
 * Display helpers only: every value arrives computed by the engine (rates and differences already
 * in percent / percentage points, p-values as probabilities). Nothing here derives a statistic.
 * Built on the app-wide helpers in ../../format; statistics read with two decimals by default.
 */
import { DASH, finite, fmtInt, fmtPct as pct } from '../../format';

export { fmtInt };

export function fmtNum(v: number | null | undefined, digits = 2): string {
  return finite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 }) : DASH;
}

/** A value already in percent. */
export function fmtPct(v: number | null | undefined, digits = 2): string {
  return pct(v, digits);
}

export function fmtSignedPct(v: number | null | undefined, digits = 2): string {
  return finite(v) ? `${v > 0 ? '+' : ''}${v.toFixed(digits)}%` : DASH;
}

export function fmtPp(v: number | null | undefined, digits = 2): string {
  return finite(v) ? `${v > 0 ? '+' : ''}${v.toFixed(digits)} pp` : DASH;
}

/** A metric value: rates are in percent, means are plain numbers. */
export function fmtValue(v: number | null | undefined, kind: 'rate' | 'mean' | 'ratio'): string {
  return kind === 'rate' ? fmtPct(v) : fmtNum(v, 3);
}

export function fmtDiff(v: number | null | undefined, kind: 'rate' | 'mean' | 'ratio'): string {
  if (!finite(v)) return DASH;
  return kind === 'rate' ? fmtPp(v) : `${v > 0 ? '+' : ''}${fmtNum(v, 3)}`;
}

export function fmtCI(ci: readonly [number, number] | null | undefined, unit: 'pp' | 'pct' | 'num'): string {
  if (!ci || !finite(ci[0]) || !finite(ci[1])) return DASH;
  const f = (x: number) => x.toFixed(unit === 'num' ? 3 : 2);
  const suffix = unit === 'pp' ? ' pp' : unit === 'pct' ? '%' : '';
  return `[${f(ci[0])}, ${f(ci[1])}]${suffix}`;
}

/** p-values: tiny ones as "< 0.001" the way papers print them; a fraction of 1 is a probability. */
export function fmtP(p: number | null | undefined): string {
  if (!finite(p)) return DASH;
  // A no-break space keeps "< 0.001" on one line in narrow table cells.
  if (p < 0.001) return '<\u00a00.001';
  return p.toFixed(p < 0.01 ? 4 : 3);
}

/** A fraction of 1 as percent, for inputs the user typed as fractions (power, alpha, allocation). */
export function fmtFraction(v: number | null | undefined, digits = 1): string {
  return finite(v) ? `${(v * 100).toFixed(digits)}%` : DASH;
}
