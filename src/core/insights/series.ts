import type { FunnelResult } from '../../shared/contract';
import { addDays, daysBetween, weekday } from './format';

/** Small numeric helpers and the daily series the time-based detectors share. */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median absolute deviation scaled to a normal standard deviation. */
export function robustScale(xs: readonly number[]): number {
  const m = median(xs);
  return 1.4826 * median(xs.map((x) => Math.abs(x - m)));
}

export function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** One day of one series: a rate (successes / trials) or a count (trials only, successes = trials). */
export interface SeriesPoint {
  date: string;
  successes: number;
  trials: number;
  /** False when the day is absent from the data or the stage has no data that day. */
  present: boolean;
}

export interface DailySeries {
  /** `overall`, `entry`, or `step:<index>` (the index of the step's destination stage). */
  id: string;
  kind: 'rate' | 'count';
  stageIndex: number | null;
  points: SeriesPoint[];
}

export interface DailyQuality {
  days: string[];
  missingDays: string[];
  /** Days with events far from the bulk of the data (separated by more than a week): left out of daily series. */
  outlierDays: string[];
  /** Per stage: trailing days where the stage is empty although earlier days had data (an export cut-off). */
  truncatedFrom: (string | null)[];
  smallDays: string[];
  /**
   * Opening days of the data up to an early peak that holds several times the entrants of a usual
   * day: users active before the export began all "enter" then (left censoring). Left out of daily
   * series; empty when the data has no such edge.
   */
  leftEdgeDays: string[];
}

type Daily = FunnelResult['daily'];

const GAP_DAYS = 7;

/**
 * The calendar of the main block of data: dates are split where more than a week passes without
 * events, and the block holding the most users is kept. Stray timestamps (a few events months
 * earlier) would otherwise stretch the calendar into weeks of "missing" days.
 */
export function calendar(daily: Daily): { days: string[]; outliers: string[] } {
  if (daily.length === 0) return { days: [], outliers: [] };
  const sorted = [...daily].sort((a, b) => (a.date < b.date ? -1 : 1));
  const blocks: { dates: string[]; users: number }[] = [];
  for (const d of sorted) {
    const day = d.date.slice(0, 10);
    const cur = blocks[blocks.length - 1];
    if (cur && daysBetween(cur.dates[cur.dates.length - 1], day) <= GAP_DAYS) {
      cur.dates.push(day);
      cur.users += d.users[0] ?? 0;
    } else blocks.push({ dates: [day], users: d.users[0] ?? 0 });
  }
  const main = blocks.reduce((a, b) => (b.users > a.users ? b : a));
  const first = main.dates[0];
  const n = daysBetween(first, main.dates[main.dates.length - 1]);
  return { days: Array.from({ length: n + 1 }, (_, i) => addDays(first, i)), outliers: blocks.filter((b) => b !== main).flatMap((b) => b.dates) };
}

export function dailyQuality(daily: Daily, stageCount: number): DailyQuality {
  const { days, outliers } = calendar(daily);
  const byDate = new Map(daily.map((d) => [d.date.slice(0, 10), d.users]));
  const missingDays = days.filter((d) => !byDate.has(d));
  const present = days.filter((d) => byDate.has(d));
  const at = (d: string, s: number) => byDate.get(d)?.[s] ?? 0;
  const truncatedFrom: (string | null)[] = [null];
  for (let s = 1; s < stageCount; s++) {
    let k = present.length;
    while (k > 0 && at(present[k - 1], s) === 0) k--;
    const trailing = present.slice(k);
    const earlier = present.slice(0, k);
    const rate = sum(earlier.map((d) => at(d, s))) / Math.max(1, sum(earlier.map((d) => at(d, s - 1))));
    const expected = rate * sum(trailing.map((d) => at(d, s - 1)));
    // Empty trailing days are a cut-off only when the step before had enough users to expect some.
    let from = trailing.length >= 2 && earlier.length >= 3 && expected >= 10 ? trailing[0] : null;
    // A stage after a cut-off stage is empty because of it: same cut-off.
    const prevCut = truncatedFrom[s - 1];
    if (!from && prevCut && present.filter((d) => d >= prevCut).every((d) => at(d, s) === 0)) from = prevCut;
    truncatedFrom.push(from);
  }
  const entries = present.map((d) => at(d, 0));
  const typical = median(entries);
  const smallDays = present.filter((d) => at(d, 0) < Math.max(20, typical * 0.05));
  let peak = 0;
  entries.forEach((e, i) => (e > entries[peak] ? (peak = i) : 0));
  const edge =
    present.length >= 7 &&
    peak < 5 &&
    entries[peak] >= 30 &&
    entries[peak] >= 3 * Math.max(1, typical) &&
    sum(entries.slice(0, peak + 1)) >= 0.4 * sum(entries);
  return { days, missingDays, outlierDays: outliers, truncatedFrom, smallDays, leftEdgeDays: edge ? present.slice(0, peak + 1) : [] };
}

