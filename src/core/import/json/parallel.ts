import fs from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { IafaError } from '../../../shared/contract/iafa-error';
import type { ImportMapping } from '../../../shared/contract';
import { adoptHelper } from '../../helper-thread';
import { EventLogBuilder } from '../event-builder';
import { absorbChunks } from '../merge-chunks';
import { builderResult, quotedResult, type ChunkResult } from '../parse-chunk';
import { PathTable } from './fields';
import { readRecords } from './records';
import { JsonFlattener } from './scan';
import { RecordSink } from './sink';
import { parseNdjsonKernel } from './ndjson-kernel';
import type { ByteMember } from '../containers/open';

/** One newline-aligned byte range of a plain NDJSON file, read in a worker thread. */
export interface JsonChunkTask {
  file: string;
  start: number;
  end: number;
  mapping: ImportMapping;
  /** Paths whose string values are JSON objects to flatten (see JsonFlattener.setObjectStrings). */
  objectStrings: string[];
  /** Read through the WebAssembly kernel (ndjson-kernel.ts); `quoted` comes back when it cannot. */
  kernel?: boolean;
}

const CHUNK = 4 << 20;

async function* rangeChunks(file: string, start: number, end: number): AsyncGenerator<Buffer> {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, end - start)));
  try {
    for (let pos = start; pos < end;) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
      if (n === 0) return;
      pos += n;
      yield n === buf.length ? buf : buf.subarray(0, n);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads one range into its own builder and hands back the CSV workers' result format (own
 * dictionaries, rows already ordered by user and time), so the same merge joins the ranges.
 * Duplicates are not dropped here: a twin may sit in another range (see dropDuplicates).
 */
export async function parseJsonChunk(task: JsonChunkTask): Promise<ChunkResult> {
  if (task.kernel) {
    const res = await parseNdjsonKernel({ file: task.file, start: task.start, end: task.end }, task.mapping, task.end - task.start);
    return res ?? quotedResult();
  }
  const b = new EventLogBuilder();
  const paths = new PathTable();
  const flat = new JsonFlattener(paths);
  flat.setObjectStrings(task.objectStrings);
  const sink = new RecordSink(b, paths, { ...task.mapping, dedupe: undefined }, flat.scratch);
  const records = await readRecords(rangeChunks(task.file, task.start, task.end), flat, (rec) => sink.add(flat.fields, rec - 1), task.file);
  b.endFile();
  return builderResult(b, records);
}

/** Range boundaries just after a newline, about equal in size. */
export function ndjsonRanges(file: string, size: number, parts: number): [number, number][] {
  const fd = fs.openSync(file, 'r');
  const probe = Buffer.allocUnsafe(1 << 16);
  const cuts = [0];
  try {
    for (let i = 1; i < parts; i++) {
      let at = Math.max(cuts[cuts.length - 1], Math.floor((size * i) / parts));
      for (;;) {
        const n = fs.readSync(fd, probe, 0, probe.length, at);
        if (n === 0) {
          at = size;
          break;
        }
        const lf = probe.subarray(0, n).indexOf(10);
        if (lf >= 0) {
          at += lf + 1;
          break;
        }
        at += n;
      }
      cuts.push(Math.min(at, size));
    }
  } finally {
    fs.closeSync(fd);
  }
  cuts.push(size);
  return cuts
    .slice(0, -1)
    .map((c, i) => [c, cuts[i + 1]] as [number, number])
    .filter(([a, c]) => c > a);
}

