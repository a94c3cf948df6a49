import type { Codes } from './store';
import { newScratch, sortPairs } from './sort-rows';

/**
 * The chunk merge's copies (merge-chunks.ts), in two rounds of blocks that touch disjoint rows,
 * so the import's helper thread takes blocks too (helper-thread.ts runBlocks), on shared columns:
 * - 'copy': a piece of one chunk's runs of rows, into the merged time and code columns. Pieces
 *   follow the chunk's own order, so the reads are sequential and the writes scattered (the
 *   other way round, every run a random read, took 1.8x as long);
 * - 'order': a block of users: those whose rows came from several chunks with interleaving times
 *   are sorted again, each column following while the block's rows are still in cache.
 */
export interface MergeJob {
  type: 'merge';
  phase: 'copy' | 'order';
  /** The merged times; user u's rows are [start[u], start[u + 1]). */
  time: Float64Array;
  start: Uint32Array;
  /**
   * Per later chunk w (1, 2, ...: block w - 1 of nUsers entries), per user: where its rows from
   * chunk w begin when an earlier chunk's precede them, else 0. Each chunk's rows of a user are
   * in time order already: these are the only places its merged rows can be out of order.
   */
  bounds: Uint32Array;
  /** Order block b is the users [cuts[b], cuts[b + 1]). */
  cuts: Uint32Array;
  chunks: ChunkRuns[];
  columns: { dst: Codes; parts: (CodeSource | null)[] }[];
}

/**
 * A chunk's codes for one column and how they become ours: through `map` (code -> ours), or as
 * they are when `map` is null. A `shift` other than 0 says the map is just that: ours are the
 * chunk's codes plus `shift`, but code 0 (the empty value), which stays 0 (an id column whose
 * values were appended after the earlier chunks'), and 4-byte codes are then copied without
 * reading the map at random.
 */
export interface CodeSource {
  src: Codes;
  map: Uint32Array | null;
  shift: number;
}

/** One chunk's runs as [source, destination, length] triples in source order; copy piece p is triples [at[p], at[p + 1]). */
export interface ChunkRuns {
  time: Float64Array;
  runs: Uint32Array;
  at: Uint32Array;
}

/** Copy pieces per chunk: enough that the two threads end close together. */
export const COPY_PIECES = 16;

/** Blocks of a merge job's round: copy pieces of every chunk, or blocks of users. */
export function mergeBlocks(j: Omit<MergeJob, 'type'>): number {
  return j.phase === 'copy' ? j.chunks.length * COPY_PIECES : j.cuts.length - 1;
}

export function mergeBlock(j: Omit<MergeJob, 'type'>, b: number): void {
  if (j.phase === 'copy') {
    const w = Math.floor(b / COPY_PIECES);
    const c = j.chunks[w];
    const k0 = 3 * c.at[b % COPY_PIECES];
    const k1 = 3 * c.at[(b % COPY_PIECES) + 1];
    copyTimeRuns(j.time, c.time, c.runs, k0, k1);
    for (const col of j.columns) {
      const p = col.parts[w];
      if (p && p.shift !== 0 && col.dst instanceof Uint32Array && p.src instanceof Uint32Array) copyShifted32(col.dst, p.src, c.runs, k0, k1, p.shift);
      else if (p) copyCodeRuns(col.dst, p.src, c.runs, k0, k1, p.map);
    }
    return;
  }
  const orders = resortSplitUsers(j.start, j.bounds, j.time, j.cuts[b], j.cuts[b + 1]);
  if (orders.users.length > 0) for (const col of j.columns) applyOrders(col.dst, orders);
}

// Times and codes have a copy function each, so that each stays specialised to few array
// types (one taking both ran three times slower).
function copyTimeRuns(out: Float64Array, src: Float64Array, runs: Uint32Array, k0: number, k1: number): void {
  for (let k = k0; k < k1; k += 3) {
    const a = runs[k];
    const e = a + runs[k + 2];
    if (e - a > 512) out.set(src.subarray(a, e), runs[k + 1]);
    else for (let i = a, o = runs[k + 1]; i < e; i++) out[o++] = src[i];
  }
}

/** `map` null: the chunk's codes are ours already. */
function copyCodeRuns(out: Codes, src: Codes, runs: Uint32Array, k0: number, k1: number, map: Uint32Array | null): void {
  // One loop per array type: a loop over two Codes unions was polymorphic at every element
  // (about 20 ns each), which made this most of the merge on files with many short user runs.
  if (!map && out instanceof Uint8Array && src instanceof Uint8Array) copySame8(out, src, runs, k0, k1);
  else if (!map && out instanceof Uint16Array && src instanceof Uint16Array) copySame16(out, src, runs, k0, k1);
  else if (map && out instanceof Uint16Array && src instanceof Uint16Array) copyMapped16(out, src, runs, k0, k1, map);
  else copyAny(out, src, runs, k0, k1, map);
}

