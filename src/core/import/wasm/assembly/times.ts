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

export function parseNumber(s: usize, e: usize): f64 {
  if (s == e) return NaN;
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

/** parseIsoBytes; NaN when it is not that shape (then JavaScript must decide: see parse()). */
export function parseIso(s: usize, e: usize): f64 {
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

