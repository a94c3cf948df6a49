// AssemblyScript, part of the import kernel (parse.ts): user ids.

import { alloc, Dict } from './dict';
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

function hashedUser(dict: Dict, s: usize, len: u32, value: f64): u32 {
  const size = dict.size;
  const code = dict.add(s, len);
  if (dict.size > size) noteUser(code, value);
  return code;
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
