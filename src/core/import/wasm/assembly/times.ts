// AssemblyScript, part of the import kernel (parse.ts): times, with the same arithmetic as
// src/core/import/timestamps.ts, so the same doubles.

const DAY_MS: f64 = 86400000;

@inline
function dig(p: usize): f64 {
  const v = <i32>load<u8>(p) - 48;
  return v >= 0 && v <= 9 ? <f64>v : -1000;
}

function daysFromCivil(y: f64, m: f64, d: f64): f64 {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

// ---- runs of ASCII digits, eight bytes at a time (SWAR) ----
// A digit-by-digit loop in doubles is a chain of dependent multiply-adds, the slowest part of
// reading a unix time; these take a field's digits in two 64-bit words instead.

/** Whether all 8 bytes of w are ASCII digits. */
@inline
function allDigits(w: u64): bool {
  return ((w & 0xf0f0f0f0f0f0f0f0) | (((w + 0x0606060606060606) & 0xf0f0f0f0f0f0f0f0) >> 4)) == 0x3333333333333333;
}

/** The number 8 ASCII digits spell, the first (lowest) byte the most significant digit. */
@inline
function eightDigits(w: u64): u64 {
  w -= 0x3030303030303030;
  w = (w * 10 + (w >> 8)) & 0x00ff00ff00ff00ff;
  w = (w * 100 + (w >> 16)) & 0x0000ffff0000ffff;
  return (w * 10000 + (w >> 32)) & 0xffffffff;
}

/** The len (1..8) bytes at p as one word, left-padded with '0's to eight digits. */
@inline
function padded(p: usize, len: u32): u64 {
  const w = load<u64>(p) << (<u64>(8 - len) << 3);
  return len == 8 ? w : w | (<u64>0x3030303030303030 >> (<u64>len << 3));
}

/**
 * The value of len (1..16) ASCII digits at p, or -1 if any byte is not a digit. The input has
 * 64 bytes of slack after it (see parse), so whole words may be read past the field.
 */
export function digitsValue(p: usize, len: u32): i64 {
  if (len <= 8) {
    const w = padded(p, len);
    return allDigits(w) ? <i64>eightDigits(w) : -1;
  }
  const hi = padded(p, len - 8);
  const lo = load<u64>(p + len - 8);
  return allDigits(hi) && allDigits(lo) ? <i64>(eightDigits(hi) * 100000000 + eightDigits(lo)) : -1;
}

export function parseNumber(s: usize, e: usize): f64 {
  if (s == e) return NaN;
  // Up to 15 digits the value is below 2^53: exact as an integer, so the same double as the
  // digit-by-digit sum below (and in timestamps.ts), which longer or fractional numbers take.
  if (e - s <= 15) {
    const v = digitsValue(s, <u32>(e - s));
    if (v >= 0) return <f64>v;
  }
  let v: f64 = 0;
  let i = s;
  for (; i < e; i++) {
    const c = <i32>load<u8>(i) - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + <f64>c;
  }
  if (i == e) return v;
  if (load<u8>(i) != 46 || i == s) return NaN;
  let scale: f64 = 0.1;
  for (i++; i < e; i++) {
    const c = <i32>load<u8>(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v += <f64>c * scale;
    scale /= 10;
  }
  return v;
}

// ---- the usual export spelling, 2026-01-05T13:04:05.123Z or ...123+05:30 ----
// Read with integers, the date's days taken from the previous row's when the date is the same
// (a log's rows come in time order, give or take): the general reader below spends most of its
// time in floating-point division for the calendar. The same double comes out (every term is a
// whole number of ms, exact either way); anything unusual goes to the general reader.
let lastDate: u64 = 0;
let lastDay: u32 = 0xffffffff;
let lastDayMs: f64 = 0;

@inline
function d2(p: usize): u32 {
  // Two ASCII digits as a number, or a value of 100 or more when either is not a digit.
  const a = <u32>load<u8>(p) - 48;
  const b = <u32>load<u8>(p + 1) - 48;
  return a <= 9 && b <= 9 ? a * 10 + b : 1000;
}

@inline
function fastIso(s: usize, len: usize): f64 {
  if (load<u8>(s + 10) != 84 || load<u8>(s + 13) != 58 || load<u8>(s + 16) != 58 || load<u8>(s + 19) != 46) return NaN;
  let off: i32 = 0;
  if (len == 24) {
    const z = load<u8>(s + 23);
    if (z != 90 && z != 122) return NaN;
  } else {
    const sign = load<u8>(s + 23);
    const oh = d2(s + 24);
    const om = d2(s + 27);
    if ((sign != 43 && sign != 45) || load<u8>(s + 26) != 58 || oh > 99 || om > 99) return NaN;
    off = <i32>(oh * 3600000 + om * 60000);
    if (sign == 43) off = -off;
  }
  const hh = d2(s + 11);
  const mi = d2(s + 14);
  const ss = d2(s + 17);
  const m1 = <u32>load<u8>(s + 20) - 48;
  const m2 = <u32>load<u8>(s + 21) - 48;
  const m3 = <u32>load<u8>(s + 22) - 48;
  if (hh > 24 || mi > 59 || ss > 60 || m1 > 9 || m2 > 9 || m3 > 9) return NaN;
  const date = load<u64>(s);
  const day = <u32>load<u16>(s + 8);
  if (date != lastDate || day != lastDay) {
    if (load<u8>(s + 4) != 45 || load<u8>(s + 7) != 45) return NaN;
    const y = dig(s) * 1000 + dig(s + 1) * 100 + dig(s + 2) * 10 + dig(s + 3);
    const mo = dig(s + 5) * 10 + dig(s + 6);
    const d = dig(s + 8) * 10 + dig(s + 9);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31) return NaN;
    lastDayMs = daysFromCivil(y, mo, d) * DAY_MS;
    lastDate = date;
    lastDay = day;
  }
  return lastDayMs + <f64>(<i32>(hh * 3600000 + mi * 60000 + ss * 1000 + m1 * 100 + m2 * 10 + m3) + off);
}

/** parseIsoBytes; NaN when it is not that shape (then JavaScript must decide: see parse()). */
export function parseIso(s: usize, e: usize): f64 {
  const len = e - s;
  if (len == 24 || len == 29) {
    const t = fastIso(s, len);
    if (!isNaN(t)) return t;
  }
  if (e - s < 10 || load<u8>(s + 4) != 45 || load<u8>(s + 7) != 45) return NaN;
  const y = dig(s) * 1000 + dig(s + 1) * 100 + dig(s + 2) * 10 + dig(s + 3);
  const mo = dig(s + 5) * 10 + dig(s + 6);
  const d = dig(s + 8) * 10 + dig(s + 9);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31) return NaN;
  let ms = daysFromCivil(y, mo, d) * DAY_MS;
  let i = s + 10;
  if (i == e) return ms;
  const sep = load<u8>(i);
  if (sep != 84 && sep != 32 && sep != 116) return NaN;
  i++;
  if (e - i < 5 || load<u8>(i + 2) != 58) return NaN;
  const hh = dig(i) * 10 + dig(i + 1);
  const mi = dig(i + 3) * 10 + dig(i + 4);
  if (hh < 0 || hh > 24 || mi < 0 || mi > 59) return NaN;
  ms += hh * 3600000 + mi * 60000;
  i += 5;
  if (i < e && load<u8>(i) == 58) {
    const ss = dig(i + 1) * 10 + dig(i + 2);
    if (ss < 0 || ss > 60) return NaN;
    ms += ss * 1000;
    i += 3;
    if (i < e && (load<u8>(i) == 46 || load<u8>(i) == 44)) {
      i++;
      let scale: f64 = 100;
      while (i < e && load<u8>(i) >= 48 && load<u8>(i) <= 57) {
        ms += <f64>(<i32>load<u8>(i) - 48) * scale;
        scale /= 10;
        i++;
      }
    }
  }
  if (i == e) return ms;
  const z = load<u8>(i);
  if (z == 90 || z == 122) return i + 1 == e ? ms : NaN;
  if (z == 32 && e - i >= 4 && load<u8>(i + 1) == 85) return ms;
  if (z == 43 || z == 45) {
    const sign: f64 = z == 43 ? 1 : -1;
    const oh = dig(i + 1) * 10 + dig(i + 2);
    let j = i + 3;
    if (j < e && load<u8>(j) == 58) j++;
    const om = j + 1 < e ? dig(j) * 10 + dig(j + 1) : 0;
    if (oh < 0 || om < 0) return NaN;
    return ms - sign * (oh * 3600000 + om * 60000);
  }
  return NaN;
}

export function hasDigit(s: usize, e: usize): bool {
  for (let i = s; i < e; i++) if (<u32>load<u8>(i) - 48 <= 9) return true;
  return false;
}

