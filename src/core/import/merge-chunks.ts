import { ByteDict, type RawDict } from './bytes-dict';
import type { ColBuilder, EventLogBuilder } from './event-builder';
import type { ChunkResult } from './parse-chunk';
import { canSplit, runBlocks } from '../helper-thread';
import { COPY_PIECES, mergeBlock, mergeBlocks, type ChunkRuns, type CodeSource, type MergeJob } from './copy-blocks';
import { allocCodes, type Codes } from './store';
import { lastCsvRead } from './profile';
import { appendMatched, UserMerger } from './merge-users-wasm';

/** Codes of a worker's dictionary values in ours, adding the new ones (first-seen order kept). */
function remap(dict: ByteDict, values: RawDict): Uint32Array {
  const { pool, offs, lens } = values;
  const map = new Uint32Array(offs.length);
  // Into an empty dictionary, a chunk's values (distinct already, code 0 the empty one) keep
  // their codes, appended unhashed: hashing an id column's million values here cost more than
  // reading them. (The table is rebuilt only if another chunk's values are looked up.)
  if (dict.size === 1 && offs.length > 0 && lens[0] === 0) return dict.appendAll(values);
  // From the worker's bytes: making a string per value cost more than the remap itself.
  for (let i = 0; i < offs.length; i++) map[i] = dict.add(pool, offs[i], offs[i] + lens[i]);
  return map;
}

/**
 * Global codes of each chunk's users, in first-seen order. When every id is a plain decimal
 * number (the usual case), ids are matched by value through an array or a Map and appended to
 * the dictionary unhashed: hashing a few hundred thousand ids' bytes was most of this merge.
 */
function mergeUsers(b: EventLogBuilder, chunks: ChunkResult[], matched: MatchedUsers | null): Uint32Array[] {
  if (matched && b.users.size <= 1) {
    b.users = matched.users;
    return matched.maps;
  }
  const total = chunks.reduce((a, c) => a + c.users.offs.length, 0);
  const ids = b.users.size <= 1 ? chunks.map(numericIds) : [];
  if (ids.length === 0 || ids.some((x) => x === null)) {
    if (b.users.size <= 1) {
      const merger = new UserMerger(total);
      if (chunks.every((c) => merger.add(c))) {
        b.users = merger.users;
        return merger.maps;
      }
      // Sized once for every chunk's users, rather than grown (and rehashed) a dozen times.
      b.users = new ByteDict(total);
    }
    return chunks.map((c) => remap(b.users, c.users));
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of ids as Float64Array[]) [lo, hi] = extend(v, lo, hi);
  // (No ids at all, lo > hi, when every row's user id was empty: those rows are all skipped.)
  const dense = lo <= hi && hi - lo < Math.max(4 * total, 1 << 20) ? new Int32Array(hi - lo + 1).fill(-1) : null;
  const sparse = dense ? null : new Map<number, number>();
  const users = new ByteDict(total);
  b.users = users;
  return chunks.map((c, w) => (dense ? mapDenseIds(ids[w]!, c.users, dense, lo, users) : mapSparseIds(ids[w]!, c.users, sparse!, users)));
}

// A chunk's users in ours by their numeric ids: through an array over the id range when the
// ids are dense, else a Map; ids not seen yet are appended to our dictionary unhashed.
function mapDenseIds(v: Float64Array, d: RawDict, dense: Int32Array, lo: number, users: ByteDict): Uint32Array {
  const map = new Uint32Array(d.offs.length);
  for (let l = 1; l < map.length; l++) {
    let g = dense[v[l] - lo];
    if (g < 0) dense[v[l] - lo] = g = users.appendNew(d.pool, d.offs[l], d.offs[l] + d.lens[l]);
    map[l] = g;
  }
  return map;
}

function mapSparseIds(v: Float64Array, d: RawDict, sparse: Map<number, number>, users: ByteDict): Uint32Array {
  const map = new Uint32Array(d.offs.length);
  for (let l = 1; l < map.length; l++) {
    let g = sparse.get(v[l]) ?? -1;
    if (g < 0) {
      g = users.appendNew(d.pool, d.offs[l], d.offs[l] + d.lens[l]);
      sparse.set(v[l], g);
    }
    map[l] = g;
  }
  return map;
}

/** A chunk's user ids as numbers (by value, from the reader or from their text), or null when some is not a canonical decimal. */
function numericIds(c: ChunkResult): Float64Array | null {
  return c.userIds && allNumbers(c.userIds) ? c.userIds : decimalIds(c.users);
}

