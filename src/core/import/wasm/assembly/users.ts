// AssemblyScript, part of the import kernel (parse.ts): user ids.

import { alloc, Dict, same } from './dict';
import { digitsValue } from './times';

// ---- user ids that are plain decimal numbers: an array indexed by the number ----
// A log's users number hundreds of thousands: their hash table is megabytes, and every lookup
// a cache miss. Ids are often dense integers; then an array of codes indexed by id - lo is a
// quarter the size and needs no probing. The dictionary stays the authority (it keeps every
// value's bytes and first-seen order): the array only remembers the codes it gave.
const DIRECT_MAX: u64 = 1 << 23;
let direct: usize = 0;
let directLo: u64 = 0;
let directCap: u64 = 0;

/** The code of the user id [s, s + len) in `dict` (the user column's). */
export function userCode(dict: Dict, s: usize, len: u32): u32 {
  // Canonical decimals only ("7", not "007" or "+7"), so one id never has two spellings here.
  if (len == 0 || len > 15 || (len > 1 && load<u8>(s) == 48)) return hashedUser(dict, s, len, NaN);
  const digits = digitsValue(s, len);
  if (digits < 0) return hashedUser(dict, s, len, NaN);
  const v = <u64>digits;
  if (v < directLo || v - directLo >= directCap) {
    if (!growDirect(v)) return hashedUser(dict, s, len, <f64>v);
  }
  const e = direct + (<usize>(v - directLo) << 2);
  const known = load<u32>(e);
  if (known != 0) return known - 1;
  // Not hashed: an id in the array's range is only ever looked up here (the range never
  // shrinks, and an id that failed to fit once never fits later: growDirect only widens it up
  // to DIRECT_MAX, which that id was past), and other spellings are other bytes.
  const code = dict.append(s, len);
  noteUser(code, <f64>v);
  store<u32>(e, code + 1);
  return code;
}

// ---- other user ids: a hash index of their own, in 32-byte slots ----
// [k0, k1 (u64), kind (u32), code + 1 (u32), the value's offset in the dictionary's pool (u32)].
// An id of up to 16 bytes (hashed ids like u437f45f9, most device ids) sits whole in its slot:
// one cache miss finds it, where the dictionary's own table (8 bytes inline) also read the
// value's span and then its bytes, two more misses per row. A longer id keeps its first 8
// bytes and a 64-bit hash in the slot, and its offset, so only its bytes are read to confirm.
let uTable: usize = 0;
let uMask: u32 = 0;
let uCount: u32 = 0;
let gk0: u64 = 0;
let gk1: u64 = 0;
let gkind: u32 = 0;

@inline
function tailOf(p: usize, len: u32): u64 {
  // len 1..8 bytes at p (the input and pools have slack after them: see parse).
  const w = load<u64>(p);
  return len >= 8 ? w : w & ((<u64>1 << (<u64>len << 3)) - 1);
}

// A UUID in canonical lower-case text (8-4-4-4-12 hex digits) is its 16 bytes in the slot:
// such a text and its bytes map one to one, so equal keys are equal texts, with no read of
// the pool. (Upper-case or other spellings are other texts, keyed as long ids.)
const PACKED: u32 = 0x10000;

