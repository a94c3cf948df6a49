import { funnelModeProblem, IafaError, stepConditions, stepEvents, type FunnelCore, type FunnelDefinition, type FunnelResult } from '../../shared/contract';
import type { Splitter } from '../helper-thread';
import type { Codes, ColumnSource } from '../store-types';
import { coreFromUsers, usersFromLevels } from './result';
import { newTtcSummary, ttcOf, ttcStep, ttcSummary } from './ttc';
import { runPass, type PassResult, type PassSpec, type RowFilter } from './pass';
import { addDays, dayString, previousPeriod, windowMs, ZoneDays } from './time';

type Out = Omit<FunnelResult, 'definition' | 'dataset_id' | 'computed_ms' | 'funnel_name'>;

const lastPass = new WeakMap<ColumnSource, { key: string; pass: PassResult }>();

import { stageNames } from './stage-names';
export { stageNames };

function allowedFor(store: ColumnSource, column: string, values: string[], include: boolean): RowFilter {
  const col = store.column(column);
  const allowed = new Uint8Array(col.dict.length).fill(include ? 0 : 1);
  const idx = col.index();
  for (const v of values) {
    // The CLI and UI show empty values as "(none)"; filters may name them that way.
    const code = idx.get(v) ?? (v === '(none)' ? 0 : undefined);
    if (code !== undefined) allowed[code] = include ? 1 : 0;
  }
  return { codes: col.codes, allowed };
}

/** The definition → pass inputs that do not depend on the date range. */
function baseSpec(store: ColumnSource, def: FunnelDefinition): Omit<PassSpec, 'rangeStart' | 'rangeEnd' | 'details'> {
  const eventCol = store.column(store.manifest.eventColumn!);
  const idx = eventCol.index();
  const stepMask = new Uint32Array(eventCol.dict.length);
  def.steps.forEach((s, k) => {
    for (const event of stepEvents(s)) {
      const code = idx.get(event);
      if (code === undefined) {
        const known = eventCol.dict.filter(Boolean).slice(0, 30).join(', ');
        throw new IafaError('validation', `Unknown event "${event}" in step ${k + 1}. Events in this dataset: ${known}.`, { reason: 'unknown_event', event });
      }
      stepMask[code] |= 1 << k;
    }
  });
  const problem = funnelModeProblem(def);
  if (problem) throw new IafaError('validation', problem, { reason: 'bad_mode' });
  const filters: RowFilter[] = [
    ...Object.entries(def.include).map(([c, v]) => allowedFor(store, c, v, true)),
    ...Object.entries(def.exclude).map(([c, v]) => allowedFor(store, c, v, false)),
  ];
  const modes =
    def.strictOrder || def.strictDeduplication || def.strictOnce
      ? { order: !!def.strictOrder, dedup: !!def.strictDeduplication, once: !!def.strictOnce, reentry: !!def.allowReentry, increase: def.strict }
      : null;
  return {
    time: store.time,
    userStart: store.userStart,
    event: eventCol.codes,
    nSteps: def.steps.length,
    stepMask,
    stepWhere: def.steps.map((s) => stepConditions(s).map((c) => allowedFor(store, c.column, c.values, true))),
    filters,
    windowMs: windowMs(def.window),
    mode: def.mode,
    strict: def.strict,
    modes,
  };
}

