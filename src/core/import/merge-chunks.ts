import { ByteDict, type RawDict } from './bytes-dict';
import type { ColBuilder, EventLogBuilder } from './event-builder';
import type { ChunkResult } from './parse-chunk';
import { newScratch, sortPairs } from './sort-rows';
import { canSplit, runSplit } from '../helper-thread';
import { copyPart, type ChunkCopy } from './copy-blocks';
import { allocCodes, type Codes } from './store';
import { lastCsvRead } from './profile';
import { mergeUsersWasm } from './merge-users-wasm';

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
function mergeUsers(b: EventLogBuilder, chunks: ChunkResult[]): Uint32Array[] {
  const total = chunks.reduce((a, c) => a + c.users.offs.length, 0);
  const ids = b.users.size <= 1 ? chunks.map((c) => (c.userIds && allNumbers(c.userIds) ? c.userIds : decimalIds(c.users))) : [];
  if (ids.length === 0 || ids.some((x) => x === null)) {
    // Sized once for every chunk's users, rather than grown (and rehashed) a dozen times.
    if (b.users.size <= 1) b.users = new ByteDict(total);
    return mergeUsersWasm(b.users, chunks) ?? chunks.map((c) => remap(b.users, c.users));
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
export function absorbChunks(b: EventLogBuilder, chunks: ChunkResult[]): void {
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
  const userMaps = mergeUsers(b, chunks);
  lastCsvRead.userMergeMs = performance.now() - u0;
  const nUsers = b.users.size;
  // With the helper thread and columns in shared memory (the WebAssembly reader's), the helper
  // copies every other chunk (its times and codes) while this thread copies the rest. The merged
  // columns are then shared too, and the first funnels on them split their pass with it.
  const rows = chunks.reduce((a, c) => a + c.rows, 0);
  const split = canSplit(rows, ...chunks.flatMap((c) => [c.time, ...c.columns.map((col) => col.codes)]));
  const start = new Uint32Array(split ? new SharedArrayBuffer((nUsers + 1) * 4) : new ArrayBuffer((nUsers + 1) * 4));
  const sources = new Uint8Array(nUsers);
  chunks.forEach((c, w) => countRuns(c.userStart, userMaps[w], start, sources));
  for (let u = 0; u < nUsers; u++) start[u + 1] += start[u];
  const n = start[nUsers];
  // Where each chunk's run of each user goes: its user's block, after earlier chunks' rows.
  const cursor = start.slice(0, nUsers);
  const offsets = chunks.map((c, w) => runOffsets(c.userStart, userMaps[w], cursor));
  const blocks = chunks.map((c, w) => blocksOf(c.userStart, offsets[w]));
  if (split) b.time.data = new Float64Array(new SharedArrayBuffer(n * 8));
  else b.time.grow(n);
  const time = b.time.data;
  const codes = new Map<ColBuilder, Codes>();
  // The readers counted each chunk's events: the import lists them without a pass over the rows.
  let eventCounts: Float64Array | undefined;
  const copies: ChunkCopy[] = chunks.map((c, w) => ({ blocks: blocks[w], time: c.time, columns: [] }));
  const names = [...new Set(chunks.flatMap((c) => c.columns.map((col) => col.name)))];
  for (const name of names) {
    const target = name === '\u0000event' ? b.event : b.colFor(name);
    const parts = chunks.map((c) => c.columns.find((col) => col.name === name));
    // An id-like column the readers left unhashed stays so: the chunks' values are appended.
    const repeats = parts.some((col) => col?.repeats);
    if (repeats) target.repeats = true;
    const maps = parts.map((col) => (col ? (repeats ? target.dict.appendAll(col.dict) : remap(target.dict, col.dict)) : null));
    const out = allocCodes(n, target.dict.size, split);
    parts.forEach((col, w) => {
      if (col) copies[w].columns.push({ dst: out, src: col.codes, map: maps[w]! });
    });
    codes.set(target, out);
    if (target === b.event && chunks.every((c) => c.eventCounts)) {
      eventCounts = new Float64Array(target.dict.size);
      chunks.forEach((c, w) => c.eventCounts!.forEach((k, code) => (eventCounts![maps[w]![code]] += k)));
    }
  }
  const theirs = copies.filter((_, w) => w % 2 === 1);
  const mine = copies.filter((_, w) => w % 2 === 0);
  runSplit(
    split ? { type: 'copy', time, chunks: theirs } : null,
    () => copyPart({ time, chunks: mine }),
    () => copyPart({ time, chunks: theirs }),
  );
  // The times are final once split users are re-sorted: their file can be written while the
  // rest is finished (the same reorder is then applied to each code column).
  const orders = resortSplitUsers(start, sources, time);
  b.time.length = n;
  b.timeFinal();
  for (const col of codes.values()) applyOrders(col, orders);
  b.rows = n;
  b.time.length = n;
  b.grouped = { rows: n, start, codes, eventCounts };
}

/** Adds a chunk's rows per user (by global code) into start[code + 1], and counts its users' chunks. */
function countRuns(userStart: Uint32Array, map: Uint32Array, start: Uint32Array, sources: Uint8Array): void {
  for (let l = 0; l < map.length; l++) {
    const len = userStart[l + 1] - userStart[l];
    if (len === 0) continue;
    start[map[l] + 1] += len;
    sources[map[l]]++;
  }
}

/** Where each of a chunk's user runs goes, advancing each user's cursor past it. */
function runOffsets(userStart: Uint32Array, map: Uint32Array, cursor: Uint32Array): Uint32Array {
  const off = new Uint32Array(map.length);
  for (let l = 0; l < map.length; l++) {
    off[l] = cursor[map[l]];
    cursor[map[l]] += userStart[l + 1] - userStart[l];
  }
  return off;
}

/**
 * A chunk's runs of rows that land next to each other, as [source, destination, length]
 * triples: the runs of consecutive users merge into one block whenever no other chunk has rows
 * between them (always, when the chunks' users are disjoint, as in an export grouped by user),
 * so most rows move in a few long copies rather than one short run per user.
 */
function blocksOf(userStart: Uint32Array, off: Uint32Array): Uint32Array {
  const out = new Uint32Array(3 * off.length);
  let k = -3;
  for (let l = 0; l < off.length; l++) {
    const a = userStart[l];
    const len = userStart[l + 1] - a;
    if (len === 0) continue;
    if (k >= 0 && out[k] + out[k + 2] === a && out[k + 1] + out[k + 2] === off[l]) {
      out[k + 2] += len;
      continue;
    }
    k += 3;
    out[k] = a;
    out[k + 1] = off[l];
    out[k + 2] = len;
  }
  return out.subarray(0, k + 3);
}

/**
 * Users with rows from several chunks whose times interleave: a stable sort of their block of
 * times, in place. Returns each reordered block as [start, length] pairs and, for all of them
 * back to back, the block-relative source of each new position, for applyOrders.
 */
function resortSplitUsers(start: Uint32Array, sources: Uint8Array, time: Float64Array): { blocks: number[]; perm: Uint32Array } {
  const scratch = newScratch();
  const blocks: number[] = [];
  let perm = new Uint32Array(1024);
  let used = 0;
  for (let u = 0; u < sources.length; u++) {
    if (sources[u] < 2) continue;
    const a = start[u];
    const e = start[u + 1];
    let sorted = true;
    for (let i = a + 1; i < e && sorted; i++) sorted = time[i - 1] <= time[i];
    if (sorted) continue;
    const len = e - a;
    if (used + len > perm.length) {
      const next = new Uint32Array(Math.max(perm.length * 2, used + len));
      next.set(perm.subarray(0, used));
      perm = next;
    }
    const p = perm.subarray(used, used + len);
    for (let i = 0; i < len; i++) p[i] = i;
    sortPairs(time.subarray(a, e), p, 0, len, scratch);
    blocks.push(a, len);
    used += len;
  }
  return { blocks, perm };
}

/** The reorder resortSplitUsers gave the times, on one code column. */
function applyOrders(col: Codes, orders: { blocks: number[]; perm: Uint32Array }): void {
  const { blocks, perm } = orders;
  let tmp = new Uint32Array(256);
  for (let k = 0, o = 0; k < blocks.length; k += 2) {
    const a = blocks[k];
    const len = blocks[k + 1];
    if (tmp.length < len) tmp = new Uint32Array(len * 2);
    for (let i = 0; i < len; i++) tmp[i] = col[a + perm[o + i]];
    col.set(tmp.subarray(0, len), a);
    o += len;
  }
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