/** The 16 bytes a canonical lower-case UUID at s spells, into gk0, gk1; false if it is not one. */
@inline
function packUuid(s: usize): bool {
  if (load<u8>(s + 8) != 45 || load<u8>(s + 13) != 45 || load<u8>(s + 18) != 45 || load<u8>(s + 23) != 45) return false;
  const a = v128.load(s);
  const b = v128.load(s, 16);
  const c = v128.load(s, 32);
  // The 32 hex digits, dashes dropped.
  const lo = i8x16.shuffle(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17);
  const hi = i8x16.shuffle(b, c, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
  const vlo = hexNibbles(lo);
  const vhi = hexNibbles(hi);
  // Any byte not 0-9 or a-f came out with its top bit set.
  if (v128.any_true(v128.and(v128.or(vlo, vhi), i8x16.splat(<i8>0xf0)))) return false;
  // Two nibbles a byte: lane pairs (first, second) -> first << 4 | second.
  const plo = i8x16.narrow_i16x8_u(v128.or(i16x8.shl(v128.and(vlo, i16x8.splat(0xff)), 4), i16x8.shr_u(vlo, 8)), v128.or(i16x8.shl(v128.and(vhi, i16x8.splat(0xff)), 4), i16x8.shr_u(vhi, 8)));
  gk0 = i64x2.extract_lane(plo, 0);
  gk1 = i64x2.extract_lane(plo, 1);
  return true;
}

/** Each byte's hex value (0-15), or a value with bits 0xf0 set where it is not 0-9 or a-f. */
@inline
function hexNibbles(v: v128): v128 {
  const digit = v128.and(i8x16.gt_u(v, i8x16.splat(0x2f)), i8x16.lt_u(v, i8x16.splat(0x3a)));
  const letter = v128.and(i8x16.gt_u(v, i8x16.splat(0x60)), i8x16.lt_u(v, i8x16.splat(0x67)));
  const val = v128.bitselect(i8x16.sub(v, i8x16.splat(0x30)), i8x16.sub(v, i8x16.splat(0x57)), digit);
  return v128.or(v128.and(val, v128.or(digit, letter)), v128.andnot(i8x16.splat(<i8>0xf0), v128.or(digit, letter)));
}

/** The slot key of [s, s + len) into gk0, gk1 and gkind; its hash. */
@inline
function keyOf(s: usize, len: u32): u32 {
  gkind = len;
  if (len == 36 && packUuid(s)) {
    gkind = 36 | PACKED;
    return mixKey(gk0, gk1, gkind);
  }
  if (len <= 16) {
    gk0 = len == 0 ? 0 : tailOf(s, min(len, 8));
    gk1 = len > 8 ? tailOf(s + 8, len - 8) : 0;
    return mixKey(gk0, gk1, len);
  }
  gk0 = load<u64>(s);
  let h: u64 = <u64>len * 0x9e3779b97f4a7c15;
  let i: u32 = 0;
  for (; i + 8 <= len; i += 8) h = (h ^ load<u64>(s + i)) * 0xff51afd7ed558ccd;
  if (i < len) h = (h ^ tailOf(s + i, len - i)) * 0xc4ceb9fe1a85ec53;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccd;
  h ^= h >> 29;
  gk1 = h;
  return <u32>(h >> 32);
}

@inline
function mixKey(k0: u64, k1: u64, len: u32): u32 {
  let h = k0 * 0x9e3779b97f4a7c15 + ((k1 << 29) | (k1 >> 35)) * 0xc2b2ae3d27d4eb4f + <u64>len;
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9;
  h ^= h >> 32;
  return <u32>h;
}

function hashedUser(dict: Dict, s: usize, len: u32, value: f64): u32 {
  if (uTable == 0) growUsers(1 << 15);
  const h = keyOf(s, len);
  return keyedUser(dict, s, len, value, h, gk0, gk1, gkind);
}

/** Whether userCode takes this id by value (a canonical decimal) rather than through the index. */
@inline
function byValue(s: usize, len: u32): bool {
  return !(len == 0 || len > 15 || (len > 1 && load<u8>(s) == 48)) && digitsValue(s, len) >= 0;
}

// Keys of a batch of ids, their order by slot, and what the read-only probe found.
let keys: usize = 0;
let order: usize = 0;
let found: usize = 0;
let keysCap: u32 = 0;
/** Entries per bucket of the slot order (the top bits of the slot). */
let buckets: usize = 0;
const BUCKET_BITS: u32 = 11;

/**
 * From this many slots (256 MB) the index is probed in slot order: 8M users in 20M events (about
 * 5.7M ids per range) took 41 s probed at random, 9-14 s in slot order. Below it the order costs
 * more than it saves: 10M events with 300k ids (16 MB) 3-5% slower, 100M with 3M ids (128 MB)
 * 37 s against 23-25 s. (Measured on a 2-core virtual machine, where a miss in a table of
 * 256 MB cost far more than one in 128 MB.)
 */
let sortedMinSlots: u32 = 1 << 23;

/** Tests set a small threshold (IAFA_KERNEL_SORTED_MIN_SLOTS), so the slot-order path runs on small files too. */
export function setSortedMinSlots(slots: u32): void {
  sortedMinSlots = slots;
}

/**
 * The codes of n ids (entries of 12 bytes [row, start, length] at `batch`) into col[row], in
 * order, new ids taking the next codes in the order they come: through touchedBatch, or, for an
 * index of sortedMinSlots or more, slotOrderBatch.
 */
export function usersOfBatch(dict: Dict, batch: usize, n: u32, col: usize): void {
  if (uTable == 0) growUsers(1 << 15);
  if (keysCap < n) {
    keysCap = max(n, 4096);
    keys = alloc(<usize>keysCap << 5);
    order = alloc(<usize>keysCap << 2);
    found = alloc(<usize>keysCap << 2);
  }
  if (uMask + 1 >= sortedMinSlots) slotOrderBatch(dict, batch, n, col);
  // (2,048 at a time: a dozen misses in flight is all the touch loop gets from more.)
  else for (let i: u32 = 0; i < n; i += 2048) touchedBatch(dict, batch + <usize>i * 12, min(2048, n - i), col);
}

/**
 * usersOfBatch for a large index: every id's key; then the index is probed, read-only, for all
 * of them in the order of their slots (a counting sort by the slot's top bits), so consecutive
 * probes fall in nearby pages rather than at random across hundreds of megabytes; then, in row
 * order, each id takes what the probe found, and only the ids it did not find are looked up
 * again and added (so codes come out as one lookup at a time gives them).
 */
function slotOrderBatch(dict: Dict, batch: usize, n: u32, col: usize): void {
  if (buckets == 0) buckets = alloc(<usize>(1 << BUCKET_BITS) << 2);
  const slotBits: u32 = 32 - <u32>clz(uMask);
  const shift: u32 = slotBits > BUCKET_BITS ? slotBits - BUCKET_BITS : 0;
  memory.fill(buckets, 0, <usize>(1 << BUCKET_BITS) << 2);
  for (let k: u32 = 0; k < n; k++) {
    if (!keyEntry(batch, k)) continue;
    const c = buckets + (<usize>((load<u32>(keys + (<usize>k << 5), 16) & uMask) >> shift) << 2);
    store<u32>(c, load<u32>(c) + 1);
  }
  let at: u32 = 0;
  for (let i: u32 = 0; i < <u32>(1 << BUCKET_BITS); i++) {
    const c = buckets + (<usize>i << 2);
    const m = load<u32>(c);
    store<u32>(c, at);
    at += m;
  }
  for (let k: u32 = 0; k < n; k++) {
    const e = keys + (<usize>k << 5);
    if (load<u32>(e, 20) == 0xffffffff) continue;
    const c = buckets + (<usize>((load<u32>(e, 16) & uMask) >> shift) << 2);
    const p = load<u32>(c);
    store<u32>(order + (<usize>p << 2), k);
    store<u32>(c, p + 1);
  }
  // The read-only probe, in slot order: found[k] is the code + 1, or 0 for an id not there yet.
  for (let i: u32 = 0; i < at; i++) {
    const k = load<u32>(order + (<usize>i << 2));
    const e = keys + (<usize>k << 5);
    const b = batch + <usize>k * 12;
    store<u32>(found + (<usize>k << 2), probeUser(dict, <usize>load<u32>(b, 4), load<u32>(b, 8), load<u32>(e, 16), load<u64>(e), load<u64>(e, 8), load<u32>(e, 20)));
  }
  for (let k: u32 = 0; k < n; k++) {
    const b = batch + <usize>k * 12;
    const e = keys + (<usize>k << 5);
    const kind = load<u32>(e, 20);
    let code: u32;
    if (kind == 0xffffffff) code = userCode(dict, <usize>load<u32>(b, 4), load<u32>(b, 8));
    else {
      const f = load<u32>(found + (<usize>k << 2));
      code = f != 0 ? f - 1 : keyedUser(dict, <usize>load<u32>(b, 4), load<u32>(b, 8), NaN, load<u32>(e, 16), load<u64>(e), load<u64>(e, 8), kind);
    }
    store<u32>(col + (<usize>load<u32>(b) << 2), code);
  }
}

let sink: u32 = 0;

/**
 * Batch entry k's key into keys[k]: [k0, k1 (u64), hash, kind]; kind 0xffffffff for an id
 * userCode takes by value. False for those.
 */
@inline
function keyEntry(batch: usize, k: u32): bool {
  const b = batch + <usize>k * 12;
  const s = <usize>load<u32>(b, 4);
  const len = load<u32>(b, 8);
  const e = keys + (<usize>k << 5);
  if (byValue(s, len)) {
    store<u32>(e, 0xffffffff, 20);
    return false;
  }
  store<u32>(e, keyOf(s, len), 16);
  store<u32>(e, gkind, 20);
  store<u64>(e, gk0);
  store<u64>(e, gk1, 8);
  return true;
}

/**
 * usersOfBatch for a smaller index: every id's key, then one read of each id's slot (a loop so
 * short that the core has a dozen of these cache misses in flight), then the lookups in row
 * order, now in the cache.
 */
function touchedBatch(dict: Dict, batch: usize, n: u32, col: usize): void {
  for (let k: u32 = 0; k < n; k++) keyEntry(batch, k);
  let acc: u32 = 0;
  for (let k: u32 = 0; k < n; k++) {
    const e = keys + (<usize>k << 5);
    if (load<u32>(e, 20) != 0xffffffff) acc += load<u32>(uTable + (<usize>(load<u32>(e, 16) & uMask) << 5), 20);
  }
  sink = acc;
  for (let k: u32 = 0; k < n; k++) {
    const b = batch + <usize>k * 12;
    const s = <usize>load<u32>(b, 4);
    const len = load<u32>(b, 8);
    const e = keys + (<usize>k << 5);
    const kind = load<u32>(e, 20);
    const code = kind == 0xffffffff ? userCode(dict, s, len) : keyedUser(dict, s, len, NaN, load<u32>(e, 16), load<u64>(e), load<u64>(e, 8), kind);
    store<u32>(col + (<usize>load<u32>(b) << 2), code);
  }
}

/** The code + 1 of a keyed id already in the index, or 0 (nothing is added). */
@inline
function probeUser(dict: Dict, s: usize, len: u32, h: u32, k0: u64, k1: u64, kind: u32): u32 {
  let slot = h & uMask;
  let code1 = load<u32>(uTable + (<usize>slot << 5), 20);
  while (code1 != 0) {
    const e = uTable + (<usize>slot << 5);
    if (load<u64>(e) == k0 && load<u64>(e, 8) == k1 && load<u32>(e, 16) == kind) {
      if (kind <= 16 || kind > PACKED || same(dict.pool + <usize>load<u32>(e, 24), s, len)) return code1;
    }
    slot = (slot + 1) & uMask;
    code1 = load<u32>(uTable + (<usize>slot << 5), 20);
  }
  return 0;
}

function keyedUser(dict: Dict, s: usize, len: u32, value: f64, h: u32, k0: u64, k1: u64, kind: u32): u32 {
  let slot = h & uMask;
  for (;;) {
    const e = uTable + (<usize>slot << 5);
    const code1 = load<u32>(e, 20);
    if (code1 == 0) break;
    if (load<u64>(e) == k0 && load<u64>(e, 8) == k1 && load<u32>(e, 16) == kind) {
      if (kind <= 16 || kind > PACKED || same(dict.pool + <usize>load<u32>(e, 24), s, len)) return code1 - 1;
    }
    slot = (slot + 1) & uMask;
  }
  const code = dict.append(s, len);
  noteUser(code, value);
  const e = uTable + (<usize>slot << 5);
  store<u64>(e, k0);
  store<u64>(e, k1, 8);
  store<u32>(e, kind, 16);
  store<u32>(e, code + 1, 20);
  store<u32>(e, load<u32>(dict.spans + (<usize>code << 3)), 24);
  // Grown past 3/4 full, not 1/2: two slots share a cache line, so the extra probes mostly stay
  // in it. 300k ids then fit 16 MB of slots instead of 32 (peak -60 MB on a 10M-event file), and
  // 3M ids 128 MB instead of 256: at 100M events a range's lookups in the 256 MB index had made
  // the import four times slower (95 s against 23 s), beyond what its size explains.
  if (++uCount * 4 > uMask * 3) growUsers((uMask + 1) << 1);
  return code;
}

/** The index at `slots` slots, its entries moved over (their hashes come from the keys alone but for long ids). */
function growUsers(slots: u32): void {
  const old = uTable;
  const oldSlots: u32 = old == 0 ? 0 : uMask + 1;
  uTable = alloc(<usize>slots << 5);
  memory.fill(uTable, 0, <usize>slots << 5);
  uMask = slots - 1;
  for (let i: u32 = 0; i < oldSlots; i++) {
    const o = old + (<usize>i << 5);
    if (load<u32>(o, 20) == 0) continue;
    const kind = load<u32>(o, 16);
    const k1 = load<u64>(o, 8);
    const h = kind <= 16 || kind > PACKED ? mixKey(load<u64>(o), k1, kind) : <u32>(k1 >> 32);
    let slot = h & uMask;
    while (load<u32>(uTable + (<usize>slot << 5), 20) != 0) slot = (slot + 1) & uMask;
    memory.copy(uTable + (<usize>slot << 5), o, 32);
  }
}

// Each user code's id as a number when it is a canonical decimal (else NaN): the merge matches
// users across chunks by these, without reading their bytes again.
let userVals: usize = 0;
let userValsCap: u32 = 0;

function noteUser(code: u32, value: f64): void {
  if (code >= userValsCap) {
    const cap = max(code + 1, userValsCap * 2);
    const next = alloc(<usize>cap << 3);
    if (userValsCap) memory.copy(next, userVals, <usize>userValsCap << 3);
    userVals = next;
    userValsCap = cap;
  }
  store<f64>(userVals + (<usize>code << 3), value);
}

export function userValues(): usize {
  return userVals;
}

/** A fresh instance's state (configure): code 0, the empty id, is no number. */
export function resetUsers(): void {
  userValsCap = 0;
  uTable = 0;
  uCount = 0;
  noteUser(0, NaN);
}

/** Extends the id array to cover v; false when that would pass DIRECT_MAX entries (then v goes by hash). */
function growDirect(v: u64): bool {
  if (directCap == 0) {
    directLo = v > 1024 ? v - 1024 : 0;
    directCap = 1 << 16;
  } else {
    const lo = v < directLo ? v : directLo;
    const hi = max(directLo + directCap, v + 1);
    let cap = directCap * 2;
    while (cap < hi - lo) cap *= 2;
    if (cap > DIRECT_MAX) return false;
    // Room on the side that grew, so ids walking downwards do not regrow every step.
    const newLo = v < directLo ? (hi > cap ? max(lo, hi - cap) : 0) : directLo;
    const next = alloc(<usize>cap << 2);
    memory.fill(next, 0, <usize>cap << 2);
    memory.copy(next + (<usize>(directLo - newLo) << 2), direct, <usize>directCap << 2);
    direct = next;
    directLo = newLo;
    directCap = cap;
    return v >= directLo && v - directLo < directCap;
  }
  direct = alloc(<usize>directCap << 2);
  memory.fill(direct, 0, <usize>directCap << 2);
  return v - directLo < directCap;
}

// ---- the chunks' user dictionaries merged into one (on the importing thread) ----
let merged: Dict | null = null;

/**
 * Starts a merge of `cap` ids (counted over the chunks): a fresh index, sized for half of them,
 * since the chunks mostly share their users (it grows if they do not). 32 bytes a slot: at 100M
 * events and 3M users this is 256 MB for as long as the merge runs.
 */
export function mergeBegin(cap: u32): void {
  resetUsers();
  merged = new Dict(16);
  let slots: u32 = 1 << 15;
  while (slots < cap + 2) slots <<= 1;
  growUsers(slots);
}

/** Ids matched per batch: many, so that the probes in slot order fall close together. */
const MERGE_BATCH: u32 = 16384;

/**
 * The merged code of each of a chunk's n ids, whose bytes are at pool + spans[2i] (length
 * spans[2i + 1]), into out; code 0 (the empty id) stays 0. New ids take the next codes in the
 * order they come, as a dictionary filled chunk by chunk would give them.
 */
export function mergeIds(pool: usize, spans: usize, n: u32, out: usize): void {
  idsInto(merged!, pool, spans, n, out);
}

/**
 * mergeIds into `dict` as the index holds it now: after a parse, the range's own user
 * dictionary, so another range's ids are matched against an index that is already built.
 */
export function idsInto(dict: Dict, pool: usize, spans: usize, n: u32, out: usize): void {
  if (n > 0) store<u32>(out, 0);
  // In batches, as the parse looks ids up (usersOfBatch): entries [index, start, length].
  const batch = alloc(MERGE_BATCH * 12);
  for (let i: u32 = 1; i < n; i += MERGE_BATCH) {
    const m = min(MERGE_BATCH, n - i);
    for (let k: u32 = 0; k < m; k++) {
      const sp = spans + (<usize>(i + k) << 3);
      const b = batch + <usize>k * 12;
      store<u32>(b, i + k);
      store<u32>(b, <u32>(pool + <usize>load<u32>(sp)), 4);
      store<u32>(b, load<u32>(sp, 4), 8);
    }
    usersOfBatch(dict, batch, m, out);
  }
}
