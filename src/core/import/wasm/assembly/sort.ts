// AssemblyScript, part of the import kernel (parse.ts): ordering the rows by (user, time).

import { alloc } from './dict';

/** Stable sort of len times at t (moving the row numbers at p with them): insertion sort on runs of 32, then merges. */
export function sortRange(t: usize, p: usize, len: u32, st: usize, sp: usize): void {
  let sorted = true;
  for (let i: u32 = 1; i < len; i++) {
    if (load<f64>(t + (<usize>i << 3)) < load<f64>(t + ((<usize>i - 1) << 3))) {
      sorted = false;
      break;
    }
  }
  if (sorted) return;
  const RUN: u32 = 32;
  for (let r: u32 = 0; r < len; r += RUN) {
    const end = min(len, r + RUN);
    for (let i = r + 1; i < end; i++) {
      const x = load<f64>(t + (<usize>i << 3));
      const v = load<u32>(p + (<usize>i << 2));
      let j = <i32>i - 1;
      while (j >= <i32>r && load<f64>(t + (<usize>j << 3)) > x) {
        store<f64>(t + ((<usize>j + 1) << 3), load<f64>(t + (<usize>j << 3)));
        store<u32>(p + ((<usize>j + 1) << 2), load<u32>(p + (<usize>j << 2)));
        j--;
      }
      store<f64>(t + ((<usize>j + 1) << 3), x);
      store<u32>(p + ((<usize>j + 1) << 2), v);
    }
  }
  if (len <= RUN) return;
  let srcT = t;
  let srcP = p;
  let dstT = st;
  let dstP = sp;
  for (let width = RUN; width < len; width *= 2) {
    for (let lo: u32 = 0; lo < len; lo += 2 * width) {
      const mid = min(lo + width, len);
      const hi = min(lo + 2 * width, len);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        // The right run only when strictly earlier: ties keep their order.
        if (load<f64>(srcT + (<usize>j << 3)) < load<f64>(srcT + (<usize>i << 3))) {
          store<f64>(dstT + (<usize>k << 3), load<f64>(srcT + (<usize>j << 3)));
          store<u32>(dstP + (<usize>k << 2), load<u32>(srcP + (<usize>j << 2)));
          j++;
        } else {
          store<f64>(dstT + (<usize>k << 3), load<f64>(srcT + (<usize>i << 3)));
          store<u32>(dstP + (<usize>k << 2), load<u32>(srcP + (<usize>i << 2)));
          i++;
        }
        k++;
      }
      for (; i < mid; i++, k++) {
        store<f64>(dstT + (<usize>k << 3), load<f64>(srcT + (<usize>i << 3)));
        store<u32>(dstP + (<usize>k << 2), load<u32>(srcP + (<usize>i << 2)));
      }
      for (; j < hi; j++, k++) {
        store<f64>(dstT + (<usize>k << 3), load<f64>(srcT + (<usize>j << 3)));
        store<u32>(dstP + (<usize>k << 2), load<u32>(srcP + (<usize>j << 2)));
      }
    }
    const xt = srcT;
    srcT = dstT;
    dstT = xt;
    const xp = srcP;
    srcP = dstP;
    dstP = xp;
  }
  if (srcT != t) {
    memory.copy(t, srcT, <usize>len << 3);
    memory.copy(p, srcP, <usize>len << 2);
  }
}


/** Ascending sort of len u64 values at p (distinct, so stability is moot): insertion sort on runs of 32, then merges through `scratch`. */
export function sortPacked(p: usize, len: u32, scratch: usize): void {
  let sorted = true;
  for (let i: u32 = 1; i < len; i++) {
    if (load<u64>(p + (<usize>i << 3)) < load<u64>(p + ((<usize>i - 1) << 3))) {
      sorted = false;
      break;
    }
  }
  if (sorted) return;
  const RUN: u32 = 32;
  for (let r: u32 = 0; r < len; r += RUN) {
    const end = min(len, r + RUN);
    for (let i = r + 1; i < end; i++) {
      const x = load<u64>(p + (<usize>i << 3));
      let j = <i32>i - 1;
      while (j >= <i32>r && load<u64>(p + (<usize>j << 3)) > x) {
        store<u64>(p + ((<usize>j + 1) << 3), load<u64>(p + (<usize>j << 3)));
        j--;
      }
      store<u64>(p + ((<usize>j + 1) << 3), x);
    }
  }
  if (len <= RUN) return;
  let src = p;
  let dst = scratch;
  for (let width = RUN; width < len; width *= 2) {
    for (let lo: u32 = 0; lo < len; lo += 2 * width) {
      const mid = min(lo + width, len);
      const hi = min(lo + 2 * width, len);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        const a = load<u64>(src + (<usize>i << 3));
        const b = load<u64>(src + (<usize>j << 3));
        if (b < a) {
          store<u64>(dst + (<usize>k << 3), b);
          j++;
        } else {
          store<u64>(dst + (<usize>k << 3), a);
          i++;
        }
        k++;
      }
      if (i < mid) memory.copy(dst + (<usize>k << 3), src + (<usize>i << 3), <usize>(mid - i) << 3);
      else if (j < hi) memory.copy(dst + (<usize>k << 3), src + (<usize>j << 3), <usize>(hi - j) << 3);
    }
    const x = src;
    src = dst;
    dst = x;
  }
  if (src != p) memory.copy(p, src, <usize>len << 3);
}

