// AssemblyScript (compiled to WebAssembly by scripts/build-wasm.mjs): the import's hot loop for
// CSV text without quote characters. JavaScript has no SIMD and pays for every byte it touches;
// here 64 bytes are searched for delimiters at once and the dictionaries are plain memory.
// It must give exactly what src/core/import/fast-rows.ts gives (a test compares the two).
// dict.ts, times.ts, users.ts and sort.ts hold its parts.

import { alloc, Dict, hashBytes, same } from './dict';
import { countSortedCodes, sortColumns, sortedCodes, sortedTimes, sortedUserStart } from './sort';
import { digitsValue, hasDigit, parseIso, parseNumber } from './times';
import { idsInto, resetUsers, userCode, usersOfBatch, userValues } from './users';

const LF: i32 = 10;
const CR: i32 = 13;

export const FMT_UNIX_S: i32 = 1;
export const FMT_UNIX_MS: i32 = 2;
export const FMT_ISO: i32 = 3;

export { alloc };
export { mergeBegin, mergeIds, setSortedMinSlots } from './users';

// ---- configuration and columns ----
let nFields: i32 = 0;
let userIdx: i32 = 0;
let timeIdx: i32 = 0;
let eventIdx: i32 = 0;
let timeFmt: i32 = 0;
let delim: i32 = 44;
let dicts: StaticArray<Dict | null> = new StaticArray<Dict | null>(0);
/** Per field: its code column (0 for the time field). */
let codeCols: usize = 0;
/**
 * Per field: bytes per code (1, 2 or 4), the narrowest for its dictionary so far, widened as
 * it grows past 256 and 65536 values. The user column is always 4. Narrow columns keep the
 * sort's random reads in cache.
 */
let widths: usize = 0;
let timeCol: usize = 0;
let rowCap: u32 = 0;
let rows: u32 = 0;
let line: u32 = 1;
/** Field starts and ends of the current row (up to maxFields). */
let fstart: usize = 0;
let fend: usize = 0;
let fhash: usize = 0;
let maxFields: i32 = 0;
/** Per reason (0 bad time, 1 missing user, 2 missing event): count, first line, up to 5 lines. */
let warn: usize = 0;
/** The extremes of the times parsed, and whether any may not be a whole number of ms (addRow). */
let tLo: f64 = Infinity;
let tHi: f64 = -Infinity;
let anyFraction = false;

export function configure(fields: i32, user: i32, time: i32, event: i32, fmt: i32, delimiter: i32, userCap: u32): void {
  nFields = fields;
  userIdx = user;
  timeIdx = time;
  eventIdx = event;
  timeFmt = fmt;
  delim = delimiter;
  dicts = new StaticArray<Dict | null>(fields);
  for (let i = 0; i < fields; i++) dicts[i] = i == time ? null : new Dict(i == user ? userCap : 256);
  codeCols = alloc(<usize>fields << 2);
  widths = alloc(<usize>fields << 2);
  for (let i = 0; i < fields; i++) store<u32>(widths + (<usize>i << 2), i == user ? 4 : 1);
  maxFields = 256;
  fstart = alloc(<usize>maxFields << 2);
  fend = alloc(<usize>maxFields << 2);
  fhash = alloc(<usize>maxFields << 2);
  warn = alloc(3 * 8 * 4);
  memory.fill(warn, 0, 3 * 8 * 4);
  configureCombos();
  resetUsers();
}

/**
 * Enters a value into field `field`'s dictionary before any row: every worker gets the values of
 * the file's first rows in the same order, so their codes agree and the merge copies them as
 * they are (see readCsvChunks).
 */
export function seed(field: i32, p: usize, len: u32): void {
  if (field != userIdx && field != timeIdx) dicts[field]!.add(p, len);
}

/** Makes room for `cap` rows in every column (copying what is there). */
export function reserve(cap: u32): void {
  if (cap <= rowCap) return;
  // 2^27 rows would already need 2 GB here (and sizes past 2^29 overflow 32-bit offsets):
  // stop, and JavaScript reads the chunk instead.
  if (cap > (1 << 27)) abort();
  cap = max(cap, rowCap + (rowCap >> 1));
  const t = alloc(<usize>cap << 3);
  if (rows) memory.copy(t, timeCol, <usize>rows << 3);
  timeCol = t;
  for (let i = 0; i < nFields; i++) {
    if (i == timeIdx) continue;
    const w = <usize>load<u32>(widths + (<usize>i << 2));
    const c = alloc(<usize>cap * w);
    if (rows) memory.copy(c, load<usize>(codeCols + (<usize>i << 2)), <usize>rows * w);
    store<usize>(codeCols + (<usize>i << 2), c);
  }
  rowCap = cap;
}

