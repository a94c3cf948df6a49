import fs from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { IafaError, type ImportMapping } from '../../shared/contract';
import type { EventLogBuilder } from './event-builder';
import { adoptHelper } from '../helper-thread';
import { workerScript } from '../worker-script';
import { absorbChunks, mergeFirstUsers, type EarlyUsers } from './merge-chunks';
import { parseChunk, type ChunkResult, type ChunkTask } from './parse-chunk';
import type { ReadProgress } from './read-csv';
import type { CsvSource } from './source';
import type { RawDict } from './bytes-dict';
import { lastCsvRead } from './profile';

/** The worker threads readCsvChunks will want for a file of `size` bytes, started ahead. */
export function prestartWorkers(size: number, minBytes: number, wanted?: number): Worker[] {
  return Array.from({ length: parallelWorkers(size, minBytes, wanted) }, startWorker);
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
 * The event and property values of the file's first rows (about 64 KB), in first-seen order.
 * Every worker enters them into its dictionaries before its own rows: then the workers give
 * these values the same codes, and the merge copies their columns as they are instead of
 * translating every code (most property columns have no value the first rows lack). The first
 * chunk starts with these very rows, so the codes stay in the file's first-seen order.
 */
function seedsFrom(task: ChunkTask, end: number): Record<string, string[]> | undefined {
  const fd = fs.openSync(task.file, 'r');
  let prefixEnd: number;
  try {
    prefixEnd = lineStartAfter(fd, Math.min(end, task.start + (64 << 10)), end, Buffer.allocUnsafe(1 << 12));
  } finally {
    fs.closeSync(fd);
  }
  const head = parseChunk({ ...task, end: prefixEnd }, () => {});
  if (head.quoted) return undefined;
  const text = (d: RawDict) => Array.from(d.offs.subarray(1), (o, i) => Buffer.from(d.pool.buffer, d.pool.byteOffset + o, d.lens[i + 1]).toString('utf8'));
  return Object.fromEntries(head.columns.map((c) => [c.name, text(c.dict)]));
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
  const pool = typeof workers === 'number' ? Array.from({ length: workers }, startWorker) : workers;
  let results: ChunkResult[];
  let early: EarlyUsers | null = null;
  lastCsvRead.earlyUserMergeMs = 0;
  try {
    const start = headerEnd(src.path, src.bom);
    const ranges = splitRanges(src.path, start, src.size, Math.max(1, pool.length));
    let done = start;
    const base: ChunkTask = { file: src.path, start, end: start, delim: src.delim, header: src.header, mapping, reader };
    const seeds = ranges.length > 1 ? seedsFrom(base, ranges[0][1]) : undefined;
    const task = ([a, b]: [number, number]): ChunkTask => ({ ...base, start: a, end: b, seeds });
    if (pool.length === 0) results = ranges.map((r) => parseChunk(task(r), (n) => p.report(0, start + n)));
    else {
      const running = ranges.map((r, i) => runWorker(pool[i], task(r), (n) => p.report(0, (done += n)), p.signal));
      // The first range's string ids are matched as soon as it is back (mergeFirstUsers).
      running[0].then(
        (first) => (early = mergeFirstUsers(builder, first, running.length)),
        () => {},
      );
      results = await Promise.all(running);
    }
  } catch (err) {
    for (const w of pool) void w.terminate();
    throw err;
  }
  // One finished worker stays, as the helper for the merge and the funnels (helper-thread.ts).
  for (const w of pool) if (!adoptHelper(w)) void w.terminate();
  if (p.signal.aborted) throw new IafaError('cancelled', 'The import was cancelled.');
  if (results.some((r) => r.quoted)) return false;
  const m0 = performance.now();
  absorbChunks(builder, results, early);
  lastCsvRead.doneAt = performance.now();
  lastCsvRead.mergeMs = lastCsvRead.doneAt - m0;
  lastCsvRead.chunks = results.flatMap((r) => (r.timing ? [r.timing] : []));
  p.report(builder.rows, src.size);
  return true;
}