/** Every chunk's users in one dictionary (first-seen order) and each chunk's codes in it. */
export interface MatchedUsers {
  users: ByteDict;
  maps: Uint32Array[];
}

/**
 * Whether the chunks' user ids are best matched by the first range's worker, in the index its
 * parse built (readCsvChunks): string ids into an empty builder. (Ids that are all numbers are
 * matched by value here, faster still.)
 */
export function wantsUserMatch(b: EventLogBuilder, chunks: ChunkResult[]): boolean {
  return chunks.length > 1 && b.rows === 0 && b.users.size <= 1 && !chunks.some((c) => c.quoted) && chunks.some((c) => numericIds(c) === null);
}

/** The merged dictionary begun (done while the first range's worker matches the others' ids): the first chunk's users, whose codes stay theirs. */
export function firstChunkUsers(chunks: ChunkResult[]): MatchedUsers {
  const users = new ByteDict(chunks.reduce((a, c) => a + c.users.offs.length, 0));
  const first = users.appendAll(chunks[0].users);
  users.flatten();
  return { users, maps: [first] };
}

/** The merged dictionary completed from the codes the first range's worker gave the later chunks' ids (`maps`, one per later chunk). */
export function matchedUsers(begun: MatchedUsers, chunks: ChunkResult[], maps: Uint32Array[]): MatchedUsers {
  maps.forEach((map, w) => appendMatched(begun.users, chunks[w + 1].users, map));
  return { users: begun.users, maps: [...begun.maps, ...maps] };
}

/** Whether every id but code 0's (the empty one) is a number. */
function allNumbers(v: Float64Array): boolean {
  for (let l = 1; l < v.length; l++) if (v[l] !== v[l]) return false;
  return true;
}

/** [lo, hi] widened to the ids of codes 1 on. */
function extend(v: Float64Array, lo: number, hi: number): [number, number] {
  for (let l = 1; l < v.length; l++) {
    if (v[l] < lo) lo = v[l];
    if (v[l] > hi) hi = v[l];
  }
  return [lo, hi];
}

/** Each value as a number when all are canonical decimals ("7", not "07" or "7.0"); else null. Code 0 (empty) is skipped. */
function decimalIds(d: RawDict): Float64Array | null {
  const out = new Float64Array(d.offs.length);
  for (let c = 1; c < d.offs.length; c++) {
    const a = d.offs[c];
    const len = d.lens[c];
    if (len === 0 || len > 15 || (len > 1 && d.pool[a] === 48)) return null;
    let v = 0;
    for (let i = a; i < a + len; i++) {
      const x = d.pool[i] - 48;
      if (x < 0 || x > 9) return null;
      v = v * 10 + x;
    }
    out[c] = v;
  }
  return out;
}

/**
 * Adds the workers' chunks (in file order) to the builder. Into an empty builder, each chunk's
 * rows are already ordered by (user, time), so each user's run is copied straight to its final
 * place, in the final code width, and the builder is marked grouped: the import skips its own
 * sort. A user whose rows come from several chunks gets them back to back in chunk order, which
 * is already time-ordered unless the chunks interleave in time; only those users are sorted
 * again (stably, so ties keep file order).
 */