/** How many `byte`s are in [p, p + len): JS sizes the columns with it before each piece. */
export function countByte(p: usize, len: u32, byte: i32): u32 {
  const needle = i8x16.splat(<i8>byte);
  let n: u32 = 0;
  let i: u32 = 0;
  for (; i + 16 <= len; i += 16) n += popcnt(i8x16.bitmask(i8x16.eq(v128.load(p + i), needle)));
  for (; i < len; i++) if (<i32>load<u8>(p + i) == byte) n++;
  return n;
}

function warnRow(reason: i32, ln: u32): void {
  const w = warn + (<usize>reason << 5);
  const count = load<u32>(w);
  if (count < 5) store<u32>(w + 4 + (<usize>count << 2), ln);
  store<u32>(w, count + 1);
}

// ---- rows ----

/**
 * Adds the complete rows of [p, p + len). Returns the bytes used (the rest is an incomplete row
 * for the next piece); -1 when a time needs JavaScript's slower parser (an ISO-like text the
 * fast reader does not know): the caller then reads this chunk with fast-rows.ts instead; -2 on
 * a quote character (only the sequential reader can tell where such a row ends).
 */
export function parse(p: usize, len: u32, final: bool): i32 {
  const used = parseRows(p, len, final);
  // Every row added has its user span batched: resolved while the piece is still here.
  resolveUsers();
  return used;
}

function parseRows(p: usize, len: u32, final: bool): i32 {
  const end = p + len;
  const vd = i8x16.splat(<i8>delim);
  const vl = i8x16.splat(<i8>LF);
  sawQuote = false;
  // The delimiters and LFs of one 64-byte block as bits, used up field by field (a 16-byte
  // block ran out every few fields, a branch that mispredicted); the caller leaves 64 bytes of
  // slack after `end`, so a block may be loaded past it (those bits are cut).
  let blk = p;
  let bits = blockBits(blk, end, vd, vl);
  let at = p;
  while (at < end) {
    const rowStart = at;
    let n = 0;
    let last: i32 = 0;
    for (;;) {
      const s = at;
      let stop = end;
      while (bits == 0) {
        blk += 64;
        if (blk >= end) break;
        bits = blockBits(blk, end, vd, vl);
      }
      if (bits != 0) {
        stop = blk + <usize>ctz(bits);
        bits &= bits - 1;
      }
      if (stop >= end && !final) return sawQuote ? -2 : <i32>(rowStart - p);
      let e = stop;
      last = stop < end ? <i32>load<u8>(stop) : 0;
      // A CRLF line end: the CR belongs to the line end, not to the value.
      if (e > s && load<u8>(e - 1) == CR && (stop < end ? last == LF : final)) e--;
      if (n < maxFields) {
        store<u32>(fstart + (<usize>n << 2), <u32>s);
        store<u32>(fend + (<usize>n << 2), <u32>e);
      }
      n++;
      at = stop;
      if (at >= end) break;
      at++;
      if (last == LF) break;
    }
    const ln = line++;
    if (n == 1 && load<u32>(fend) == load<u32>(fstart)) continue;
    if (n > maxFields) n = maxFields;
    // Columns are sized once for the whole chunk (JavaScript estimates its rows): grown here in
    // the rare case the estimate was short, instead of counting every piece's lines first.
    if (rows >= rowCap) reserve(rows + 1);
    const r = addRow(n, ln);
    if (r < 0) return -1;
  }
  return sawQuote ? -2 : <i32>(at - p);
}

/** Set when a block held a quote character: then a newline may sit inside a field. */
let sawQuote = false;

