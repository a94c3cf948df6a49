import fs from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { IafaError, type ImportMapping } from '../../shared/contract';
import type { EventLogBuilder } from './event-builder';
import { adoptHelper } from '../helper-thread';
import { workerScript } from '../worker-script';
import { absorbChunks, firstChunkUsers, matchedUsers, planMerge, wantsUserMatch, type MatchedUsers, type MergePlan } from './merge-chunks';
import { parseChunk, type ChunkResult, type ChunkTask } from './parse-chunk';
import type { ReadProgress } from './read-csv';
import type { CsvSource } from './source';
import { lastCsvRead } from './profile';

/** The worker threads readCsvChunks will want for a file of `size` bytes, started ahead (or taken from the reserve). */
export function prestartWorkers(size: number, minBytes: number, wanted?: number): Worker[] {
  return Array.from({ length: parallelWorkers(size, minBytes, wanted) }, takeWorker);
}

/**
 * Workers started before an import was asked for (reserveWorkers), this thread's: the next
 * parallel read takes them, already loaded, rather than waiting for new ones (about 60-100 ms
 * with the cores busy opening the file). Unref'd while they wait; stopped when none is taken
 * within RESERVE_IDLE_MS.
 */
const reserve: { w: Worker; ready: Promise<void> }[] = [];
let reserveTimer: NodeJS.Timeout | null = null;
export const RESERVE_IDLE_MS = 60_000;

/**
 * Starts the workers an import of a file of `size` bytes would use, unless the reserve holds
 * them already (the app calls this when a file is previewed: its import usually follows).
 * Resolves once they have loaded. Returns how many wait.
 */
export function reserveWorkers(size: number, minBytes: number, wanted?: number, idleMs = RESERVE_IDLE_MS): { count: number; ready: Promise<void> } {
  const want = parallelWorkers(size, minBytes, wanted);
  while (reserve.length < want) {
    const w = startWorker();
    w.unref();
    // (A worker posts 'ready' once loaded: parse-worker.ts.)
    const ready = new Promise<void>((resolve) => {
      w.once('message', () => resolve());
      w.once('exit', () => resolve());
    });
    w.once('exit', () => {
      const i = reserve.findIndex((r) => r.w === w);
      if (i >= 0) reserve.splice(i, 1);
    });
    reserve.push({ w, ready });
  }
  if (reserveTimer) clearTimeout(reserveTimer);
  reserveTimer = reserve.length ? setTimeout(stopReserve, idleMs).unref() : null;
  return { count: reserve.length, ready: Promise.all(reserve.map((r) => r.ready)).then(() => {}) };
}

/** How many started-ahead workers wait (tests). */
export function reservedWorkers(): number {
  return reserve.length;
}

function stopReserve(): void {
  reserveTimer = null;
  for (const { w } of reserve.splice(0)) void w.terminate();
}

/** A reserved worker (referenced again: the import waits on it), else a new one. */
function takeWorker(): Worker {
  const r = reserve.shift();
  if (!r) return startWorker();
  r.w.ref();
  if (reserve.length === 0 && reserveTimer) {
    clearTimeout(reserveTimer);
    reserveTimer = null;
  }
  return r.w;
}

/** Worker threads for a file of `size` bytes: 0 means read it on this thread. */
export function parallelWorkers(size: number, minBytes: number, wanted?: number): number {
  if (size < minBytes || !workerScript(import.meta.url, 'parse-worker')) return 0;
  return wanted ?? Math.max(1, Math.min(4, os.availableParallelism()));
}

/** The offset just past the first newline at or after `at` (or `size`). */
function lineStartAfter(fd: number, at: number, size: number, probe: Buffer): number {
  for (;;) {
    const n = fs.readSync(fd, probe, 0, probe.length, at);
    if (n === 0) return size;
    const lf = probe.subarray(0, n).indexOf(10);
    if (lf >= 0) return Math.min(at + lf + 1, size);
    at += n;
  }
}

/** Byte ranges of about equal size, each starting right after a newline. */
function splitRanges(file: string, start: number, size: number, parts: number): [number, number][] {
  const fd = fs.openSync(file, 'r');
  const probe = Buffer.allocUnsafe(1 << 16);
  const cuts = [start];
  try {
    for (let i = 1; i < parts; i++) {
      const at = Math.max(cuts[cuts.length - 1], Math.floor(start + ((size - start) * i) / parts));
      cuts.push(lineStartAfter(fd, at, size, probe));
    }
  } finally {
    fs.closeSync(fd);
  }
  cuts.push(size);
  return cuts
    .slice(0, -1)
    .map((c, i) => [c, cuts[i + 1]] as [number, number])
    .filter(([a, b]) => b > a);
}

/**
 * The end of the file's first rows (about 64 KB from `start`, within the first range), whose
 * event and property values the later ranges' workers enter first (ChunkTask.seedRange).
 */
function seedEnd(file: string, start: number, end: number): number {
  const fd = fs.openSync(file, 'r');
  try {
    return lineStartAfter(fd, Math.min(end, start + (64 << 10)), end, Buffer.allocUnsafe(1 << 12));
  } finally {
    fs.closeSync(fd);
  }
}

function headerEnd(file: string, from: number): number {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    const n = fs.readSync(fd, buf, 0, buf.length, from);
    const lf = buf.subarray(0, n).indexOf(10);
    return lf < 0 ? from + n : from + lf + 1;
  } finally {
    fs.closeSync(fd);
  }
}

/** A worker started before its task is known: it boots (about 50 ms) while the ranges and seeds are worked out. */
function startWorker(): Worker {
  const script = workerScript(import.meta.url, 'parse-worker')!;
  return new Worker(script.code, { eval: script.eval });
}