export function absorbChunks(b: EventLogBuilder, chunks: ChunkResult[], matched: MatchedUsers | null = null, plan: MergePlan | null = null): void {
  let lineOffset = 1;
  for (const c of chunks) {
    b.warnings.merge(c.warnings, lineOffset);
    lineOffset += c.lines;
  }
  if (b.rows > 0) {
    for (const c of chunks) appendChunk(b, c);
    return;
  }
  const u0 = performance.now();
  const userMaps = mergeUsers(b, chunks, matched);
  lastCsvRead.userMergeMs = performance.now() - u0;
  const { split, rows, time, columns, codes, eventCounts } = plan ?? planMerge(b, chunks);
  const nUsers = b.users.size;
  const shared = (bytes: number) => (split ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const start = new Uint32Array(shared((nUsers + 1) * 4));
  chunks.forEach((c, w) => countRuns(c.userStart, userMaps[w], start));
  for (let u = 0; u < nUsers; u++) start[u + 1] += start[u];
  const n = start[nUsers];
  if (n !== rows) throw new Error(`merge: the chunks' users hold ${n} rows, their columns ${rows}`);
  const cuts = blockCuts(start, ORDER_BLOCKS);
  const bounds = new Uint32Array(shared((chunks.length - 1) * nUsers * 4));
  const runs = chunkRuns(chunks, userMaps, start, bounds, shared);
  // Every copy is done before any user is ordered: two rounds. While the helper starts on the
  // copies, this thread sends the users off to be written (they are final already).
  for (const phase of ['copy', 'order'] as const) {
    const job: Omit<MergeJob, 'type'> = { phase, time, start, bounds, cuts, chunks: runs, columns };
    runBlocks(split ? { ...job, type: 'merge' } : null, mergeBlocks(job), (k) => mergeBlock(job, k), {
      first:
        phase === 'copy'
          ? () => {
              b.usersFinal(start);
              b.idColumnsFinal();
            }
          : undefined,
      // (Ordering sorts in place: a block the helper left half done cannot be redone.)
      redo: phase === 'copy',
    });
  }
  b.time.length = n;
  b.timeFinal();
  b.rows = n;
  b.grouped = { rows: n, start, codes, eventCounts };
}

/** What the merge sets up before it knows the users: the merged columns, and each chunk's codes in ours. */
export interface MergePlan {
  /** Whether the helper thread takes blocks of the merge (the columns are then in shared memory). */
  split: boolean;
  rows: number;
  time: Float64Array;
  columns: MergeJob['columns'];
  codes: Map<ColBuilder, Codes>;
  eventCounts?: Float64Array;
}

/**
 * The merge's first part, which needs no user: the chunks' property and event dictionaries
 * entered into the builder's, and the merged columns allocated. readCsvChunks runs it while the
 * first range's worker matches the user ids. Into an empty builder only (absorbChunks).
 */
export function planMerge(b: EventLogBuilder, chunks: ChunkResult[]): MergePlan {
  // With the helper thread and columns in shared memory (the WebAssembly reader's), the helper
  // takes blocks of the merge's copies and orderings while this thread takes others
  // (copy-blocks.ts). The merged columns are then shared too, and the first funnels on them
  // split their pass with the funnel helper.
  const rows = chunks.reduce((a, c) => a + c.rows, 0);
  const split = canSplit(rows, ...chunks.flatMap((c) => [c.time, ...c.columns.map((col) => col.codes)]));
  if (split) b.time.data = new Float64Array(new SharedArrayBuffer(rows * 8));
  else b.time.grow(rows);
  const codes = new Map<ColBuilder, Codes>();
  // The readers counted each chunk's events: the import lists them without a pass over the rows.
  let eventCounts: Float64Array | undefined;
  const columns: MergeJob['columns'] = [];
  const names = [...new Set(chunks.flatMap((c) => c.columns.map((col) => col.name)))];
  for (const name of names) {
    const target = name === '\u0000event' ? b.event : b.colFor(name);
    const parts = chunks.map((c) => c.columns.find((col) => col.name === name));
    // An id-like column the readers left unhashed stays so: the chunks' values are appended.
    const repeats = parts.some((col) => col?.repeats);
    if (repeats) target.repeats = true;
    const shifts = repeats ? parts.map((col) => (col ? target.dict.appendAllShifted(col.dict) : 0)) : null;
    const maps = shifts ? null : parts.map((col) => (col ? remap(target.dict, col.dict) : null));
    const out = allocCodes(rows, target.dict.size, split);
    columns.push({
      dst: out,
      parts: parts.map((col, w) => (!col ? null : shifts ? shiftedSource(col.codes, col.dict.offs.length, shifts[w], out) : codeSource(col.codes, maps![w]!))),
    });
    codes.set(target, out);
    if (target === b.event && maps && chunks.every((c) => c.eventCounts)) {
      eventCounts = new Float64Array(target.dict.size);
      chunks.forEach((c, w) => c.eventCounts!.forEach((k, code) => (eventCounts![maps[w]![code]] += k)));
    }
  }
  return { split, rows, time: b.time.data, columns, codes, eventCounts };
}

/** Blocks of users the merge's ordering round is cut into (as the funnel pass: the two threads end close together). */
const ORDER_BLOCKS = 32;

/** Block cuts of about equal rows: block k is the users [cuts[k], cuts[k + 1]). */
function blockCuts(start: Uint32Array, blocks: number): Uint32Array {
  const nUsers = start.length - 1;
  const cuts = new Uint32Array(blocks + 1);
  let u = 0;
  for (let k = 1; k < blocks; k++) {
    const rows = (start[nUsers] * k) / blocks;
    while (u < nUsers && start[u] < rows) u++;
    cuts[k] = u;
  }
  cuts[blocks] = nUsers;
  return cuts;
}

/** How a chunk's codes become ours (copy-blocks.ts): as they are, shifted (all but code 0), or through the map. */
function codeSource(src: Codes, map: Uint32Array): CodeSource {
  const shift = map.length > 1 ? map[1] - 1 : 0;
  for (let i = 1; i < map.length; i++) if (map[i] !== i + shift) return { src, map, shift: 0 };
  return { src, map: shift === 0 ? null : map, shift };
}

/** A chunk's codes appended whole (appendAllShifted): shifted as they are copied, through a map only where the widths differ. */
function shiftedSource(src: Codes, values: number, shift: number, out: Codes): CodeSource {
  if (shift === 0) return { src, map: null, shift: 0 };
  if (src instanceof Uint32Array && out instanceof Uint32Array) return { src, map: null, shift };
  const map = new Uint32Array(values);
  for (let i = 1; i < values; i++) map[i] = i + shift;
  return { src, map, shift: 0 };
}

/**
 * Each chunk's runs of rows as [source, destination, length] triples in the chunk's order (a
 * user's runs go back to back in chunk order), neighbours joined when both sides are contiguous
 * (the common case when users are met in one chunk only), cut into COPY_PIECES of about equal
 * rows. Where a later chunk's run follows an earlier one's goes into `bounds` (MergeJob.bounds).
 */
function chunkRuns(
  chunks: ChunkResult[],
  userMaps: Uint32Array[],
  start: Uint32Array,
  bounds: Uint32Array,
  shared: (bytes: number) => ArrayBufferLike,
): ChunkRuns[] {
  const nUsers = start.length - 1;
  const cursor = start.slice(0, nUsers);
  return chunks.map((c, w) => {
    const us = c.userStart;
    const map = userMaps[w];
    const runs = new Uint32Array(shared(us.length * 12));
    const at = new Uint32Array(shared((COPY_PIECES + 1) * 4));
    const rows = us[us.length - 1];
    let piece = 1;
    let k = -3;
    for (let l = 0; l < map.length; l++) {
      const a = us[l];
      const len = us[l + 1] - a;
      if (len === 0) continue;
      const u = map[l];
      const off = cursor[u];
      cursor[u] += len;
      if (w > 0 && off > start[u]) bounds[(w - 1) * nUsers + u] = off;
      for (; piece < COPY_PIECES && a >= (rows * piece) / COPY_PIECES; piece++) at[piece] = (k + 3) / 3;
      if (k >= 3 * at[piece - 1] && runs[k] + runs[k + 2] === a && runs[k + 1] + runs[k + 2] === off) runs[k + 2] += len;
      else {
        k += 3;
        runs[k] = a;
        runs[k + 1] = off;
        runs[k + 2] = len;
      }
    }
    for (; piece <= COPY_PIECES; piece++) at[piece] = (k + 3) / 3;
    return { time: c.time, runs, at };
  });
}

/** Adds a chunk's rows per user (by global code) into start[code + 1]. */
function countRuns(userStart: Uint32Array, map: Uint32Array, start: Uint32Array): void {
  for (let l = 0; l < map.length; l++) start[map[l] + 1] += userStart[l + 1] - userStart[l];
}

/** A chunk added after other rows (a second file): appended as they are; the import sorts later. */
function appendChunk(b: EventLogBuilder, c: ChunkResult): void {
  const base = b.rows;
  const n = c.rows;
  b.reserve(n);
  const users = remap(b.users, c.users);
  const uc = b.userCodes.data;
  for (let l = 0; l + 1 < c.userStart.length; l++) uc.fill(users[l], base + c.userStart[l], base + c.userStart[l + 1]);
  b.time.data.set(c.time, base);
  for (const col of c.columns) {
    const target = col.name === '\u0000event' ? b.event : b.colFor(col.name);
    target.codes.padTo(base);
    target.codes.grow(base + n);
    const map = remap(target.dict, col.dict);
    const out = target.codes.data;
    for (let i = 0; i < n; i++) out[base + i] = map[col.codes[i]];
  }
  b.rows = base + n;
  b.settleLengths();
}