@inline
function blockBits(blk: usize, end: usize, vd: v128, vl: v128): u64 {
  const q = i8x16.splat(34);
  const a = v128.load(blk);
  const b = v128.load(blk, 16);
  const c = v128.load(blk, 32);
  const d = v128.load(blk, 48);
  let m =
    <u64>i8x16.bitmask(v128.or(i8x16.eq(a, vd), i8x16.eq(a, vl))) |
    (<u64>i8x16.bitmask(v128.or(i8x16.eq(b, vd), i8x16.eq(b, vl))) << 16) |
    (<u64>i8x16.bitmask(v128.or(i8x16.eq(c, vd), i8x16.eq(c, vl))) << 32) |
    (<u64>i8x16.bitmask(v128.or(i8x16.eq(d, vd), i8x16.eq(d, vl))) << 48);
  let qm =
    <u64>i8x16.bitmask(i8x16.eq(a, q)) |
    (<u64>i8x16.bitmask(i8x16.eq(b, q)) << 16) |
    (<u64>i8x16.bitmask(i8x16.eq(c, q)) << 32) |
    (<u64>i8x16.bitmask(i8x16.eq(d, q)) << 48);
  if (blk + 64 > end) {
    const valid = (<u64>1 << <u64>(end - blk)) - 1;
    m &= valid;
    qm &= valid;
  }
  if (qm != 0) sawQuote = true;
  return m;
}

function addRow(n: i32, ln: u32): i32 {
  let t: f64 = NaN;
  if (timeIdx < n) {
    const s = <usize>load<u32>(fstart + (<usize>timeIdx << 2));
    const e = <usize>load<u32>(fend + (<usize>timeIdx << 2));
    if (timeFmt == FMT_ISO) {
      t = parseIso(s, e);
      anyFraction = true;
      // JavaScript's Date may still read it, but never without a digit ("N/A", "null", ""):
      // those are bad rows here too, and a few of them do not send the chunk to JavaScript.
      if (isNaN(t) && hasDigit(s, e)) return -1;
    } else {
      // Whole numbers of up to 15 digits directly (parseNumber's own fast path), so that the
      // sort knows every time is a whole number without looking at them again (keyUnit).
      const digits = e - s <= 15 && e > s ? digitsValue(s, <u32>(e - s)) : -1;
      if (digits >= 0) t = <f64>digits;
      else {
        t = parseNumber(s, e);
        anyFraction = true;
      }
      if (timeFmt == FMT_UNIX_S) t *= 1000;
    }
    // Past what a JavaScript Date holds (timestamps.ts MAX_DATE_MS): a bad timestamp, as in JavaScript.
    if (!(t >= -8.64e15 && t <= 8.64e15)) t = NaN;
    if (t < tLo) tLo = t;
    if (t > tHi) tHi = t;
  }
  if (isNaN(t)) {
    warnRow(0, ln);
    return 0;
  }
  if (userIdx >= n || load<u32>(fstart + (<usize>userIdx << 2)) == load<u32>(fend + (<usize>userIdx << 2))) {
    warnRow(1, ln);
    return 0;
  }
  if (eventIdx >= n || load<u32>(fstart + (<usize>eventIdx << 2)) == load<u32>(fend + (<usize>eventIdx << 2))) {
    warnRow(2, ln);
    return 0;
  }
  const r = rows;
  store<f64>(timeCol + (<usize>r << 3), t);
  for (let i = 0; i < nFields; i++) {
    if (i == timeIdx) continue;
    if (i == comboFirst && comboOn && n > comboLast) {
      comboCodes(r);
      i = comboLast;
      continue;
    }
    let code: u32 = 0;
    if (i < n) {
      const s = <usize>load<u32>(fstart + (<usize>i << 2));
      const e = <usize>load<u32>(fend + (<usize>i << 2));
      if (i == userIdx) {
        // Short ids starting with a digit are mostly plain numbers, found through an array at once
        // (users.ts): looked up here, after the batch so far, so codes keep first-seen order.
        if (<u32>load<u8>(s) - 48 > 9 || e - s > 15) {
          batchUser(r, s, <u32>(e - s));
          continue;
        }
        if (batched) resolveUsers();
        code = userCode(unchecked(dicts[i])!, s, <u32>(e - s));
      } else code = unchecked(dicts[i])!.add(s, <u32>(e - s));
    }
    putCode(i, r, code);
  }
  rows = r + 1;
  return 0;
}

// ---- user ids, looked up in batches ----
// The user dictionary of a large log is megabytes: nearly every lookup misses the cache, two or
// three times (slot, span, bytes). Looked up one row at a time, between the parsing of the
// other fields, each miss is waited for alone; a tight loop over a batch of rows lets the core
// have several rows' misses in flight at once. Rows keep their order, so codes are the same.
const BATCH: u32 = 16384;
/** Per batched row: [row, start, length]. */
let batch: usize = 0;
let batched: u32 = 0;