/**
 * The later ranges' string user ids matched by the first range's worker, in the index its parse
 * built (parse-chunk-wasm.ts matchLaterUsers); null when it kept no index. Always asked when the
 * first range kept one (with no ids when they are not wanted), so that the thread lets go of it.
 */
function matchInFirstWorker(w: Worker, results: ChunkResult[], want: boolean): Promise<Uint32Array[] | null> {
  return new Promise((resolve, reject) => {
    w.once('message', (m: { maps: Uint32Array[] | null }) => {
      w.removeListener('error', reject);
      resolve(want ? m.maps : null);
    });
    w.once('error', reject);
    w.postMessage({ type: 'match-users', dicts: want ? results.slice(1).map((r) => r.users) : [] });
  });
}

function runWorker(w: Worker, task: ChunkTask, onBytes: (n: number) => void, signal: AbortSignal): Promise<ChunkResult> {
  return new Promise((resolve, reject) => {
    const abort = () => {
      void w.terminate();
      reject(new IafaError('cancelled', 'The import was cancelled.'));
    };
    signal.addEventListener('abort', abort, { once: true });
    w.on('message', (m: { type: string; bytes?: number; result?: ChunkResult; error?: { kind: string; message: string; details?: unknown } }) => {
      if (m.bytes) onBytes(m.bytes);
      if (m.type === 'done') {
        signal.removeEventListener('abort', abort);
        w.removeAllListeners('message');
        w.removeAllListeners('error');
        resolve(m.result!);
      } else if (m.type === 'error') {
        signal.removeEventListener('abort', abort);
        void w.terminate();
        reject(new IafaError(m.error!.kind as 'validation', m.error!.message, m.error!.details));
      }
    });
    w.on('error', (e) => {
      signal.removeEventListener('abort', abort);
      reject(e);
    });
    w.postMessage({ type: 'parse', task });
  });
}

/**
 * Parses a CSV in newline-aligned ranges, one per worker thread (or the whole file on this
 * thread when `workers` is 0: a small file is read before a worker would have started), and
 * merges the ranges in file order (so ties keep file order exactly as the sequential reader
 * does). Returns false, having changed nothing, when the file has quote characters: then a
 * newline may sit inside a field and only the sequential reader can tell.
 */
export async function readCsvChunks(
  src: CsvSource,
  mapping: ImportMapping,
  builder: EventLogBuilder,
  workers: number | Worker[],
  p: ReadProgress,
  reader?: 'wasm' | 'js',
): Promise<boolean> {
  lastCsvRead.startAt = performance.now();
  const pool = typeof workers === 'number' ? Array.from({ length: workers }, takeWorker) : workers;
  let results: ChunkResult[];
  let matched: MatchedUsers | null = null;
  let plan: MergePlan | null = null;
  lastCsvRead.workerUserMatchMs = 0;
  try {
    const start = headerEnd(src.path, src.bom);
    const ranges = splitRanges(src.path, start, src.size, Math.max(1, pool.length));
    let done = start;
    const base: ChunkTask = { file: src.path, start, end: start, delim: src.delim, header: src.header, mapping, reader };
    const seedRange: [number, number] | undefined = ranges.length > 1 ? [start, seedEnd(src.path, start, ranges[0][1])] : undefined;
    // (The first range starts with the seed rows: its codes for them are the seeds' already.)
    const task = ([a, b]: [number, number], i: number): ChunkTask => ({
      ...base,
      start: a,
      end: b,
      seedRange: i > 0 ? seedRange : undefined,
      keepUsers: i === 0 && ranges.length > 1 && pool.length > 0,
    });
    if (pool.length === 0) {
      results = ranges.map((r, i) => parseChunk(task(r, i), (n) => p.report(0, start + n)));
      p.rowsRead?.();
    } else {
      results = await Promise.all(ranges.map((r, i) => runWorker(pool[i], task(r, i), (n) => p.report(0, (done += n)), p.signal)));
      p.rowsRead?.();
      // One finished worker stays, as the helper for the merge and the funnels (helper-thread.ts);
      // not the first range's while it still matches the others' user ids.
      const matching = results.length > 1 ? pool[0] : null;
      for (const w of [...pool].reverse()) if (w !== matching && !adoptHelper(w)) void w.terminate();
      if (matching) {
        const u0 = performance.now();
        const want = wantsUserMatch(builder, results);
        const reply = matchInFirstWorker(matching, results, want);
        // While its worker matches the others' ids: the first range's ids go in as they are, and
        // the merge sets up what needs no user.
        const users = want ? firstChunkUsers(results) : null;
        if (want) plan = planMerge(builder, results);
        const maps = await reply;
        matched = maps && users && matchedUsers(users, results, maps);
        if (matched) lastCsvRead.workerUserMatchMs = performance.now() - u0;
        if (!adoptHelper(matching)) void matching.terminate();
      }
    }
  } catch (err) {
    for (const w of pool) void w.terminate();
    throw err;
  }
  if (p.signal.aborted) throw new IafaError('cancelled', 'The import was cancelled.');
  if (results.some((r) => r.quoted)) return false;
  const m0 = performance.now();
  absorbChunks(builder, results, matched, plan);
  lastCsvRead.doneAt = performance.now();
  lastCsvRead.mergeMs = lastCsvRead.doneAt - m0;
  lastCsvRead.chunks = results.flatMap((r) => (r.timing ? [r.timing] : []));
  p.report(builder.rows, src.size);
  return true;
}
