import type { ColumnInfo, DatasetKind, ImportMapping } from '../../shared/contract';
import { detectTimeFormat, type TimeFormat } from './timestamps';
import { EVENT_NAMES as EVENT, normName as norm, TIME_NAMES as TIME, USER_NAMES as USER } from '../column-roles';

const STAGE = ['stage', 'step', 'stagename', 'stepname', 'funnelstage', 'funnelstep'];
const COUNT = ['users', 'count', 'n', 'uniqueusers', 'visitors', 'value', 'total', 'sessions'];
const VARIANT = ['variant', 'version', 'group', 'experiment', 'arm', 'treatment', 'testgroup', 'abgroup', 'bucket'];

export interface Profile {
  name: string;
  index: number;
  distinct: number;
  nonEmpty: number;
  numeric: number;
  integer: number;
  boolean: number;
  sum: number;
  time: ReturnType<typeof detectTimeFormat>;
  sample: string[];
}

export function profileColumns(header: string[], rows: string[][]): Profile[] {
  return header.map((name, index) => {
    const vals = rows.map((r) => (r[index] ?? '').trim());
    const nonEmptyVals = vals.filter(Boolean);
    const nums = nonEmptyVals.filter((v) => /^-?\d+(\.\d+)?$/.test(v));
    return {
      name,
      index,
      distinct: new Set(nonEmptyVals).size,
      nonEmpty: nonEmptyVals.length,
      numeric: nums.length,
      integer: nums.filter((v) => /^\d+$/.test(v)).length,
      boolean: nonEmptyVals.filter((v) => /^(true|false|yes|no)$/i.test(v)).length,
      sum: nums.reduce((a, v) => a + Number(v), 0),
      time: detectTimeFormat(nonEmptyVals.slice(0, 200)),
      sample: [...new Set(nonEmptyVals)].slice(0, 5),
    };
  });
}

export interface Detection {
  kind: DatasetKind;
  confidence: number;
  mapping: ImportMapping;
  notes: string[];
  columns: ColumnInfo[];
}

const byName = (ps: Profile[], names: string[]) => {
  for (const n of names) {
    const p = ps.find((q) => norm(q.name) === n);
    if (p) return p;
  }
  return undefined;
};

/**
 * Guesses what a table is from its header and first rows. Names are the strongest signal;
 * content (cardinality, numeric shares, parseable times) breaks ties and catches unusual names.
 * An explicit mapping or kind always wins over the guess.
 */