function runJsonWorker(w: Worker, task: JsonChunkTask, signal: AbortSignal): Promise<ChunkResult> {
  return new Promise((resolve, reject) => {
    const abort = () => {
      void w.terminate();
      reject(new IafaError('cancelled', 'The import was cancelled.'));
    };
    signal.addEventListener('abort', abort, { once: true });
    w.on('message', (m: { type: string; result?: ChunkResult; error?: { kind: string; message: string; details?: unknown } }) => {
      if (m.type !== 'done' && m.type !== 'error') return;
      signal.removeEventListener('abort', abort);
      w.removeAllListeners('message');
      w.removeAllListeners('error');
      if (m.type === 'done') resolve(m.result!);
      else reject(new IafaError(m.error!.kind as 'validation', m.error!.message, m.error!.details));
    });
    w.on('error', (e) => {
      signal.removeEventListener('abort', abort);
      reject(e);
    });
    w.postMessage({ type: 'parse-json', task });
  });
}

/**
 * A plain NDJSON file in ranges, one per worker thread, merged in file order by the CSV path's
 * merge (absorbChunks); then Mixpanel's duplicates are dropped over the merged rows.
 */
export async function readNdjsonParallel(
  file: string,
  size: number,
  b: EventLogBuilder,
  m: ImportMapping,
  pool: Worker[],
  signal: AbortSignal,
  objectStrings: string[],
): Promise<number> {
  let results: ChunkResult[];
  try {
    const ranges = ndjsonRanges(file, size, pool.length);
    results = await Promise.all(ranges.map((r, i) => runJsonWorker(pool[i], { file, start: r[0], end: r[1], mapping: m, objectStrings }, signal)));
  } catch (err) {
    for (const w of pool) void w.terminate();
    throw err;
  }
  for (const w of pool) if (!adoptHelper(w)) void w.terminate();
  if (signal.aborted) throw new IafaError('cancelled', 'The import was cancelled.');
  absorbChunks(b, results);
  return m.dedupe ? dedupeMerged(b, m.dedupe) : 0;
}

/**
 * NDJSON through the WebAssembly kernel: a plain file in newline-aligned ranges, one per worker
 * thread, else each member (a .gz stream, a zip's parts, a small file) on this thread, while
 * zlib inflates the next bytes on its own thread. The ranges are merged in file order as a
 * CSV's are, then Mixpanel's duplicates dropped. False, with nothing added to the builder,
 * when the kernel met what only the JavaScript reader handles (escapes, arrays, ...): the
 * caller then reads the file with it.
 */
export async function readNdjsonKernel(
  src: { path: string; size: number; container: string; members: ByteMember[] },
  b: EventLogBuilder,
  m: ImportMapping,
  pool: Worker[],
  signal: AbortSignal,
  report?: (rows: number) => void,
): Promise<boolean> {
  const results: ChunkResult[] = [];
  if (pool.length && src.container === 'plain') {
    let out: ChunkResult[];
    try {
      const ranges = ndjsonRanges(src.path, src.size, pool.length);
      out = await Promise.all(
        ranges.map((r, i) => runJsonWorker(pool[i], { file: src.path, start: r[0], end: r[1], mapping: m, objectStrings: [], kernel: true }, signal)),
      );
    } catch (err) {
      for (const w of pool) void w.terminate();
      throw err;
    }
    for (const w of pool) if (!adoptHelper(w)) void w.terminate();
    if (out.some((r) => r.quoted)) return false;
    results.push(...out);
  } else {
    for (const w of pool) void w.terminate();
    const inputs = src.container === 'plain' ? [{ file: src.path, start: 0, end: src.size }] : src.members.map((mem) => cancellable(mem, signal));
    const res = await parseNdjsonKernel(inputs, m, src.container === 'plain' ? src.size : streamSizeHint(src) * src.members.length, signal, report);
    if (!res) return false;
    results.push(res);
  }
  if (signal.aborted) throw new IafaError('cancelled', 'The import was cancelled.');
  absorbChunks(b, results);
  if (m.dedupe) await dedupeMerged(b, m.dedupe);
  return true;
}

/** A member's stream, opened when first read, stopped between chunks once the import is cancelled. */
async function* cancellable(mem: ByteMember, signal: AbortSignal): AsyncGenerator<Buffer> {
  for await (const c of mem.open()) {
    if (signal.aborted) throw new IafaError('cancelled', 'The import was cancelled.');
    yield c;
  }
}