/** The earliest time: the keys count from it (keyUnit sets it). */
let keyBase: f64 = 0;

/**
 * The unit (1 or 1000 ms) in which every one of n times at `time` is a whole number less than
 * 2^32 past the earliest, or 0 when some time is not (then sortByTimes orders doubles). [lo, hi]
 * and `anyFraction` come from the parse: when they settle it, the times are not read again.
 */
export function keyUnit(time: usize, n: u32, lo: f64, hi: f64, anyFraction: bool): f64 {
  if (!anyFraction && n > 0 && hi - lo < 4294967296) {
    keyBase = lo;
    return 1;
  }
  lo = Infinity;
  hi = -Infinity;
  let whole = true;
  let seconds = true;
  for (let i: u32 = 0; i < n; i++) {
    const t = load<f64>(time + (<usize>i << 3));
    lo = min(lo, t);
    hi = max(hi, t);
    // (Not t % 1000: a software fmod here, slower than the rest of the loop.)
    whole = whole && t == Math.floor(t);
    seconds = seconds && Math.floor(t / 1000) * 1000 == t;
  }
  keyBase = lo;
  if (n == 0 || !whole) return 0;
  if (hi - lo < 4294967296) return 1;
  if (seconds && (hi - lo) / 1000 < 4294967296) return 1000;
  return 0;
}

/**
 * Each row's time as a 32-bit key, packed above its row number into one u64, placed in its
 * user's block as the rows come (a counting sort by user: pos holds each user's next place).
 * Sorting one 8-byte value per row within each user then orders by time with ties in file
 * order, and the sorted times come back from the keys, not from reading the times at random.
 */
export function scatterKeys(time: usize, n: u32, uc: usize, pos: usize, packed: usize, unit: f64): void {
  for (let i: u32 = 0; i < n; i++) {
    const a = pos + (<usize>load<u32>(uc + (<usize>i << 2)) << 2);
    const at = load<u32>(a);
    const key = <u64>(<u32>((load<f64>(time + (<usize>i << 3)) - keyBase) / unit));
    store<u64>(packed + (<usize>at << 3), (key << 32) | <u64>i);
    store<u32>(a, at + 1);
  }
}

/** Sorts each user's block [userStart[u], userStart[u + 1]) of packed keys. */
export function sortEachUser(userStart: usize, nUsers: u32, packed: usize): void {
  let scratchCap: u32 = 1024;
  let scratch = alloc(<usize>scratchCap << 3);
  for (let u: u32 = 0; u < nUsers; u++) {
    const a = load<u32>(userStart + (<usize>u << 2));
    const b = load<u32>(userStart + ((<usize>u + 1) << 2));
    if (b - a > scratchCap) {
      scratchCap = (b - a) * 2;
      scratch = alloc(<usize>scratchCap << 3);
    }
    sortPacked(packed + (<usize>a << 3), b - a, scratch);
  }
}

/** The sorted keys back into row numbers and times. */
export function unpackKeys(packed: usize, n: u32, perm: usize, sortedTime: usize, unit: f64): void {
  for (let i: u32 = 0; i < n; i++) {
    const v = load<u64>(packed + (<usize>i << 3));
    store<u32>(perm + (<usize>i << 2), <u32>v);
    store<f64>(sortedTime + (<usize>i << 3), keyBase + <f64>(v >> 32) * unit);
  }
}

