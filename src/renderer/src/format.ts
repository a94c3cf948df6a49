/**
 * Display helpers only: every number arrives computed by the engine; these decide how it reads.
 * Rates from the engine are percentages already (45.2 means 45.2%).
 */
const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** What a missing value reads as: a dash, never "NaN" or "null". */
export const DASH = '—';

export function finite(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export function fmtInt(n: number | null | undefined): string {
  return finite(n) ? int.format(n) : DASH;
}

/** A value already in percent. */
export function fmtPct(n: number | null | undefined, digits = 1): string {
  return finite(n) ? `${n.toFixed(digits)}%` : DASH;
}

export function fmtBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

export function fmtSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '–';
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${(s / 60).toFixed(1)} min`;
  if (s < 86400) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}

export function isAbort(err: unknown): boolean {
  return typeof err === 'object' && err !== null && ((err as { name?: string }).name === 'AbortError' || (err as { kind?: string }).kind === 'cancelled');
}
