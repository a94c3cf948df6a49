import { ByteDict, type RawDict } from './bytes-dict';
import type { ColBuilder, EventLogBuilder } from './event-builder';
import type { ChunkResult } from './parse-chunk';
import { newScratch, sortPairs } from './sort-rows';
import { allocCodes, type Codes } from './store';

/** Codes of a worker's dictionary values in ours, adding the new ones (first-seen order kept). */
function remap(dict: ByteDict, values: RawDict): Uint32Array {
  const { pool, offs, lens } = values;
  const map = new Uint32Array(offs.length);
  // From the worker's bytes: making a string per value cost more than the remap itself.
  for (let i = 0; i < offs.length; i++) map[i] = dict.add(pool, offs[i], offs[i] + lens[i]);
  return map;
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
  // Sized once for every chunk's users, rather than grown (and rehashed) a dozen times.
  if (b.users.size <= 1) b.users = new ByteDict(chunks.reduce((a, c) => a + c.users.offs.length, 0));
  const userMaps = chunks.map((c) => remap(b.users, c.users));
  const nUsers = b.users.size;
  const start = new Uint32Array(nUsers + 1);
  const sources = new Uint8Array(nUsers);
  chunks.forEach((c, w) => {
    const map = userMaps[w];
    for (let l = 0; l < map.length; l++) {
      const len = c.userStart[l + 1] - c.userStart[l];
      if (len === 0) continue;
      start[map[l] + 1] += len;
      sources[map[l]]++;
    }
  });
  for (let u = 0; u < nUsers; u++) start[u + 1] += start[u];
  const n = start[nUsers];
  // Where each chunk's run of each user goes: its user's block, after earlier chunks' rows.
  const cursor = start.slice(0, nUsers);
  const offsets = chunks.map((c, w) => {
    const map = userMaps[w];
    const off = new Uint32Array(map.length);
    for (let l = 0; l < map.length; l++) {
      off[l] = cursor[map[l]];
      cursor[map[l]] += c.userStart[l + 1] - c.userStart[l];
    }
    return off;
  });
  b.time.grow(n);
  const time = b.time.data;
  chunks.forEach((c, w) => copyTimeRuns(time, c.time, c.userStart, offsets[w]));
  const codes = new Map<ColBuilder, Codes>();
  const names = [...new Set(chunks.flatMap((c) => c.columns.map((col) => col.name)))];
  for (const name of names) {
    const target = name === '\u0000event' ? b.event : b.colFor(name);
    const parts = chunks.map((c) => c.columns.find((col) => col.name === name));
    const maps = parts.map((col) => (col ? remap(target.dict, col.dict) : null));
    const out = allocCodes(n, target.dict.size);
    parts.forEach((col, w) => {
      if (col) copyCodeRuns(out, col.codes, chunks[w].userStart, offsets[w], maps[w]!);
    });
    codes.set(target, out);
  }
  resortSplitUsers(start, sources, time, [...codes.values()]);
  b.rows = n;
  b.time.length = n;
  b.grouped = { rows: n, start, codes };
}

// Copies each user's run of a chunk to its offset. Times and codes have a function each, so
// that each stays specialised to few array types (a mixed one ran three times slower).
function copyTimeRuns(out: Float64Array, src: Float64Array, userStart: Uint32Array, off: Uint32Array): void {
  for (let l = 0; l < off.length; l++) {
    const a = userStart[l];
    const e = userStart[l + 1];
    if (e - a > 16) out.set(src.subarray(a, e), off[l]);
    else for (let i = a, o = off[l]; i < e; i++) out[o++] = src[i];
  }
}

function copyCodeRuns(out: Codes, src: Codes, userStart: Uint32Array, off: Uint32Array, map: Uint32Array): void {
  for (let l = 0; l < off.length; l++) {
    const e = userStart[l + 1];
    for (let i = userStart[l], o = off[l]; i < e; i++) out[o++] = map[src[i]];
  }
}

/** Users with rows from several chunks whose times interleave: a stable sort of their block. */
function resortSplitUsers(start: Uint32Array, sources: Uint8Array, time: Float64Array, columns: Codes[]): void {
  const scratch = newScratch();
  let perm = new Uint32Array(256);
  let tmp = new Uint32Array(256);
  for (let u = 0; u < sources.length; u++) {
    if (sources[u] < 2) continue;
    const a = start[u];
    const e = start[u + 1];
    let sorted = true;
    for (let i = a + 1; i < e && sorted; i++) sorted = time[i - 1] <= time[i];
    if (sorted) continue;
    const len = e - a;
    if (perm.length < len) {
      perm = new Uint32Array(len * 2);
      tmp = new Uint32Array(len * 2);
    }
    for (let i = 0; i < len; i++) perm[i] = i;
    sortPairs(time.subarray(a, e), perm, 0, len, scratch);
    for (const col of columns) {
      for (let i = 0; i < len; i++) tmp[i] = col[a + perm[i]];
      col.set(tmp.subarray(0, len), a);
    }
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
