import type { ChunkTiming } from './profile';
import fs from 'node:fs';
import type { ImportMapping } from '../../shared/contract';
import { ByteDict, type RawDict } from './bytes-dict';
import { EventLogBuilder } from './event-builder';
import { FastEventRows } from './fast-rows';
import { kernelCanRead, parseChunkWasm } from './parse-chunk-wasm';
import { isKernelFailure } from './wasm/kernel';
import { gather, orderByUser } from './sort-rows';
import type { Codes } from './store';

export interface ChunkTask {
  file: string;
  start: number;
  end: number;
  delim: string;
  header: string[];
  mapping: ImportMapping;
  /** 'js' skips the WebAssembly reader (tests compare the two). */
  reader?: 'wasm' | 'js';
  /** Values entered into the event ('\u0000event') and property dictionaries first, in order. */
  seeds?: Record<string, string[]>;
  /** The file's first rows [start, end): their values become `seeds` (seedsFrom), read by this range's worker. */
  seedRange?: [number, number];
  /** The file's first range of several: its kernel is kept to match the others' user ids (matchLaterUsers). */
  keepUsers?: boolean;
}

/**
 * What a worker sends back: its own dictionaries, and its rows already ordered by (its own user
 * code, time), so the main thread only merges (the sort runs in parallel, one chunk per worker).
 */
export interface ChunkResult {
  quoted: boolean;
  rows: number;
  lines: number;
  users: RawDict;
  /** Row offset of each of this chunk's user codes (users + 1 entries). */
  userStart: Uint32Array;
  time: Float64Array;
  /** `repeats`: an id-like column whose dictionary may hold a value twice (the NDJSON kernel's, unhashed). */
  columns: { name: string; dict: RawDict; codes: Codes; repeats?: boolean }[];
  /** Each user code's id as a number, NaN when not a canonical decimal (WebAssembly reader). */
  userIds?: Float64Array;
  /** Rows per event code (columns[0]), when the reader counted them on the way. */
  eventCounts?: Uint32Array;
  warnings: { reason: string; count: number; lines: number[] }[];
  /** Where the worker's time went (the WebAssembly reader), for the bench. */
  timing?: ChunkTiming;
}

const PIECE = 8 << 20;

/**
 * The event and property values of the file's first rows (`head`, about 64 KB), in first-seen
 * order. Every later range's worker enters them into its dictionaries before its own rows: then
 * the workers give these values the same codes, and the merge copies their columns as they are
 * instead of translating every code (most property columns have no value the first rows lack).
 * The first range starts with these very rows, so the codes stay in the file's first-seen order.
 * (Read in the worker: on the importing thread it delayed every range's start.)
 */
function seedsFrom(task: ChunkTask, [start, end]: [number, number]): Record<string, string[]> | undefined {
  const head = parseChunk({ ...task, start, end, seedRange: undefined, seeds: undefined, keepUsers: false }, () => {});
  if (head.quoted) return undefined;
  const text = (d: RawDict) => Array.from(d.offs.subarray(1), (o, i) => Buffer.from(d.pool.buffer, d.pool.byteOffset + o, d.lens[i + 1]).toString('utf8'));
  return Object.fromEntries(head.columns.map((c) => [c.name, text(c.dict)]));
}

/**
 * Parses one newline-aligned byte range of a CSV with no quote characters (the caller falls
 * back to the single-threaded reader when `quoted` comes back true). Line numbers are local.
 */
export function parseChunk(task: ChunkTask, onBytes: (n: number) => void): ChunkResult {
  if (task.seedRange && !task.seeds) task = { ...task, seeds: seedsFrom(task, task.seedRange) };
  const b = new EventLogBuilder();
  const plan = b.plan(task.header, task.mapping);
  if (task.reader !== 'js' && kernelCanRead(task, plan)) {
    let res: ReturnType<typeof parseChunkWasm> = null;
    try {
      res = parseChunkWasm(task, plan, onBytes);
    } catch (err) {
      if (!isKernelFailure(err)) throw err;
    }
    if (res === 'quoted') return quotedResult();
    if (res) return res;
  }
  for (const [name, values] of Object.entries(task.seeds ?? {})) {
    const col = name === '\u0000event' ? b.event : b.colFor(name);
    for (const v of values) col.dict.addString(v);
  }
  const sc = new FastEventRows(b, plan, task.delim.charCodeAt(0));
  const fd = fs.openSync(task.file, 'r');
  let buf = Buffer.allocUnsafe(Math.min(PIECE, task.end - task.start + 1));
  let carry = 0;
  let pos = task.start;
  let first = true;
  try {
    for (;;) {
      if (carry === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, carry);
        buf = bigger;
      }
      const want = Math.min(buf.length - carry, task.end - pos);
      const n = want > 0 ? fs.readSync(fd, buf, carry, want, pos) : 0;
      pos += n;
      const end = carry + n;
      if (buf.subarray(carry, end).indexOf(34) !== -1) return quotedResult();
      const final = n === 0 || pos >= task.end;
      const used = sc.scan(buf, 0, end, final);
      carry = end - used;
      if (first && !final && b.rows > 0) {
        // Size the columns once from the first piece's bytes per row (+5%), instead of doubling
        // them up from 64k rows: each doubling zero-fills and copies every column again.
        first = false;
        b.reserve(Math.ceil(((task.end - task.start) / (pos - task.start - carry)) * b.rows * 1.05) - b.rows);
      }
      if (carry > 0) buf.copyWithin(0, used, end);
      onBytes(pos - task.start);
      if (final) break;
    }
  } finally {
    fs.closeSync(fd);
  }
  b.endFile();
  return builderResult(b, sc.line - 1);
}

/**
 * A finished builder as a range's result: rows ordered by (user, time), each column's codes in
 * that order with its own dictionary, so the merge joins ranges from any reader (CSV or JSON).
 */
export function builderResult(b: EventLogBuilder, lines: number): ChunkResult {
  const order = orderByUser(b.userCodes.view(), b.time.view(), b.users.size);
  const cols = [b.event, ...b.cols.values()];
  return {
    quoted: false,
    rows: b.rows,
    lines,
    users: b.users.raw(),
    userStart: order.start,
    time: order.time,
    columns: cols.map((c) => {
      const codes = new Uint32Array(b.rows);
      gather(codes, c.codes.view(), order.perm);
      return { name: c === b.event ? '\u0000event' : c.name, dict: c.dict.raw(), codes };
    }),
    warnings: b.warnings.entries(),
  };
}

/** A range the fast readers cannot take: the whole file goes to the sequential reader instead. */
export function quotedResult(): ChunkResult {
  return { ...emptyResult(), quoted: true };
}

function emptyResult(): ChunkResult {
  return {
    quoted: false,
    rows: 0,
    lines: 0,
    users: new ByteDict(16).raw(),
    userStart: new Uint32Array(1),
    time: new Float64Array(0),
    columns: [],
    warnings: [],
  };
}
