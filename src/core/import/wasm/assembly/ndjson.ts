// AssemblyScript (compiled by scripts/build-wasm.mjs, its own module beside parse.ts): the hot
// loop of a newline-delimited JSON export (Mixpanel's raw export and the like). It reads each
// record's keys and values straight from the bytes into the same dictionary-coded columns as
// the CSV kernel (dict.ts, times.ts, users.ts and sort.ts are shared), so a range's result has
// the CSV ranges' format and the same merge joins them. It must give exactly what the JavaScript
// reader (json/scan.ts + json/sink.ts) gives for the records it accepts; anything it does not
// handle (escapes, arrays, a record over several lines it cannot place) makes parse() return -1,
// and the caller reads the file with the JavaScript reader instead.

import { alloc, Dict, hashBytes, same } from './dict';
import { countSortedCodes, sortColumns, sortedCodes, sortedTimes, sortedUserStart } from './sort';
import { digitsValue, hasDigit, parseIso, parseNumber } from './times';
import { resetUsers, userCode, userValues } from './users';

export const FMT_UNIX_S: i32 = 1;
export const FMT_UNIX_MS: i32 = 2;
export const FMT_ISO: i32 = 3;

export { alloc };

/** Fields 0, 1 and 2 are the user, the time and the event; properties get the next ones as first seen. */
const USER: i32 = 0;
const TIME: i32 = 1;
const EVENT: i32 = 2;
const MAX_FIELDS: i32 = 256;
const MAX_NODES: i32 = 4096;
/** Objects open around a value (json-errors.ts MAX_JSON_DEPTH is 256; past 64 JavaScript decides). */
const MAX_DEPTH: i32 = 64;
/** parseObject's results besides a position (memory offsets are never this small). */
const INCOMPLETE: usize = 0;
const BAD: usize = 1;

// ---- configuration and columns ----
let nFields: i32 = 0;
let timeFmt: i32 = 0;
let dicts: StaticArray<Dict | null> = new StaticArray<Dict | null>(0);
/** Per field: its code column (none for the time field). */
let codeCols: usize = 0;
/** Per field: bytes per code (1, 2 or 4), widened as its dictionary grows; 4 for the user. */
let widths: usize = 0;
let timeCol: usize = 0;
let rowCap: u32 = 0;
let rows: u32 = 0;
let records: u32 = 0;
/** The current record's value of each field, and the record that set it (stamp). */
let fstart: usize = 0;
let fend: usize = 0;
let fstamp: usize = 0;
let stamp: u32 = 0;
/** Per reason (0 bad time, 1 missing user, 2 missing event): count, up to 5 record numbers. */
let warn: usize = 0;
let tLo: f64 = Infinity;
let tHi: f64 = -Infinity;
let anyFraction = false;

// ---- keys: a tree of nodes (0 is the record), each a key under its parent ----
let nNodes: i32 = 1;
let nodeParent: usize = 0;
let nodeOff: usize = 0;
let nodeLen: usize = 0;
let nodeField: usize = 0;
let keyPool: usize = 0;
let keyPoolLen: u32 = 0;
let keyPoolCap: u32 = 0;
/** The k-th key of the previous record: records of one export repeat their keys in order. */
let keyCache: usize = 0;
let keyNo: i32 = 0;