function copySame8(out: Uint8Array, src: Uint8Array, runs: Uint32Array, k0: number, k1: number): void {
  for (let k = k0; k < k1; k += 3) {
    const a = runs[k];
    const e = a + runs[k + 2];
    if (e - a > 2048) out.set(src.subarray(a, e), runs[k + 1]);
    else for (let i = a, o = runs[k + 1]; i < e; i++) out[o++] = src[i];
  }
}

function copySame16(out: Uint16Array, src: Uint16Array, runs: Uint32Array, k0: number, k1: number): void {
  for (let k = k0; k < k1; k += 3) {
    const a = runs[k];
    const e = a + runs[k + 2];
    if (e - a > 2048) out.set(src.subarray(a, e), runs[k + 1]);
    else for (let i = a, o = runs[k + 1]; i < e; i++) out[o++] = src[i];
  }
}

function copyMapped16(out: Uint16Array, src: Uint16Array, runs: Uint32Array, k0: number, k1: number, map: Uint32Array): void {
  for (let k = k0; k < k1; k += 3) {
    const a = runs[k];
    const e = a + runs[k + 2];
    for (let i = a, o = runs[k + 1]; i < e; i++) out[o++] = map[src[i]];
  }
}

function copyShifted32(out: Uint32Array, src: Uint32Array, runs: Uint32Array, k0: number, k1: number, shift: number): void {
  for (let k = k0; k < k1; k += 3) {
    const a = runs[k];
    const e = a + runs[k + 2];
    for (let i = a, o = runs[k + 1]; i < e; i++) {
      const c = src[i];
      out[o++] = c === 0 ? 0 : c + shift;
    }
  }
}

function copyAny(out: Codes, src: Codes, runs: Uint32Array, k0: number, k1: number, map: Uint32Array | null): void {
  for (let k = k0; k < k1; k += 3) {
    const a = runs[k];
    const e = a + runs[k + 2];
    if (!map && e - a > 512) out.set(src.subarray(a, e), runs[k + 1]);
    else if (!map) for (let i = a, o = runs[k + 1]; i < e; i++) out[o++] = src[i];
    else for (let i = a, o = runs[k + 1]; i < e; i++) out[o++] = map[src[i]];
  }
}

interface Orders {
  /** Each reordered user as [start, length] pairs. */
  users: number[];
  /** For all of them back to back, the user-relative source of each new position. */
  perm: Uint32Array;
}

/**
 * The users of [u0, u1) with rows from several chunks whose times interleave: a stable sort of
 * their times, in place (ties keep chunk order, which is file order). Whether they interleave is
 * read at the chunks' bounds alone (scanning every user's rows was most of this round).
 */
function resortSplitUsers(start: Uint32Array, bounds: Uint32Array, time: Float64Array, u0: number, u1: number): Orders {
  const scratch = newScratch();
  const users: number[] = [];
  const nUsers = start.length - 1;
  const later = nUsers > 0 ? bounds.length / nUsers : 0;
  let perm = new Uint32Array(1024);
  let used = 0;
  for (let u = u0; u < u1; u++) {
    let sorted = true;
    for (let w = 0; w < later && sorted; w++) {
      const at = bounds[w * nUsers + u];
      sorted = at === 0 || time[at - 1] <= time[at];
    }
    if (sorted) continue;
    const a = start[u];
    const e = start[u + 1];
    const len = e - a;
    if (used + len > perm.length) {
      const next = new Uint32Array(Math.max(perm.length * 2, used + len));
      next.set(perm.subarray(0, used));
      perm = next;
    }
    const p = perm.subarray(used, used + len);
    for (let i = 0; i < len; i++) p[i] = i;
    sortPairs(time.subarray(a, e), p, 0, len, scratch);
    users.push(a, len);
    used += len;
  }
  return { users, perm };
}

/** The reorder resortSplitUsers gave the times, on one code column. */
function applyOrders(col: Codes, orders: Orders): void {
  const { users, perm } = orders;
  let tmp = new Uint32Array(256);
  for (let k = 0, o = 0; k < users.length; k += 2) {
    const a = users[k];
    const len = users[k + 1];
    if (tmp.length < len) tmp = new Uint32Array(len * 2);
    for (let i = 0; i < len; i++) tmp[i] = col[a + perm[o + i]];
    col.set(tmp.subarray(0, len), a);
    o += len;
  }
}