/**
 * About how many bytes each member will inflate to, for sizing the kernel's columns once (grown
 * step by step, every step left a copy behind: a 10M-event .gz peaked 30% higher than the plain
 * file). A gzip file ends with its last member's size (exact for one member under 4 GB); else
 * ten times the compressed bytes, JSON's usual ratio. Too much costs only address space: pages
 * never written are not resident.
 */
function streamSizeHint(src: { path: string; size: number; container: string; members: unknown[] }): number {
  const guess = Math.round((src.size * 10) / Math.max(1, src.members.length));
  if (src.container !== 'gzip' || src.size < 18) return guess;
  const fd = fs.openSync(src.path, 'r');
  try {
    const tail = Buffer.alloc(4);
    fs.readSync(fd, tail, 0, 4, src.size - 4);
    const isize = tail.readUInt32LE(0);
    return isize > src.size ? isize : guess;
  } finally {
    fs.closeSync(fd);
  }
}

/** dropDuplicates, then the files the merge started writing for the rows before it are written again. */
async function dedupeMerged(b: EventLogBuilder, dedupe: string): Promise<number> {
  const dropped = dropDuplicates(b, dedupe);
  if (dropped > 0) await b.rowsDropped();
  return dropped;
}

/**
 * Mixpanel's exact duplicates (same insert id, user, event and time) over merged rows: they are
 * the same user's rows at the same time, next to each other once grouped and time-sorted, so
 * each run of equal times is compared within itself; the kept rows are then compacted.
 */
export function dropDuplicates(b: EventLogBuilder, dedupe: string): number {
  const g = b.grouped;
  const ins = b.cols.get(dedupe);
  if (!g || !ins) return 0;
  const insCodes = g.codes.get(ins);
  const evCodes = g.codes.get(b.event);
  if (!insCodes || !evCodes) return 0;
  const time = b.time.data;
  // An id column merged unhashed may give one insert id two codes: then the values compare.
  const dict = ins.dict;
  const sameId = ins.repeats ? (x: number, y: number) => x === y || dict.value(x) === dict.value(y) : (x: number, y: number) => x === y;
  const start = g.start;
  const n = g.rows;
  const drop = new Uint8Array(n);
  let dropped = 0;
  for (let u = 0; u + 1 < start.length; u++) {
    const e = start[u + 1];
    for (let r = start[u] + 1; r < e; r++) {
      if (time[r] !== time[r - 1] || insCodes[r] === 0) continue;
      // r's time equals the previous row's: compare with the whole run before it.
      for (let q = r - 1; q >= start[u] && time[q] === time[r]; q--) {
        if (!drop[q] && evCodes[q] === evCodes[r] && insCodes[q] !== 0 && sameId(insCodes[q], insCodes[r])) {
          drop[r] = 1;
          dropped++;
          break;
        }
      }
    }
  }
  if (!dropped) return 0;
  const cols = [...g.codes.entries()];
  let w = 0;
  let u = 0;
  const newStart = new Uint32Array(start.length);
  for (let r = 0; r < n; r++) {
    while (u + 1 < start.length && start[u + 1] <= r) newStart[++u] = w;
    if (drop[r]) {
      if (g.eventCounts) g.eventCounts[evCodes[r]]--;
      continue;
    }
    time[w] = time[r];
    for (const [, c] of cols) c[w] = c[r];
    w++;
  }
  while (u + 1 < start.length) newStart[++u] = w;
  for (const [k, c] of cols) g.codes.set(k, c.subarray(0, w));
  g.start = newStart;
  g.rows = w;
  b.rows = w;
  b.time.length = w;
  b.warnings.merge([{ reason: 'duplicate_event', count: dropped, lines: [] }], 0, false);
  return dropped;
}
