/**
 * What the bench children report (bench/funnel-child.ts, bench/scale-child.ts), and the few
 * helpers every suite prints them with.
 */

/** IAFA's import and first funnel, end to end, in one process. */
export interface OursRun {
  datasetId: string;
  rows: number;
  importMs: number;
  funnelMs: number;
  totalMs: number;
  peakRssMb: number;
  bySegment: Record<string, number[]>;
}

/** DuckDB's read and the same funnel, in one process. */
export interface DuckRun {
  totalMs: number;
  peakRssMb: number;
  bySegment: Record<string, number[]>;
}

/** The imported dataset reopened in a fresh process (bench/reopen.ts). */
export interface ReopenRun {
  reopenMs: number;
  firstFunnelMs: number;
  refilterMs: number;
  rebreakdownMs: number;
  residentBytesPerEvent: number;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The run with the median total time. */
export function medianRun<T extends { totalMs: number }>(xs: T[]): T {
  return [...xs].sort((a, b) => a.totalMs - b.totalMs)[Math.floor(xs.length / 2)];
}