export function configure(fmt: i32, userCap: u32): void {
  timeFmt = fmt;
  dicts = new StaticArray<Dict | null>(MAX_FIELDS);
  codeCols = alloc(<usize>MAX_FIELDS << 2);
  widths = alloc(<usize>MAX_FIELDS << 2);
  fstart = alloc(<usize>MAX_FIELDS << 2);
  fend = alloc(<usize>MAX_FIELDS << 2);
  fstamp = alloc(<usize>MAX_FIELDS << 2);
  memory.fill(fstamp, 0, <usize>MAX_FIELDS << 2);
  nodeParent = alloc(<usize>MAX_NODES << 2);
  nodeOff = alloc(<usize>MAX_NODES << 2);
  nodeLen = alloc(<usize>MAX_NODES << 2);
  nodeField = alloc(<usize>MAX_NODES << 2);
  for (let i = 0; i < MAX_NODES; i++) store<i32>(nodeField + (<usize>i << 2), -1);
  keyPoolCap = 1 << 16;
  keyPool = alloc(keyPoolCap + 8);
  keyCache = alloc(256 << 2);
  memory.fill(keyCache, 0, 256 << 2);
  warn = alloc(3 * 8 * 4);
  memory.fill(warn, 0, 3 * 8 * 4);
  resetUsers();
  nFields = 0;
  dicts[USER] = new Dict(userCap);
  store<u32>(widths, 4);
  dicts[TIME] = null;
  store<u32>(widths + 4, 8);
  nFields = 3;
  addField(EVENT);
}

/** The node of key [p, p + len) under `parent` (JavaScript places the user, time and event paths). */
export function defineNode(parent: i32, p: usize, len: u32): i32 {
  keyNo = 256;
  return child(parent, p, len);
}

/** Makes node's values field 0, 1 or 2 (user, time, event). */
export function bindRole(node: i32, field: i32): void {
  store<i32>(nodeField + (<usize>node << 2), field);
}

function addField(f: i32): void {
  dicts[f] = new Dict(256);
  store<u32>(widths + (<usize>f << 2), 1);
  if (rowCap) {
    // Rows read before the field first appeared have no value: code 0, the empty one.
    const c = alloc(<usize>rowCap);
    memory.fill(c, 0, <usize>rowCap);
    store<usize>(codeCols + (<usize>f << 2), c);
  }
}