export function detect(header: string[], rows: string[][], forced: { kind?: DatasetKind; mapping?: ImportMapping }): Detection {
  const ps = profileColumns(header, rows);
  const notes: string[] = [];
  const m: ImportMapping = { ...forced.mapping };
  const get = (name: string | undefined) => ps.find((p) => p.name === name);
  const n = rows.length;
  const timeLike = (p: Profile) => p.time.format !== null && p.time.parsed >= 0.8 * Math.max(1, p.nonEmpty);

  // Event log candidates.
  const time =
    get(m.time) ??
    byName(
      ps,
      TIME.filter((t) => t !== 'day'),
    ) ??
    ps.find((p) => timeLike(p) && !/^\d+$/.test(p.sample[0] ?? 'x'));
  const event =
    get(m.event) ??
    byName(ps, EVENT) ??
    ps.find((p) => p !== time && p.numeric === 0 && p.distinct > 1 && p.distinct <= Math.max(2, Math.min(200, n / 5)) && !VARIANT.includes(norm(p.name)));
  const user = get(m.user) ?? byName(ps, USER) ?? ps.find((p) => p !== time && p !== event && /id$/i.test(p.name) && p.distinct > 1);
  const stage = get(m.stage) ?? byName(ps, STAGE);
  const count = get(m.count) ?? byName(ps, COUNT) ?? ps.find((p) => p !== stage && p.numeric > 0 && p.numeric === p.nonEmpty && p.integer === p.numeric);
  const numericCols = ps.filter((p) => p.nonEmpty > 0 && p.integer === p.nonEmpty && p !== user && !timeLike(p));

  let kind: DatasetKind;
  let confidence: number;
  const timeInfo = (p: Profile | undefined) => {
    if (!p || !p.time.format) return;
    if (!m.timeFormat || m.timeFormat === 'auto') m.timeFormat = p.time.format as TimeFormat;
    if (p.time.format === 'weekday_month_day' && m.year === undefined && p.time.year) {
      m.year = p.time.year;
      const others = (p.time.candidates ?? []).slice(1, 4);
      notes.push(
        `Dates in "${p.name}" have no year: ${p.time.year} assumed from the weekdays${others.length ? ` (also consistent: ${others.join(', ')})` : ''}; set mapping.year to change it.`,
      );
    }
  };

  // One row per user is a user table even when some column looks like an event name.
  const repeats = Boolean(user && user.distinct < user.nonEmpty) || Boolean(event && EVENT.includes(norm(event.name)));
  const wantEvent = forced.kind === 'event_log' || (!forced.kind && user && time && (event || m.eventName) && repeats && !(stage && count));
  if (wantEvent) {
    kind = 'event_log';
    if (user) m.user ??= user.name;
    if (time) m.time ??= time.name;
    if (event && !m.eventName) m.event ??= event.name;
    timeInfo(time);
    const named = [user && USER.includes(norm(user.name)), time && TIME.includes(norm(time.name)), event && EVENT.includes(norm(event.name))].filter(
      Boolean,
    ).length;
    confidence = forced.kind || forced.mapping?.user ? 1 : 0.55 + 0.13 * named;
  } else if (forced.kind === 'aggregated' || (!forced.kind && ((stage && count) || looksWide(numericCols, ps, user)))) {
    kind = 'aggregated';
    const date = get(m.date) ?? ps.find((p) => timeLike(p));
    if (date) {
      m.date ??= date.name;
      timeInfo(date);
    }
    if (stage && count && !m.stages) {
      m.stage ??= stage.name;
      m.count ??= count.name;
      confidence = 0.9;
    } else {
      m.stages ??= numericCols.filter((p) => p !== date).map((p) => p.name);
      confidence = monotone(m.stages.map((s) => get(s)?.sum ?? 0)) ? 0.85 : 0.6;
      notes.push(`Wide aggregated export: stages in column order (${m.stages.join(' → ')}).`);
    }
  } else {
    kind = 'user_table';
    const id = get(m.user) ?? user ?? ps.find((p) => p.distinct === p.nonEmpty && p.nonEmpty === n);
    if (id) m.user ??= id.name;
    const variant = get(m.variant) ?? byName(ps, VARIANT) ?? ps.find((p) => p !== id && p.numeric === 0 && p.distinct >= 2 && p.distinct <= 5);
    if (variant) m.variant ??= variant.name;
    confidence = forced.kind ? 1 : id && variant ? 0.75 : 0.4;
    if (!forced.kind && (!user || !time)) notes.push('No user + time + event columns found, so this is read as a user-level table.');
  }

  const roleOf = (p: Profile): string => {
    if (p.name === m.user) return 'user';
    if (p.name === m.time) return 'time';
    if (p.name === m.event) return 'event';
    if (p.name === m.date) return 'date';
    if (p.name === m.stage) return 'stage';
    if (p.name === m.count) return 'count';
    if (p.name === m.variant) return 'variant';
    if (m.stages?.includes(p.name)) return 'count';
    if (kind === 'user_table' && (p.numeric === p.nonEmpty || p.boolean === p.nonEmpty) && p.nonEmpty > 0) return 'metric';
    return 'segment';
  };
  const columns: ColumnInfo[] = ps.map((p) => {
    const role = roleOf(p);
    const type: ColumnInfo['type'] =
      role === 'time'
        ? 'timestamp'
        : role === 'date'
          ? 'date'
          : p.nonEmpty && p.boolean === p.nonEmpty
            ? 'boolean'
            : p.nonEmpty && p.numeric === p.nonEmpty
              ? 'number'
              : 'string';
    return { name: p.name, role, type, distinct: p.distinct, sample: p.sample };
  });
  return { kind, confidence: Math.min(1, Math.round(confidence * 100) / 100), mapping: m, notes, columns };
}

function looksWide(numericCols: Profile[], ps: Profile[], user: Profile | undefined): boolean {
  if (numericCols.length < 2) return false;
  if (user && user.distinct === user.nonEmpty && user.nonEmpty > 20) return false;
  const stringCols = ps.filter((p) => !numericCols.includes(p) && p.time.format === null);
  return stringCols.length <= 2 && monotone(numericCols.map((p) => p.sum));
}

function monotone(sums: number[]): boolean {
  return sums.length >= 2 && sums.every((s, i) => i === 0 || s <= sums[i - 1]);
}
