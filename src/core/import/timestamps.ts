export type TimeFormat = 'iso' | 'unix_s' | 'unix_ms' | 'unix_us' | 'date' | 'weekday_month_day';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAY_MS = 86_400_000;

/**
 * The furthest a JavaScript Date reaches either side of 1970 (±100,000,000 days): a time past it
 * (a unix time in the wrong unit, 1e308) cannot be shown or stored as a date, so its row is
 * skipped as a bad timestamp by every reader, like one that does not parse.
 */
export const MAX_DATE_MS = 8.64e15;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm): no Date object per row. */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function dig(b: Uint8Array, i: number): number {
  const v = b[i] - 48;
  return v >= 0 && v <= 9 ? v : -1000;
}

/**
 * ISO-8601 date or date-time from bytes, in epoch ms; NaN when it is not one. A timestamp without
 * a zone is read as UTC: files rarely say which local time they mean, and UTC keeps days stable.
 */
export function parseIsoBytes(b: Uint8Array, s: number, e: number): number {
  if (e - s < 10 || b[s + 4] !== 45 || b[s + 7] !== 45) return NaN;
  const y = dig(b, s) * 1000 + dig(b, s + 1) * 100 + dig(b, s + 2) * 10 + dig(b, s + 3);
  const mo = dig(b, s + 5) * 10 + dig(b, s + 6);
  const d = dig(b, s + 8) * 10 + dig(b, s + 9);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31) return NaN;
  let ms = daysFromCivil(y, mo, d) * DAY_MS;
  let i = s + 10;
  if (i === e) return ms;
  if (b[i] !== 84 && b[i] !== 32 && b[i] !== 116) return NaN;
  i++;
  if (e - i < 5 || b[i + 2] !== 58) return NaN;
  const hh = dig(b, i) * 10 + dig(b, i + 1);
  const mi = dig(b, i + 3) * 10 + dig(b, i + 4);
  if (hh < 0 || hh > 24 || mi < 0 || mi > 59) return NaN;
  ms += hh * 3_600_000 + mi * 60_000;
  i += 5;
  if (i < e && b[i] === 58) {
    const ss = dig(b, i + 1) * 10 + dig(b, i + 2);
    if (ss < 0 || ss > 60) return NaN;
    ms += ss * 1000;
    i += 3;
    if (i < e && (b[i] === 46 || b[i] === 44)) {
      i++;
      let scale = 100;
      while (i < e && b[i] >= 48 && b[i] <= 57) {
        ms += (b[i] - 48) * scale;
        scale /= 10;
        i++;
      }
    }
  }
  if (i === e) return ms;
  if (b[i] === 90 || b[i] === 122) return i + 1 === e ? ms : NaN;
  if (b[i] === 32 && e - i >= 4 && b[i + 1] === 85) return ms; // " UTC"
  if (b[i] === 43 || b[i] === 45) {
    const sign = b[i] === 43 ? 1 : -1;
    const oh = dig(b, i + 1) * 10 + dig(b, i + 2);
    let j = i + 3;
    if (j < e && b[j] === 58) j++;
    const om = j + 1 < e ? dig(b, j) * 10 + dig(b, j + 1) : 0;
    if (oh < 0 || om < 0) return NaN;
    return ms - sign * (oh * 3_600_000 + om * 60_000);
  }
  return NaN;
}

/** Unsigned decimal number from bytes (digits with an optional fraction); NaN otherwise. */
export function parseNumberBytes(b: Uint8Array, s: number, e: number): number {
  if (s === e) return NaN;
  let v = 0;
  let i = s;
  for (; i < e; i++) {
    const c = b[i] - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
  }
  if (i === e) return v;
  if (b[i] !== 46 || i === s) return NaN;
  let scale = 0.1;
  for (i++; i < e; i++) {
    const c = b[i] - 48;
    if (c < 0 || c > 9) return NaN;
    v += c * scale;
    scale /= 10;
  }
  return v;
}

export function parseTimeBytes(b: Uint8Array, s: number, e: number, fmt: TimeFormat, year: number): number {
  switch (fmt) {
    case 'unix_s': {
      const v = parseNumberBytes(b, s, e);
      return v * 1000;
    }
    case 'unix_ms':
      return parseNumberBytes(b, s, e);
    case 'unix_us':
      return parseNumberBytes(b, s, e) / 1000;
    case 'iso':
    case 'date': {
      const v = parseIsoBytes(b, s, e);
      return v === v ? v : parseTimeString(Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('utf8'), fmt, year);
    }
    default:
      return parseTimeString(Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('utf8'), fmt, year);
  }
}