/** Any times: the row numbers placed by user, then each user's times sorted as doubles. */
export function sortByTimes(time: usize, n: u32, nUsers: u32, uc: usize, pos: usize, userStart: usize, perm: usize, sortedTime: usize): void {
  for (let i: u32 = 0; i < n; i++) {
    const a = pos + (<usize>load<u32>(uc + (<usize>i << 2)) << 2);
    const at = load<u32>(a);
    store<u32>(perm + (<usize>at << 2), i);
    store<u32>(a, at + 1);
  }
  for (let i: u32 = 0; i < n; i++) store<f64>(sortedTime + (<usize>i << 3), load<f64>(time + (<usize>load<u32>(perm + (<usize>i << 2)) << 3)));
  let scratchCap: u32 = 1024;
  let st = alloc(<usize>scratchCap << 3);
  let sp = alloc(<usize>scratchCap << 2);
  for (let u: u32 = 0; u < nUsers; u++) {
    const a = load<u32>(userStart + (<usize>u << 2));
    const b = load<u32>(userStart + ((<usize>u + 1) << 2));
    if (b - a > scratchCap) {
      scratchCap = (b - a) * 2;
      st = alloc(<usize>scratchCap << 3);
      sp = alloc(<usize>scratchCap << 2);
    }
    sortRange(sortedTime + (<usize>a << 3), perm + (<usize>a << 2), b - a, st, sp);
  }
}

// ---- a kernel's rows ordered by (user, time), ties in file order (both kernels: parse.ts for
// CSV, ndjson.ts), as sort-rows.ts does; the results are read through the sorted* functions ----
let userStart: usize = 0;
let sortedTime: usize = 0;
/** Per field: its codes in the new order. */
let sortedCols: usize = 0;
/** Row numbers in sorted order. */
let perm: usize = 0;

/**
 * Orders a kernel's n rows by (user code, time): `uc` holds the user codes (nUsers of them),
 * `timeCol` the times (their extremes [lo, hi], `anyFraction` as keyUnit takes them), and
 * codeCols/widths each of nFields fields' codes and their width, but for the time and user fields.
 */
export function sortColumns(
  n: u32,
  nUsers: u32,
  uc: usize,
  timeCol: usize,
  lo: f64,
  hi: f64,
  anyFraction: bool,
  nFields: i32,
  timeField: i32,
  userField: i32,
  codeCols: usize,
  widths: usize,
): void {
  userStart = alloc(<usize>(nUsers + 1) << 2);
  memory.fill(userStart, 0, <usize>(nUsers + 1) << 2);
  for (let i: u32 = 0; i < n; i++) {
    const a = userStart + ((<usize>load<u32>(uc + (<usize>i << 2)) + 1) << 2);
    store<u32>(a, load<u32>(a) + 1);
  }
  for (let u: u32 = 0; u < nUsers; u++) {
    const a = userStart + ((<usize>u + 1) << 2);
    store<u32>(a, load<u32>(a) + load<u32>(a - 4));
  }
  const pos = alloc(<usize>nUsers << 2);
  memory.copy(pos, userStart, <usize>nUsers << 2);
  // Fresh memory costs a page fault per 4 KB on first touch, dearer here than the copying
  // itself; so the sort reuses what it is done with where it can.
  let spare: usize = 0;
  let spareLen: usize = 0;
  const unit = keyUnit(timeCol, n, lo, hi, anyFraction);
  if (unit > 0) {
    const packed = alloc(<usize>n << 3);
    scatterKeys(timeCol, n, uc, pos, packed, unit);
    sortEachUser(userStart, nUsers, packed);
    // The user codes and the file-order times have been read for the last time.
    perm = uc;
    sortedTime = timeCol;
    unpackKeys(packed, n, perm, sortedTime, unit);
    spare = packed;
    spareLen = <usize>n << 3;
  } else {
    perm = alloc(<usize>n << 2);
    sortedTime = alloc(<usize>n << 3);
    sortByTimes(timeCol, n, nUsers, uc, pos, userStart, perm, sortedTime);
  }
  // In the narrowest width that holds the field's codes: less to copy out and to send.
  sortedCols = alloc(<usize>nFields << 2);
  memory.fill(sortedCols, 0, <usize>nFields << 2);
  if (spareLen >= <usize>n << 3) gatherBytePacked(n, nFields, timeField, userField, codeCols, widths, spare);
  for (let f = 0; f < nFields; f++) {
    if (f == timeField || f == userField || load<usize>(sortedCols + (<usize>f << 2)) != 0) continue;
    const src = load<usize>(codeCols + (<usize>f << 2));
    const w = load<u32>(widths + (<usize>f << 2));
    // (8-byte steps through the spare region: JavaScript views need aligned offsets.)
    const bytes = (<usize>n * w + 7) & ~(<usize>7);
    let dst: usize;
    if (bytes <= spareLen) {
      dst = spare;
      spare += bytes;
      spareLen -= bytes;
    } else dst = alloc(bytes);
    if (w == 1) for (let i: u32 = 0; i < n; i++) store<u8>(dst + <usize>i, load<u8>(src + <usize>load<u32>(perm + (<usize>i << 2))));
    else if (w == 2) for (let i: u32 = 0; i < n; i++) store<u16>(dst + (<usize>i << 1), load<u16>(src + (<usize>load<u32>(perm + (<usize>i << 2)) << 1)));
    else for (let i: u32 = 0; i < n; i++) store<u32>(dst + (<usize>i << 2), load<u32>(src + (<usize>load<u32>(perm + (<usize>i << 2)) << 2)));
    store<usize>(sortedCols + (<usize>f << 2), dst);
  }
}