@inline
function batchUser(r: u32, s: usize, len: u32): void {
  if (batch == 0) batch = alloc(<usize>BATCH * 12);
  const b = batch + <usize>batched * 12;
  store<u32>(b, r);
  store<u32>(b, <u32>s, 4);
  store<u32>(b, len, 8);
  if (++batched == BATCH) resolveUsers();
}

function resolveUsers(): void {
  usersOfBatch(unchecked(dicts[userIdx])!, batch, batched, load<usize>(codeCols + (<usize>userIdx << 2)));
  batched = 0;
}

@inline
function putCode(i: i32, r: u32, code: u32): void {
  const col = load<usize>(codeCols + (<usize>i << 2));
  const w = load<u32>(widths + (<usize>i << 2));
  if (w == 1) {
    if (code < 256) store<u8>(col + <usize>r, <u8>code);
    else store<u16>(widen(i, 2) + (<usize>r << 1), <u16>code);
  } else if (w == 2) {
    if (code < 65536) store<u16>(col + (<usize>r << 1), <u16>code);
    else store<u32>(widen(i, 4) + (<usize>r << 2), code);
  } else store<u32>(col + (<usize>r << 2), code);
}

// ---- property columns whose values repeat together ----
// Exports often repeat the same few combinations of property values (country, platform, plan:
// attributes of the user, copied onto each event). The text of the longest run of adjacent
// property columns is looked up whole, once, instead of one dictionary per column. The
// dictionaries still see every value first (a combination is only cached after a miss filled
// them), so codes come out the same. When most rows miss, the cache turns itself off.
const COMBO_SLOTS: u32 = 8192;
const COMBO_MAX: u32 = 4096;
let comboFirst: i32 = -1;
let comboLast: i32 = -1;
let comboOn = false;
/** Slots of [hash, length, byte offset, code offset + 1]. */
let comboTable: usize = 0;
let comboBytes: usize = 0;
let comboBytesLen: u32 = 0;
const COMBO_BYTES: u32 = 1 << 20;
let comboCodeStore: usize = 0;
let comboCount: u32 = 0;
let comboRows: u32 = 0;
let comboHits: u32 = 0;
/** Whether every column of the run still has 1-byte codes (widen clears it). */
let comboNarrow = true;

function configureCombos(): void {
  let best = 0;
  let run = 0;
  for (let i = 0; i < nFields; i++) {
    run = i == userIdx || i == timeIdx ? 0 : run + 1;
    if (run > best) {
      best = run;
      comboLast = i;
    }
  }
  if (best < 2) return;
  comboFirst = comboLast - best + 1;
  comboOn = true;
  comboTable = alloc(<usize>COMBO_SLOTS << 4);
  memory.fill(comboTable, 0, <usize>COMBO_SLOTS << 4);
  comboBytes = alloc(COMBO_BYTES + 8);
  comboCodeStore = alloc(<usize>COMBO_MAX * <usize>best << 2);
}

function comboCodes(r: u32): void {
  const k = comboLast - comboFirst + 1;
  const s = <usize>load<u32>(fstart + (<usize>comboFirst << 2));
  const len = <u32>(<usize>load<u32>(fend + (<usize>comboLast << 2)) - s);
  const h = hashBytes(s, len);
  let slot = h & (COMBO_SLOTS - 1);
  comboRows++;
  for (;;) {
    const e = comboTable + (<usize>slot << 4);
    const codes1 = load<u32>(e, 12);
    if (codes1 == 0) break;
    if (load<u32>(e) == h && load<u32>(e, 4) == len && same(comboBytes + load<u32>(e, 8), s, len)) {
      comboHits++;
      const c = comboCodeStore + (<usize>(codes1 - 1) << 2);
      // While every column of the run is one byte wide, every code is below 256: stored as
      // is, without putCode's checks (which cost more than the lookup).
      if (comboNarrow) for (let j = 0; j < k; j++) store<u8>(load<usize>(codeCols + (<usize>(comboFirst + j) << 2)) + <usize>r, <u8>load<u32>(c + (<usize>j << 2)));
      else for (let j = 0; j < k; j++) putCode(comboFirst + j, r, load<u32>(c + (<usize>j << 2)));
      return;
    }
    slot = (slot + 1) & (COMBO_SLOTS - 1);
  }
  // A miss: each column's dictionary, then remember the combination while there is room.
  const full = comboCount >= COMBO_MAX || comboBytesLen + len > COMBO_BYTES;
  const c = comboCodeStore + (<usize>comboCount * <usize>k << 2);
  for (let j = 0; j < k; j++) {
    const f = comboFirst + j;
    const fs = <usize>load<u32>(fstart + (<usize>f << 2));
    const code = unchecked(dicts[f])!.add(fs, <u32>(<usize>load<u32>(fend + (<usize>f << 2)) - fs));
    putCode(f, r, code);
    if (!full) store<u32>(c + (<usize>j << 2), code);
  }
  if (!full) {
    const e = comboTable + (<usize>slot << 4);
    memory.copy(comboBytes + comboBytesLen, s, len);
    store<u32>(e, h);
    store<u32>(e, len, 4);
    store<u32>(e, comboBytesLen, 8);
    store<u32>(e, comboCount * k + 1, 12);
    comboBytesLen += len;
    comboCount++;
  }
  // Checked now and then: a cache that mostly misses only costs time.
  if ((comboRows & 0xffff) == 0 && comboHits < (comboRows >> 1)) comboOn = false;
}