/** Slow path for previews and unusual formats. */
export function parseTimeString(raw: string, fmt: TimeFormat, year: number): number {
  const str = raw.trim();
  if (!str) return NaN;
  if (fmt === 'unix_s' || fmt === 'unix_ms' || fmt === 'unix_us') {
    if (!/^\d+(\.\d+)?$/.test(str)) return NaN;
    return Number(str) * (fmt === 'unix_s' ? 1000 : fmt === 'unix_us' ? 0.001 : 1);
  }
  if (fmt === 'weekday_month_day') {
    const p = parseWeekdayMonthDay(str);
    return p ? daysFromCivil(year, p.month, p.day) * DAY_MS : NaN;
  }
  const b = Buffer.from(str, 'utf8');
  const v = parseIsoBytes(b, 0, b.length);
  if (v === v) return v;
  // Other spellings Date understands (e.g. "2017/11/25 10:00"); naive ones are taken as UTC.
  const hasZone = /(Z|[+-]\d{2}:?\d{2}|GMT|UTC)$/i.test(str);
  const t = Date.parse(hasZone ? str : str + ' UTC');
  return Number.isFinite(t) ? t : Date.parse(str);
}

export function parseWeekdayMonthDay(s: string): { weekday: number; month: number; day: number } | null {
  const m = /^([A-Za-z]{3})[a-z]*,?\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2})$/.exec(s.trim());
  if (!m) return null;
  const weekday = WEEKDAYS.indexOf(m[1].toLowerCase());
  const month = MONTHS.indexOf(m[2].toLowerCase()) + 1;
  const day = Number(m[3]);
  if (weekday < 0 || month < 1 || day < 1 || day > 31) return null;
  return { weekday, month, day };
}

/**
 * Dates like "Sat, Oct 11" carry no year, but the weekdays pin it down to a few candidates:
 * the latest year not in the future that agrees with every sample wins, and the others are
 * reported so the user can override it with mapping.year.
 */
export function inferYear(samples: string[], now = new Date()): { year: number | null; candidates: number[] } {
  const parsed = samples.map(parseWeekdayMonthDay).filter((p): p is NonNullable<typeof p> => p !== null);
  if (!parsed.length) return { year: null, candidates: [] };
  const candidates: number[] = [];
  for (let y = now.getUTCFullYear(); y >= 1990; y--) {
    const ok = parsed.every((p) => {
      const wd = (((daysFromCivil(y, p.month, p.day) + 4) % 7) + 7) % 7;
      return wd === p.weekday;
    });
    if (ok) candidates.push(y);
  }
  return { year: candidates[0] ?? null, candidates };
}

/** Which format a column's sample values are in, and how many of them parse. */
export function detectTimeFormat(samples: string[]): { format: TimeFormat | null; parsed: number; year?: number; candidates?: number[] } {
  const vals = samples.map((s) => s.trim()).filter(Boolean);
  if (!vals.length) return { format: null, parsed: 0 };
  const share = (f: (s: string) => boolean) => vals.filter(f).length / vals.length;
  if (share((s) => /^\d{9,14}(\.\d+)?$/.test(s)) >= 0.9) {
    const nums = vals
      .map(Number)
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    const median = nums[Math.floor(nums.length / 2)];
    // 1e11 seconds is the year 5138; 1e11 milliseconds is 1973.
    return { format: median >= 1e11 ? 'unix_ms' : 'unix_s', parsed: nums.length };
  }
  if (share((s) => /^\d{4}-\d{2}-\d{2}$/.test(s)) >= 0.9) return { format: 'date', parsed: vals.length };
  const iso = vals.filter((s) => Number.isFinite(parseTimeString(s, 'iso', 1970))).length;
  if (iso / vals.length >= 0.8 && vals.some((s) => /\d{4}|\d{1,2}:\d{2}/.test(s)) && vals.every((s) => !/^\d+(\.\d+)?$/.test(s))) {
    return { format: 'iso', parsed: iso };
  }
  if (share((s) => parseWeekdayMonthDay(s) !== null) >= 0.9) {
    const { year, candidates } = inferYear(vals);
    return { format: 'weekday_month_day', parsed: vals.length, year: year ?? undefined, candidates };
  }
  return { format: null, parsed: 0 };
}