/** Makes room for `cap` rows in every column (copying what is there). */
export function reserve(cap: u32): void {
  if (cap <= rowCap) return;
  if (cap > (1 << 27)) abort();
  cap = max(cap, rowCap + (rowCap >> 1));
  const t = alloc(<usize>cap << 3);
  if (rows) memory.copy(t, timeCol, <usize>rows << 3);
  timeCol = t;
  for (let i = 0; i < nFields; i++) {
    if (i == TIME) continue;
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

function warnRow(reason: i32, rec: u32): void {
  const w = warn + (<usize>reason << 5);
  const count = load<u32>(w);
  if (count < 5) store<u32>(w + 4 + (<usize>count << 2), rec);
  store<u32>(w, count + 1);
}

// ---- records ----

/**
 * Adds the complete records of [p, p + len), one JSON object per line. Returns the bytes used
 * (the rest is a record cut by the piece's end, for the next piece), or -1 when the bytes hold
 * something only the JavaScript reader handles (or reports). The caller leaves slack after it.
 */
export function parse(p: usize, len: u32, final: bool): i32 {
  const end = p + len;
  let at = p;
  while (at < end) {
    const c = <i32>load<u8>(at);
    if (c == 32 || c == 10 || c == 13 || c == 9) {
      at++;
      continue;
    }
    if (c != 123) return -1;
    const rowStart = at;
    stamp++;
    keyNo = 0;
    const after = parseObject(at, end, 0, 1);
    if (after == INCOMPLETE) return final ? -1 : <i32>(rowStart - p);
    if (after == BAD) return -1;
    at = after;
    // Only blanks may follow a record on its line.
    while (at < end) {
      const d = <i32>load<u8>(at);
      if (d == 10) break;
      if (d != 32 && d != 13 && d != 9) return -1;
      at++;
    }
    // Columns are sized once for the whole range (JavaScript estimates its rows): grown here in
    // the rare case the estimate was short, instead of counting every piece's lines first.
    if (rows >= rowCap) reserve(rows + 1);
    if (!addRow(records++)) return -1;
  }
  return <i32>(at - p);
}

@inline
function skipWs(p: usize, end: usize): usize {
  // Compact exports have no blanks: one compare (past `end` the slack's zero byte reads as blank).
  if (<u32>load<u8>(p) > 32) return p;
  while (p < end) {
    const c = <i32>load<u8>(p);
    if (c != 32 && c != 10 && c != 13 && c != 9) return p;
    p++;
  }
  return p;
}

/**
 * The closing quote of the string starting at s; INCOMPLETE, or BAD on an escape or a control
 * character. Sixteen bytes at a time: past `end` lies the zeroed slack (parse's caller), whose
 * first byte stops the scan as a control character would, and then reads as INCOMPLETE.
 */
@inline
function stringEnd(s: usize, end: usize): usize {
  const quote = i8x16.splat(34);
  const backslash = i8x16.splat(92);
  const space = i8x16.splat(32);
  for (let p = s; p < end; p += 16) {
    const v = v128.load(p);
    const hits = i8x16.bitmask(v128.or(v128.or(i8x16.eq(v, quote), i8x16.eq(v, backslash)), i8x16.lt_u(v, space)));
    if (hits) {
      const q = p + <usize>ctz(hits);
      if (q >= end) return INCOMPLETE;
      return load<u8>(q) == 34 ? q : BAD;
    }
  }
  return INCOMPLETE;
}

/**
 * The first byte from p on that cannot be part of a number (not 0-9 . e E + -), sixteen at a
 * time; the slack's zero bytes after the input stop it.
 */
@inline
function numberEnd(p: usize): usize {
  const zero = i8x16.splat(48);
  const ten = i8x16.splat(10);
  let stop: i32 = 0;
  for (; ; p += 16) {
    const v = v128.load(p);
    const num = v128.or(
      v128.or(i8x16.lt_u(i8x16.sub(v, zero), ten), v128.or(i8x16.eq(v, i8x16.splat(46)), i8x16.eq(v, i8x16.splat(45)))),
      v128.or(i8x16.eq(v128.or(v, i8x16.splat(32)), i8x16.splat(101)), i8x16.eq(v, i8x16.splat(43))),
    );
    stop = ~i8x16.bitmask(num) & 0xffff;
    if (stop) break;
  }
  return p + <usize>ctz(stop);
}

function parseObject(p: usize, end: usize, parent: i32, depth: i32): usize {
  if (depth > MAX_DEPTH) return BAD;
  p = skipWs(p + 1, end);
  if (p >= end) return INCOMPLETE;
  if (load<u8>(p) == 125) return p + 1;
  for (;;) {
    if (load<u8>(p) != 34) return BAD;
    const ks = p + 1;
    // Records of one export repeat their keys in order: the key the previous record had here,
    // compared in place, also ends the string (a stored key holds no quote, escape or control).
    let node: i32 = -1;
    let ke: usize = 0;
    if (keyNo < 256) {
      const n = load<i32>(keyCache + (<usize>keyNo << 2));
      if (n > 0 && load<i32>(nodeParent + (<usize>n << 2)) == parent) {
        const len = load<u32>(nodeLen + (<usize>n << 2));
        ke = ks + <usize>len;
        if (ke < end && load<u8>(ke) == 34 && same(keyPool + <usize>load<u32>(nodeOff + (<usize>n << 2)), ks, len)) {
          node = n;
          keyNo++;
        }
      }
    }
    if (node < 0) {
      ke = stringEnd(ks, end);
      if (ke <= BAD) return ke;
      node = child(parent, ks, <u32>(ke - ks));
      if (node < 0) return BAD;
    }
    p = skipWs(ke + 1, end);
    if (p >= end) return INCOMPLETE;
    if (load<u8>(p) != 58) return BAD;
    p = skipWs(p + 1, end);
    if (p >= end) return INCOMPLETE;
    const c = <i32>load<u8>(p);
    if (c == 34) {
      const e = stringEnd(p + 1, end);
      if (e <= BAD) return e;
      // An empty string is no value, as in the JavaScript reader.
      if (e > p + 1 && !leaf(node, p + 1, e)) return BAD;
      p = e + 1;
    } else if (c == 123) {
      p = parseObject(p, end, node, depth + 1);
      if (p <= BAD) return p;
    } else if (c == 110) {
      if (p + 4 > end) return INCOMPLETE;
      if (load<u32>(p) != 0x6c6c756e) return BAD;
      p += 4;
    } else if (c == 116) {
      if (p + 4 > end) return INCOMPLETE;
      if (load<u32>(p) != 0x65757274 || !leaf(node, p, p + 4)) return BAD;
      p += 4;
    } else if (c == 102) {
      if (p + 5 > end) return INCOMPLETE;
      if (load<u32>(p) != 0x736c6166 || load<u8>(p + 4) != 101 || !leaf(node, p, p + 5)) return BAD;
      p += 5;
    } else if (c == 45 || <u32>(c - 48) <= 9) {
      const q = numberEnd(p + 1);
      if (q >= end) return INCOMPLETE;
      if (!leaf(node, p, q)) return BAD;
      p = q;
    } else return BAD;
    p = skipWs(p, end);
    if (p >= end) return INCOMPLETE;
    const d = <i32>load<u8>(p);
    if (d == 44) {
      p = skipWs(p + 1, end);
      if (p >= end) return INCOMPLETE;
      continue;
    }
    if (d == 125) return p + 1;
    return BAD;
  }
}

/** Notes a scalar value of `node` in the current record; false when no field is left for it. */
@inline
function leaf(node: i32, s: usize, e: usize): bool {
  let f = load<i32>(nodeField + (<usize>node << 2));
  if (f < 0) {
    f = newField(node);
    if (f < 0) return false;
  }
  const o = <usize>f << 2;
  // A key repeated within one record: the first value stands for a property, the last for the
  // user, time and event (as json/sink.ts reads them).
  if (load<u32>(fstamp + o) == stamp && f > EVENT) return true;
  store<u32>(fstamp + o, stamp);
  store<u32>(fstart + o, <u32>s);
  store<u32>(fend + o, <u32>e);
  return true;
}

/** The field a key path's first scalar value opens (-1 when none is left). */
function newField(node: i32): i32 {
  if (nFields >= MAX_FIELDS) return -1;
  const f = nFields++;
  addField(f);
  store<i32>(nodeField + (<usize>node << 2), f);
  return f;
}

function child(parent: i32, s: usize, len: u32): i32 {
  const k = keyNo++;
  if (k < 256) {
    const n = load<i32>(keyCache + (<usize>k << 2));
    if (n > 0 && load<i32>(nodeParent + (<usize>n << 2)) == parent && load<u32>(nodeLen + (<usize>n << 2)) == len && same(keyPool + <usize>load<u32>(nodeOff + (<usize>n << 2)), s, len)) return n;
  }
  let found: i32 = -1;
  for (let n = 1; n < nNodes; n++) {
    if (load<i32>(nodeParent + (<usize>n << 2)) == parent && load<u32>(nodeLen + (<usize>n << 2)) == len && same(keyPool + <usize>load<u32>(nodeOff + (<usize>n << 2)), s, len)) {
      found = n;
      break;
    }
  }
  if (found < 0) {
    if (nNodes >= MAX_NODES) return -1;
    if (keyPoolLen + len > keyPoolCap) {
      const cap = max(keyPoolCap * 2, keyPoolLen + len + 1024);
      const next = alloc(cap + 8);
      memory.copy(next, keyPool, keyPoolLen);
      keyPool = next;
      keyPoolCap = cap;
    }
    memory.copy(keyPool + keyPoolLen, s, len);
    found = nNodes++;
    store<i32>(nodeParent + (<usize>found << 2), parent);
    store<u32>(nodeOff + (<usize>found << 2), keyPoolLen);
    store<u32>(nodeLen + (<usize>found << 2), len);
    keyPoolLen += len;
  }
  if (k < 256) store<i32>(keyCache + (<usize>k << 2), found);
  return found;
}

@inline
function has(f: i32): bool {
  return load<u32>(fstamp + (<usize>f << 2)) == stamp;
}

/** False when the time needs JavaScript's parser (an ISO-like text parseIso does not read). */
function addRow(rec: u32): bool {
  let t: f64 = NaN;
  if (has(TIME)) {
    const s = <usize>load<u32>(fstart + (TIME << 2));
    const e = <usize>load<u32>(fend + (TIME << 2));
    if (timeFmt == FMT_ISO) {
      t = parseIso(s, e);
      anyFraction = true;
      if (isNaN(t) && hasDigit(s, e)) return false;
    } else {
      const digits = e - s <= 15 && e > s ? digitsValue(s, <u32>(e - s)) : -1;
      if (digits >= 0) t = <f64>digits;
      else {
        t = parseNumber(s, e);
        anyFraction = true;
      }
      if (timeFmt == FMT_UNIX_S) t *= 1000;
    }
    if (!(t >= -8.64e15 && t <= 8.64e15)) t = NaN;
    if (t < tLo) tLo = t;
    if (t > tHi) tHi = t;
  }
  if (isNaN(t)) {
    warnRow(0, rec);
    return true;
  }
  if (!has(USER)) {
    warnRow(1, rec);
    return true;
  }
  if (!has(EVENT)) {
    warnRow(2, rec);
    return true;
  }
  const r = rows;
  store<f64>(timeCol + (<usize>r << 3), t);
  for (let i = 0; i < nFields; i++) {
    if (i == TIME) continue;
    if (i == comboFirst && comboOn && comboUsable()) {
      comboCodes(r);
      i = comboLast;
      continue;
    }
    let code: u32 = 0;
    if (has(i)) {
      const s = <usize>load<u32>(fstart + (<usize>i << 2));
      const e = <usize>load<u32>(fend + (<usize>i << 2));
      code = i == USER ? userCode(unchecked(dicts[i])!, s, <u32>(e - s)) : unchecked(isRaw[i]) ? unchecked(dicts[i])!.append(s, <u32>(e - s)) : unchecked(dicts[i])!.add(s, <u32>(e - s));
    }
    putCode(i, r, code);
  }
  rows = r + 1;
  if (rows == PLAN_ROWS) planColumns();
  return true;
}

// ---- after the first rows: repeating combinations of property values cached ----
const PLAN_ROWS: u32 = 4096;

/**
 * The longest run of property fields without (nearly) a new value per row (an insert id, a
 * uuid, which would make every combination new) is looked up as one combination (comboCodes).
 * (Sizing an id column's table for the whole range up front measured slower than letting it grow.)
 */
function planColumns(): void {
  let best = 0;
  let run = 0;
  let last = -1;
  for (let f = EVENT + 1; f < nFields; f++) {
    const d = dicts[f]!;
    const idLike = d.size > (PLAN_ROWS >> 1);
    if (idLike) {
      isRaw[f] = true;
      sizeIdColumn(f, d);
    }
    run = idLike ? 0 : run + 1;
    if (run > best) {
      best = run;
      last = f;
    }
  }
  if (best < 2) return;
  comboLast = last;
  comboFirst = last - best + 1;
  comboOn = true;
  comboTable = alloc(<usize>COMBO_SLOTS << 4);
  memory.fill(comboTable, 0, <usize>COMBO_SLOTS << 4);
  comboBytes = alloc(COMBO_BYTES + 8);
  comboCodeStore = alloc(<usize>COMBO_MAX * <usize>best << 2);
}

/**
 * Per field: an id-like property (nearly one new value per row: Mixpanel's $insert_id) whose
 * values are appended from here on, each row a code of its own, without a hash table: a table
 * for millions of values cost a cache miss per row and, grown by doubling in this never-freeing
 * memory, more bytes than the column. Its dictionary may then hold a value twice; the store
 * folds repeats when the column is read (store.ts), and duplicates compare bytes (parallel.ts).
 */
const isRaw = new StaticArray<bool>(MAX_FIELDS);

/**
 * An id column's values, spans and codes sized for the rows reserved (the whole range, when its
 * size is known) at once: grown by doubling, each step left its old copy behind in this
 * never-freeing memory (a quarter of a 10M-event import's kernel memory).
 */
function sizeIdColumn(f: i32, d: Dict): void {
  const want: u32 = rowCap + 1024;
  if (d.spanCap < want) {
    const next = alloc(<usize>want << 3);
    memory.copy(next, d.spans, <usize>d.size << 3);
    d.spans = next;
    d.spanCap = want;
  }
  const bytes = <u32>min(<u64>(<f64>d.poolLen / <f64>d.size * 1.1 + 1) * <u64>want, 1 << 30);
  if (d.poolCap < bytes) {
    const next = alloc(<usize>bytes + 8);
    memory.copy(next, d.pool, d.poolLen);
    d.pool = next;
    d.poolCap = bytes;
  }
  if (codeWidth(f) < 4) widen(f, 4);
}

export function fieldRaw(f: i32): bool {
  return isRaw[f];
}

// Exports copy the same few combinations of property values (country, platform, plan: the
// user's attributes) onto every event. The text from the first to the last value of a run of
// property fields is looked up whole, once, instead of one dictionary per field: the same bytes
// there read as the same values. The dictionaries still see every value first (a combination
// is cached only after a miss filled them), so codes come out the same. Used when every field
// of the run has a value and they appear in field order; off when most rows miss.
const COMBO_SLOTS: u32 = 8192;
const COMBO_MAX: u32 = 4096;
const COMBO_BYTES: u32 = 1 << 20;
let comboFirst: i32 = -1;
let comboLast: i32 = -1;
let comboOn = false;
/** Slots of [hash, length, byte offset, code offset + 1]. */
let comboTable: usize = 0;
let comboBytes: usize = 0;
let comboBytesLen: u32 = 0;
let comboCodeStore: usize = 0;
let comboCount: u32 = 0;
let comboRows: u32 = 0;
let comboHits: u32 = 0;

@inline
function comboUsable(): bool {
  let prev: u32 = 0;
  for (let f = comboFirst; f <= comboLast; f++) {
    if (!has(f)) return false;
    const s = load<u32>(fstart + (<usize>f << 2));
    if (s <= prev) return false;
    prev = s;
  }
  return true;
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
      for (let j = 0; j < k; j++) putCode(comboFirst + j, r, load<u32>(c + (<usize>j << 2)));
      return;
    }
    slot = (slot + 1) & (COMBO_SLOTS - 1);
  }
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
  if ((comboRows & 0xffff) == 0 && comboHits < (comboRows >> 1)) comboOn = false;
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
  return col;
}

