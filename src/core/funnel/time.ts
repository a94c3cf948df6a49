import { IafaError } from '../../shared/contract';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
export const DAY_MS = 86_400_000;

/** "24h" → ms; "none" → Infinity (unbounded window). */
export function windowMs(w: string): number {
  if (w === 'none') return Infinity;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(w);
  if (!m) throw new IafaError('validation', `window must look like 30m, 24h, 7d or none (got "${w}")`);
  return Number(m[1]) * UNIT_MS[m[2]];
}

/**
 * Calendar days in an IANA zone. Offsets are looked up once per UTC hour (zones change offset
 * on hour boundaries, or half/quarter hours that never split a local day differently), so a
 * daily series over millions of users costs a few thousand Intl calls at most.
 */
export class ZoneDays {
  private fmt: Intl.DateTimeFormat | null;
  private cache = new Map<number, number>();
  constructor(readonly tz: string) {
    if (tz === 'UTC' || tz === 'Etc/UTC') {
      this.fmt = null;
      return;
    }
    try {
      this.fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
      });
    } catch {
      throw new IafaError('validation', `Unknown time zone "${tz}" (use an IANA name such as Europe/Paris).`, { reason: 'bad_tz' });
    }
  }

  /** Offset of local time from UTC at instant t, in ms. */
  offset(t: number): number {
    if (!this.fmt) return 0;
    const hour = Math.floor(t / 3_600_000);
    const hit = this.cache.get(hour);
    if (hit !== undefined) return hit;
    const p: Record<string, number> = {};
    for (const part of this.fmt.formatToParts(new Date(hour * 3_600_000))) if (part.type !== 'literal') p[part.type] = Number(part.value);
    const local = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    const off = local - hour * 3_600_000;
    this.cache.set(hour, off);
    return off;
  }

  /** Local day number (days since 1970-01-01 in the zone) of instant t. */
  day(t: number): number {
    return Math.floor((t + this.offset(t)) / DAY_MS);
  }

  /** The instant local midnight starts on "YYYY-MM-DD". */
  startOf(date: string): number {
    const guess = Date.parse(date + 'T00:00:00Z');
    let t = guess - this.offset(guess);
    t = guess - this.offset(t);
    return t;
  }
}

export function dayString(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, n: number): string {
  return dayString(Math.round(Date.parse(date + 'T00:00:00Z') / DAY_MS) + n);
}

/** The period of the same length just before [from, to] (both inclusive days): what "vs previous period" compares with. */
export function previousPeriod(from: string, to: string): { start: string; end: string } {
  return { start: addDays(from, -(daysBetween(from, to) + 1)), end: addDays(from, -1) };
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to + 'T00:00:00Z') - Date.parse(from + 'T00:00:00Z')) / DAY_MS);
}
