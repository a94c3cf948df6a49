import type { FactUnit } from '../../shared/contract';

/**
 * The one place that decides how a number looks to users. Fact displays, template texts and the
 * grounding check all go through here, so "42.5%" in a sentence is exactly a fact's display.
 */

function fixed(x: number, digits: number): string {
  const s = x.toFixed(digits);
  // "-0.0" reads as a change when there is none.
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

function sign(s: string, signed: boolean): string {
  if (!signed || s.startsWith('-') || /^0\.?0*$/.test(s)) return s;
  return `+${s}`;
}

export function fmtPercent(value: number, signed = false): string {
  return `${sign(fixed(value, 1), signed)}%`;
}

export function fmtPp(value: number, signed = false): string {
  return `${sign(fixed(value, 1), signed)} pp`;
}

export function fmtUsers(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function fmtP(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${fixed(p, 3)}`;
}

export function fmtRatio(value: number): string {
  return `${fixed(value, 1)}x`;
}

export function fmtDays(value: number): string {
  const n = Math.round(value);
  return `${n} day${n === 1 ? '' : 's'}`;
}

export function fmtDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

export function dateToEpoch(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

// Calendar-day arithmetic is the funnel engine's: one definition of a day for both.
export { addDays, daysBetween } from '../funnel/time';

/** 0 = Sunday, as Date#getUTCDay. */
export function weekday(day: string): number {
  return new Date(dateToEpoch(day)).getUTCDay();
}

export function fmtNumber(value: number): string {
  return Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : fixed(value, 2);
}

/** Display for a fact value in its unit; `signed` for changes (+3.0 pp, -12.5%). */
export function display(value: number, unit: FactUnit, signed = false): string {
  switch (unit) {
    case 'percent':
      return fmtPercent(value, signed);
    case 'pp':
      return fmtPp(value, signed);
    case 'users':
    case 'count':
      return fmtUsers(value);
    case 'p':
      return fmtP(value);
    case 'ratio':
      return fmtRatio(value);
    case 'days':
      return fmtDays(value);
    case 'date':
      return fmtDate(value);
    case 'seconds':
      return `${fmtNumber(value)} s`;
    case 'number':
      return sign(fmtNumber(value), signed);
  }
}

/** The display without its sign, for sentences that carry direction in words ("fell 3.0 pp"). */
export function unsigned(displayText: string): string {
  return displayText.replace(/^[+-]/, '');
}