// ---- ordering by (user, time): sort.ts, as the CSV kernel does ----
export function sortRows(): void {
  sortColumns(rows, dicts[USER]!.size, load<usize>(codeCols + (<usize>USER << 2)), timeCol, tLo, tHi, anyFraction, nFields, TIME, USER, codeCols, widths);
}

/** Rows per code of a field (after sortRows). */
export function codeCounts(field: i32): usize {
  return countSortedCodes(field, codeWidth(field), rows, dicts[field]!.size);
}

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
export function userValuesPtr(): usize {
  return userValues();
}
export function rowCount(): u32 {
  return rows;
}
export function recordCount(): u32 {
  return records;
}
export function fieldCount(): i32 {
  return nFields;
}
export function nodeCount(): i32 {
  return nNodes;
}
export function nodeParentOf(n: i32): i32 {
  return load<i32>(nodeParent + (<usize>n << 2));
}
export function nodeKeyPtr(n: i32): usize {
  return keyPool + <usize>load<u32>(nodeOff + (<usize>n << 2));
}
export function nodeKeyLen(n: i32): u32 {
  return load<u32>(nodeLen + (<usize>n << 2));
}
export function nodeFieldOf(n: i32): i32 {
  return load<i32>(nodeField + (<usize>n << 2));
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