/** Overall, entry and step series on the full calendar, with absent or cut-off days marked. */
export function buildSeries(daily: Daily, stageCount: number, q: DailyQuality = dailyQuality(daily, stageCount)): DailySeries[] {
  const byDate = new Map(daily.map((d) => [d.date.slice(0, 10), d.users]));
  const cut = (s: number, day: string) => {
    const from = q.truncatedFrom[s];
    return from !== null && day >= from;
  };
  const mk = (id: string, kind: 'rate' | 'count', stageIndex: number | null, num: number, den: number): DailySeries => ({
    id,
    kind,
    stageIndex,
    points: q.days.map((date) => {
      const u = byDate.get(date);
      const present = Boolean(u) && !cut(num, date) && !cut(den, date) && !q.leftEdgeDays.includes(date);
      return { date, successes: u?.[num] ?? 0, trials: u?.[den] ?? 0, present };
    }),
  });
  const out: DailySeries[] = [mk('entry', 'count', 0, 0, 0), mk('overall', 'rate', null, stageCount - 1, 0)];
  for (let s = 1; s < stageCount; s++) out.push(mk(`step:${s}`, 'rate', s, s, s - 1));
  return out;
}

export function value(p: SeriesPoint, kind: 'rate' | 'count'): number {
  return kind === 'count' ? p.trials : p.trials > 0 ? (100 * p.successes) / p.trials : NaN;
}

export function usable(p: SeriesPoint, kind: 'rate' | 'count'): boolean {
  return p.present && (kind === 'count' || p.trials > 0);
}

export interface OlsFit {
  beta: number[];
  cov: number[][];
  s2: number;
  df: number;
  /** (XᵀX)⁻¹, for prediction intervals. */
  xtxInv: number[][];
}

function invert(m: number[][]): number[][] | null {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
    if (Math.abs(a[piv][c]) < 1e-12) return null;
    [a[c], a[piv]] = [a[piv], a[c]];
    const d = a[c][c];
    for (let j = 0; j < 2 * n; j++) a[c][j] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r][c];
      if (f !== 0) for (let j = 0; j < 2 * n; j++) a[r][j] -= f * a[c][j];
    }
  }
  return a.map((row) => row.slice(n));
}

/** Ordinary least squares; null when the design is singular or leaves no residual degrees of freedom. */
export function ols(X: number[][], y: number[]): OlsFit | null {
  const n = X.length;
  const p = X[0]?.length ?? 0;
  if (n <= p) return null;
  const xtx = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => sum(X.map((r) => r[i] * r[j]))));
  const xtxInv = invert(xtx);
  if (!xtxInv) return null;
  const xty = Array.from({ length: p }, (_, i) => sum(X.map((r, k) => r[i] * y[k])));
  const beta = xtxInv.map((row) => sum(row.map((v, j) => v * xty[j])));
  const resid = X.map((r, k) => y[k] - sum(r.map((v, j) => v * beta[j])));
  const df = n - p;
  const s2 = sum(resid.map((e) => e * e)) / df;
  return { beta, cov: xtxInv.map((row) => row.map((v) => v * s2)), s2, df, xtxInv };
}

/**
 * Design row for a linear trend with weekday effects (Sunday is the reference level). Weekday
 * terms are used only when every weekday appears at least twice, else the fit is trend-only.
 */
export function designRow(t: number, day: string, seasonal: boolean): number[] {
  const row = [1, t];
  if (seasonal) {
    const w = weekday(day);
    for (let k = 1; k < 7; k++) row.push(w === k ? 1 : 0);
  }
  return row;
}

export function canModelWeekdays(days: readonly string[]): boolean {
  const counts = new Array<number>(7).fill(0);
  for (const d of days) counts[weekday(d)]++;
  return counts.every((c) => c >= 2);
}
