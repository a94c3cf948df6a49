import { describe, expect, it } from 'vitest';
import { detectTimeFormat, inferYear, parseIsoBytes, parseTimeString } from '../../../src/core/import/timestamps';

const iso = (s: string) => {
  const b = Buffer.from(s);
  return parseIsoBytes(b, 0, b.length);
};

describe('timestamps', () => {
  it('reads ISO-8601 with and without a zone like Date.parse does (naive = UTC)', () => {
    for (const s of [
      '2026-01-05T08:13:22Z',
      '2026-01-05T08:13:22.5Z',
      '2026-01-05T08:13:22+02:00',
      '2026-01-05T08:13:22-0530',
      '2024-02-29T23:59:59.999Z',
      '1999-12-31T00:00:00+14:00',
    ]) {
      expect(iso(s)).toBe(Date.parse(s));
    }
    expect(iso('2026-01-05 08:13:22')).toBe(Date.parse('2026-01-05T08:13:22Z'));
    expect(iso('2026-01-05T08:13')).toBe(Date.parse('2026-01-05T08:13:00Z'));
    expect(iso('2026-01-05')).toBe(Date.parse('2026-01-05T00:00:00Z'));
    expect(iso('2026-13-05')).toBeNaN();
    expect(iso('yesterday!')).toBeNaN();
  });

  it('tells unix seconds from milliseconds, and dates from date-times', () => {
    expect(detectTimeFormat(['1511544070', '1511561733']).format).toBe('unix_s');
    expect(detectTimeFormat(['1511544070123', '1511561733000']).format).toBe('unix_ms');
    expect(detectTimeFormat(['2017-10-01', '2017-10-02']).format).toBe('date');
    expect(detectTimeFormat(['2018-02-26 19:58:54']).format).toBe('iso');
    expect(detectTimeFormat(['Pinterest', 'Home']).format).toBeNull();
    expect(parseTimeString('1511544070', 'unix_s', 0)).toBe(1511544070000);
  });

  it('infers the year of weekday dates and lists the other candidates', () => {
    const { year, candidates } = inferYear(['Sat, Oct 11', 'Sun, Oct 12', 'Mon, Nov 3'], new Date(Date.UTC(2026, 0, 1)));
    expect(new Date(Date.UTC(year!, 9, 11)).getUTCDay()).toBe(6);
    expect(candidates).toContain(2014);
    expect(year).toBe(2025);
    expect(parseTimeString('Sat, Oct 11', 'weekday_month_day', 2014)).toBe(Date.UTC(2014, 9, 11));
  });
});