/** `threads`: who may take half of the large loops (the local backend's helper thread); absent, this thread does all. */
export function eventFunnel(store: ColumnSource, def: FunnelDefinition, threads?: Splitter): Out {
  const names = stageNames(def);
  const n = names.length;
  const zone = new ZoneDays(def.tz);
  const base = { ...baseSpec(store, def), threads };
  const range = (from?: string, to?: string) => ({
    rangeStart: from ? zone.startOf(from) : -Infinity,
    rangeEnd: to ? zone.startOf(addDays(to, 1)) : Infinity,
  });
  // Re-breaking down the same funnel reuses the per-user pass: only the grouping changes.
  const passKey = JSON.stringify([
    def.steps,
    def.window,
    def.mode,
    def.strict,
    def.strictOrder,
    def.strictDeduplication,
    def.strictOnce,
    def.allowReentry,
    def.include,
    def.exclude,
    def.from,
    def.to,
    def.tz,
  ]);
  const cached = lastPass.get(store);
  const pass = cached?.key === passKey ? cached.pass : runPass({ ...base, ...range(def.from, def.to), details: true });
  lastPass.set(store, { key: passKey, pass });
  const { level, ttc } = pass;
  const nUsers = level.length;

  const levels = new Float64Array(n + 1);
  for (let u = 0; u < nUsers; u++) levels[level[u]]++;
  const core = coreFromUsers(usersFromLevels(levels, 0, n), names);

  // The time-to-convert quantiles, one step at a time, go to the helper thread (when the pass's
  // arrays are shared) while this thread groups the users by segment and by day, then takes
  // whichever steps are left.
  let segment_breakdown: Record<string, FunnelCore> | null = null;
  let daily: Out['daily'] = [];
  const grouping = () => {
    segment_breakdown = def.breakdown ? segmentBreakdown(store.column(def.breakdown), pass, names) : null;
    daily = dailySeries(store, zone, pass, n);
  };
  const spans = ttc.slice(1);
  const summary = newTtcSummary(spans.length);
  if (threads && spans.length > 0 && threads.canSplit(store.manifest.rows, ...spans))
    threads.runBlocks({ type: 'ttc', spans, out: summary }, spans.length, (k) => ttcStep(spans, summary, k), grouping);
  else {
    grouping();
    ttcSummary(spans, summary);
  }
  const time_to_convert = spans.map((_, i) => ({ from_stage: names[i], to_stage: names[i + 1], ...ttcOf(summary, i) }));

  let previous_period: Out['previous_period'] = null;
  if (def.from && def.to) {
    const p = previousPeriod(def.from, def.to);
    const prev = runPass({ ...base, ...range(p.start, p.end), details: false });
    const pl = new Float64Array(n + 1);
    for (let u = 0; u < nUsers; u++) pl[prev.level[u]]++;
    previous_period = { ...coreFromUsers(usersFromLevels(pl, 0, n), names), date_range: p };
  }

  const m = store.manifest;
  const dataStart = m.timeMin !== null ? dayString(zone.day(m.timeMin)) : null;
  const dataEnd = m.timeMax !== null ? dayString(zone.day(m.timeMax)) : null;
  const start = def.from ?? dataStart;
  const end = def.to ?? dataEnd;
  return {
    ...core,
    date_range: start && end ? { start, end } : null,
    segment_by: def.breakdown ?? null,
    segment_breakdown,
    previous_period,
    daily,
    time_to_convert,
  };
}

/** Users per level by the segment of their first step-1 event, as funnels (largest first). */
function segmentBreakdown(col: { dict: string[]; codes: Codes }, pass: PassResult, names: string[]): Record<string, FunnelCore> {
  const { level, firstRow } = pass;
  const n = names.length;
  const nv = col.dict.length;
  const segLevels = new Float64Array(nv * (n + 1));
  for (let u = 0; u < level.length; u++) if (firstRow[u] >= 0) segLevels[col.codes[firstRow[u]] * (n + 1) + level[u]]++;
  const entries: [string, FunnelCore][] = [];
  for (let v = 0; v < nv; v++) {
    const users = usersFromLevels(segLevels, v * (n + 1), n);
    if (users[0] > 0) entries.push([col.dict[v] === '' ? '(none)' : col.dict[v], coreFromUsers(users, names)]);
  }
  entries.sort((a, b) => b[1].total_users - a[1].total_users || a[0].localeCompare(b[0]));
  return Object.fromEntries(entries);
}

/**
 * Users per stage by the local day of their first step-1 event: a dense histogram over the
 * data's days (a Map per user cost more than the rest of a re-breakdown).
 */
function dailySeries(store: ColumnSource, zone: ZoneDays, pass: PassResult, n: number): Out['daily'] {
  const { level, firstRow, firstTime } = pass;
  const m0 = store.manifest;
  const dayLo = m0.timeMin !== null ? zone.day(m0.timeMin) - 1 : 0;
  const span = m0.timeMax !== null ? zone.day(m0.timeMax) + 2 - dayLo : 0;
  const dense = span > 0 && span <= 100_000 ? new Float64Array(span * (n + 1)) : null;
  const byDay = new Map<number, Float64Array>();
  for (let u = 0; u < level.length; u++) {
    if (firstRow[u] < 0) continue;
    const d = zone.day(firstTime[u]);
    if (dense !== null && d >= dayLo && d < dayLo + span) {
      dense[(d - dayLo) * (n + 1) + level[u]]++;
      continue;
    }
    let h = byDay.get(d);
    if (!h) byDay.set(d, (h = new Float64Array(n + 1)));
    h[level[u]]++;
  }
  if (dense !== null) {
    for (let i = 0; i < span; i++) {
      let any = false;
      for (let k = 0; k <= n; k++) any ||= dense[i * (n + 1) + k] > 0;
      if (any) byDay.set(dayLo + i, dense.subarray(i * (n + 1), (i + 1) * (n + 1)));
    }
  }
  const days = [...byDay.keys()].sort((a, b) => a - b);
  return days.map((d) => ({ date: dayString(d), users: usersFromLevels(byDay.get(d)!, 0, n) }));
}