/** Re-allocates field i's codes `to` bytes wide (the rows so far copied over); the new column. */
function widen(i: i32, to: u32): usize {
  const from = load<u32>(widths + (<usize>i << 2));
  const old = load<usize>(codeCols + (<usize>i << 2));
  const col = alloc(<usize>rowCap * to);
  for (let r: u32 = 0; r < rows; r++) {
    const v: u32 = from == 1 ? <u32>load<u8>(old + <usize>r) : <u32>load<u16>(old + (<usize>r << 1));
    if (to == 2) store<u16>(col + (<usize>r << 1), <u16>v);
    else store<u32>(col + (<usize>r << 2), v);
  }
  store<usize>(codeCols + (<usize>i << 2), col);
  store<u32>(widths + (<usize>i << 2), to);
  if (i >= comboFirst && i <= comboLast) comboNarrow = false;
  return col;
}

// ---- ordering by (user, time): sort.ts ----
/** Orders the rows by (user code, time), ties in file order; the results are the sorted* pointers. */
export function sortRows(): void {
  sortColumns(rows, dicts[userIdx]!.size, load<usize>(codeCols + (<usize>userIdx << 2)), timeCol, tLo, tHi, anyFraction, nFields, timeIdx, userIdx, codeCols, widths);
}

/** Rows per code of a field (after sortRows): the import lists each event's count. */
export function codeCounts(field: i32): usize {
  return countSortedCodes(field, codeWidth(field), rows, dicts[field]!.size);
}

/** Bytes per sorted code of a field: 1, 2 or 4 (as allocCodes in store.ts chooses). */
export function codeWidth(field: i32): u32 {
  return load<u32>(widths + (<usize>field << 2));
}

export function userStartPtr(): usize {
  return sortedUserStart();
}
export function sortedTimePtr(): usize {
  return sortedTimes();
}
export function sortedCodesPtr(field: i32): usize {
  return sortedCodes(field);
}

/**
 * After the parse: another range's n user ids (mergeIds' layout) matched in this range's user
 * dictionary through the index the parse built; ids it lacks are appended (the next codes, in
 * order). This range being the file's first, the codes are the merged file's first-seen ones.
 */
export function matchUserIds(pool: usize, spans: usize, n: u32, out: usize): void {
  idsInto(dicts[userIdx]!, pool, spans, n, out);
}

// ---- results, read by JavaScript through these pointers ----
export function userValuesPtr(): usize {
  return userValues();
}
export function rowCount(): u32 {
  return rows;
}
export function lineCount(): u32 {
  return line - 1;
}
export function timePtr(): usize {
  return timeCol;
}
export function codesPtr(field: i32): usize {
  return load<usize>(codeCols + (<usize>field << 2));
}
export function dictSize(field: i32): u32 {
  return dicts[field]!.size;
}
export function dictSpans(field: i32): usize {
  return dicts[field]!.spans;
}
export function dictPool(field: i32): usize {
  return dicts[field]!.pool;
}
export function dictPoolLen(field: i32): u32 {
  return dicts[field]!.poolLen;
}
export function warnings(): usize {
  return warn;
}