/**
 * Up to four one-byte fields gathered as one: their codes packed into a u32 per row (a
 * sequential pass), the words read in sorted order (one read at random per row, where each
 * column read its own), unpacked into the fields' own arrays, whose file-order codes are in the
 * words by then. The n * 8 bytes at `spare` hold the words and the sorted words meanwhile.
 * Fewer than two such fields: nothing to gain, nothing done. Sets their sortedCols.
 */
function gatherBytePacked(n: u32, nFields: i32, timeField: i32, userField: i32, codeCols: usize, widths: usize, spare: usize): void {
  let f0: i32 = -1;
  let f1: i32 = -1;
  let f2: i32 = -1;
  let f3: i32 = -1;
  let k = 0;
  for (let f = 0; f < nFields && k < 4; f++) {
    if (f == timeField || f == userField || load<u32>(widths + (<usize>f << 2)) != 1) continue;
    if (k == 0) f0 = f;
    else if (k == 1) f1 = f;
    else if (k == 2) f2 = f;
    else f3 = f;
    k++;
  }
  if (k < 2) return;
  const c0 = load<usize>(codeCols + (<usize>f0 << 2));
  const c1 = load<usize>(codeCols + (<usize>f1 << 2));
  // (A missing third or fourth field reads and writes the second's bytes: harmless.)
  const c2 = f2 >= 0 ? load<usize>(codeCols + (<usize>f2 << 2)) : c1;
  const c3 = f3 >= 0 ? load<usize>(codeCols + (<usize>f3 << 2)) : c1;
  const words = spare;
  const sorted = spare + (<usize>n << 2);
  for (let i: u32 = 0; i < n; i++) {
    const w = <u32>load<u8>(c0 + <usize>i) | (<u32>load<u8>(c1 + <usize>i) << 8) | (<u32>load<u8>(c2 + <usize>i) << 16) | (<u32>load<u8>(c3 + <usize>i) << 24);
    store<u32>(words + (<usize>i << 2), w);
  }
  for (let i: u32 = 0; i < n; i++) store<u32>(sorted + (<usize>i << 2), load<u32>(words + (<usize>load<u32>(perm + (<usize>i << 2)) << 2)));
  for (let i: u32 = 0; i < n; i++) {
    const w = load<u32>(sorted + (<usize>i << 2));
    store<u8>(c0 + <usize>i, <u8>w);
    store<u8>(c1 + <usize>i, <u8>(w >> 8));
    if (f2 >= 0) store<u8>(c2 + <usize>i, <u8>(w >> 16));
    if (f3 >= 0) store<u8>(c3 + <usize>i, <u8>(w >> 24));
  }
  store<usize>(sortedCols + (<usize>f0 << 2), c0);
  store<usize>(sortedCols + (<usize>f1 << 2), c1);
  if (f2 >= 0) store<usize>(sortedCols + (<usize>f2 << 2), c2);
  if (f3 >= 0) store<usize>(sortedCols + (<usize>f3 << 2), c3);
}

/** Rows per code of a field, from its sorted codes (`w` bytes each, `size` codes): the import lists each event's count. */
export function countSortedCodes(field: i32, w: u32, n: u32, size: u32): usize {
  const out = alloc(<usize>size << 2);
  memory.fill(out, 0, <usize>size << 2);
  const col = load<usize>(sortedCols + (<usize>field << 2));
  if (w == 1) for (let i: u32 = 0; i < n; i++) {
    const a = out + (<usize>load<u8>(col + <usize>i) << 2);
    store<u32>(a, load<u32>(a) + 1);
  }
  else if (w == 2) for (let i: u32 = 0; i < n; i++) {
    const a = out + (<usize>load<u16>(col + (<usize>i << 1)) << 2);
    store<u32>(a, load<u32>(a) + 1);
  }
  else for (let i: u32 = 0; i < n; i++) {
    const a = out + (<usize>load<u32>(col + (<usize>i << 2)) << 2);
    store<u32>(a, load<u32>(a) + 1);
  }
  return out;
}

export function sortedUserStart(): usize {
  return userStart;
}
export function sortedTimes(): usize {
  return sortedTime;
}
export function sortedCodes(field: i32): usize {
  return load<usize>(sortedCols + (<usize>field << 2));
}
