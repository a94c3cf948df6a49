/**
 * Where the last parallel CSV read spent its time, for the bench (bench/funnel.ts prints it):
 * a few clock readings per import, kept in this module rather than passed around.
 */
export interface ChunkTiming {
  /** The whole range, in the worker: read + parse, then the (user, time) sort and collecting. */
  totalMs: number;
  /** Reading and parsing the text (ids, times, properties). */
  parseMs: number;
  /** Of parseMs, the file reads alone. */
  readMs: number;
  sortMs: number;
}

export interface CsvReadProfile {
  /** performance.now() when readCsvChunks began and when its merge was done. */
  startAt: number;
  doneAt: number;
  chunks: ChunkTiming[];
  mergeMs: number;
  /** Of mergeMs, matching the chunks' user ids. */
  userMergeMs: number;
  /** The later ranges' string ids matched by the first range's worker, once all were back (not in mergeMs). */
  workerUserMatchMs: number;
}

export const lastCsvRead: CsvReadProfile = { startAt: 0, doneAt: 0, chunks: [], mergeMs: 0, userMergeMs: 0, workerUserMatchMs: 0 };
