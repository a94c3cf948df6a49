import { IafaError, type ImportMapping } from '../../shared/contract';
import type { AggregatedData } from './store';
import { parseTimeString, type TimeFormat } from './timestamps';
import { WarningLog } from './warnings';

export interface TableRows {
  header: string[];
  rows: string[][];
  lines: number[];
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Adds one aggregated file (long or wide) to `into`. Several files (one per variant) share the
 * stage list; their constant columns (mapping.constants) tell them apart.
 */
export function addAggregatedTable(into: AggregatedData, t: TableRows, m: ImportMapping, warnings: WarningLog): void {
  const col = (name: string | undefined, role: string): number => {
    const i = name === undefined ? -1 : t.header.indexOf(name);
    if (i < 0)
      throw new IafaError('validation', `Missing required ${role} column${name ? ` "${name}"` : ''} (columns: ${t.header.join(', ')}).`, {
        reason: 'missing_column',
        role,
        column: name ?? null,
      });
    return i;
  };
  const dateIdx = m.date ? col(m.date, 'date') : -1;
  const long = Boolean(m.stage);
  const stageIdx = long ? col(m.stage, 'stage') : -1;
  const countIdx = long ? col(m.count, 'count') : -1;
  const wide = long ? [] : (m.stages ?? []).map((s) => col(s, 'stage'));
  if (!long && wide.length < 1)
    throw new IafaError('validation', 'No stage columns found in this aggregated file; set mapping.stages (wide) or mapping.stage + mapping.count (long).', {
      reason: 'missing_column',
      role: 'stage',
    });
  const used = new Set([dateIdx, stageIdx, countIdx, ...wide]);
  const segIdx = t.header.map((_, i) => i).filter((i) => !used.has(i));
  const segNames = [...segIdx.map((i) => t.header[i]), ...Object.keys(m.constants ?? {})];
  for (const s of segNames) if (!into.segmentColumns.includes(s)) into.segmentColumns.push(s);
  if (dateIdx >= 0) into.dateColumn ??= t.header[dateIdx];
  const fmt = (m.timeFormat && m.timeFormat !== 'auto' ? m.timeFormat : 'iso') as TimeFormat;
  const stageNames = long ? [] : wide.map((i) => t.header[i]);
  for (const s of stageNames) if (!into.stages.includes(s)) into.stages.push(s);
  // Each wide column's stage, looked up once rather than per row (wide files have many columns).
  const wideStage = wide.map((i) => into.stages.indexOf(t.header[i]));

  const keyed = new Map<string, AggregatedData['rows'][number]>();
  t.rows.forEach((r, k) => {
    const line = t.lines[k];
    let date: string | null = null;
    if (dateIdx >= 0) {
      const ms = parseTimeString(r[dateIdx] ?? '', fmt, m.year ?? 1970);
      if (!Number.isFinite(ms)) return warnings.add('bad_date', line);
      date = isoDay(ms);
    }
    const segValues = new Map<string, string>();
    segIdx.forEach((i) => segValues.set(t.header[i], (r[i] ?? '').trim()));
    for (const [k2, v] of Object.entries(m.constants ?? {})) segValues.set(k2, v);
    const segments = into.segmentColumns.map((s) => segValues.get(s) ?? '');
    const counts: (number | null)[] = [];
    if (long) {
      const stage = (r[stageIdx] ?? '').trim();
      const n = checkedCount(r[countIdx], line, stage);
      if (!stage || n === null) return warnings.add(n === null ? 'bad_count' : 'missing_event', line);
      let si = into.stages.indexOf(stage);
      if (si < 0) si = into.stages.push(stage) - 1;
      const key = JSON.stringify([date, segments]);
      let row = keyed.get(key);
      if (!row) keyed.set(key, (row = { date, segments, counts: [] }));
      row.counts[si] = (row.counts[si] ?? 0) + n;
      return;
    }
    wide.forEach((i, k) => {
      const raw = (r[i] ?? '').trim();
      if (!raw) {
        warnings.note('missing_count', line);
        counts[wideStage[k]] = null;
        return;
      }
      const n = checkedCount(raw, line, t.header[i]);
      if (n === null) warnings.note('bad_count', line);
      counts[wideStage[k]] = n;
    });
    into.rows.push({ date, segments, counts });
  });
  into.rows.push(...keyed.values());
  // Older rows were written before later files added segment columns or stages: pad them.
  for (const row of into.rows) {
    while (row.segments.length < into.segmentColumns.length) row.segments.push('');
    for (let s = 0; s < into.stages.length; s++) if (row.counts[s] === undefined) row.counts[s] = null;
  }
}

/**
 * A stage count: a number of users, so a whole number from 0 to 2^53 - 1. Text that is no number
 * at all ("n/a") is the caller's warning; a number that cannot be a count (negative, 1e308,
 * 10.5) refuses the file here, since every funnel on it would be wrong or fail.
 */
function checkedCount(raw: string | undefined, line: number, stage: string): number | null {
  const s = (raw ?? '').trim().replace(/,/g, '');
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(s)) return null;
  const n = Number(s);
  const why = countProblem(n);
  if (why)
    throw new IafaError(
      'validation',
      `Line ${line}: the count of "${stage}" ${why}; stage counts are numbers of users, whole numbers from 0 to ${Number.MAX_SAFE_INTEGER.toLocaleString('en-US')}.`,
      { reason: 'bad_count', line, stage },
    );
  return n;
}

function countProblem(n: number): string | null {
  if (Number.isNaN(n)) return 'is not a number';
  if (n < 0) return 'is negative';
  if (!Number.isFinite(n) || n > Number.MAX_SAFE_INTEGER) return 'is too large';
  if (!Number.isInteger(n)) return 'is not a whole number';
  return null;
}

interface SeedStage {
  stage_name?: unknown;
  users?: unknown;
}

/** The seed's own `funnel_metrics` JSON (or a bare result with `stages`). */
export function aggregatedFromSeed(seed: Record<string, unknown>): AggregatedData {
  const fm = (seed.funnel_metrics ?? seed) as Record<string, unknown>;
  const stagesRaw = fm.stages;
  if (!Array.isArray(stagesRaw) || stagesRaw.length < 1)
    throw new IafaError('validation', 'funnel_metrics.stages is missing or empty.', { reason: 'missing_column', role: 'stage' });
  // `where` names the list in messages: "funnel_metrics.stages" or a segment of the breakdown.
  const read = (arr: unknown, where: string): { names: string[]; users: number[] } => {
    const list = Array.isArray(arr) ? (arr as SeedStage[]) : [];
    const names = list.map((s, i) => String(s?.stage_name ?? `Stage ${i + 1}`));
    const users = list.map((s, i) => seedCount(s?.users, `${where}, stage "${names[i]}"`));
    users.forEach((u, i) => {
      if (i > 0 && u > users[i - 1]) {
        throw new IafaError(
          'validation',
          `${where}: "${names[i]}" has ${u.toLocaleString('en-US')} users, more than the ${users[i - 1].toLocaleString('en-US')} of "${names[i - 1]}" before it; a funnel's stages must not grow.`,
          { reason: 'not_monotone', stage: names[i] },
        );
      }
    });
    return { names, users };
  };
  const main = read(stagesRaw, 'funnel_metrics.stages');
  const dr = fm.date_range as { start?: string; end?: string } | undefined;
  const data: AggregatedData = {
    stages: main.names,
    dateColumn: null,
    segmentColumns: [],
    rows: [{ date: null, segments: [], counts: main.users }],
  };
  if (dr?.start) data.rows[0].date = String(dr.start).slice(0, 10);
  const sb = (seed.segment_breakdown ?? fm.segment_breakdown) as Record<string, { stages?: unknown }> | undefined;
  if (sb && typeof sb === 'object') {
    const values: Record<string, number[]> = Object.create(null);
    for (const [k, v] of Object.entries(sb)) {
      // The seed's own example writes "stages": [...] as a placeholder: such segments are skipped.
      if (!Array.isArray(v?.stages)) continue;
      const s = read(v.stages, `segment_breakdown "${k}"`);
      // Segments listed with "[...]" placeholders have no stage counts: keep only complete ones.
      if (s.users.length === main.names.length) values[k] = s.users;
    }
    data.preset = { by: String(seed.segment_by ?? fm.segment_by ?? 'segment'), values };
  }
  return data;
}

/** A stage's `users` in the funnel_metrics JSON: a count, as a number or a numeric string. */
function seedCount(v: unknown, where: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : NaN;
  const why = v === undefined || v === null ? 'is missing' : countProblem(n);
  if (why) throw new IafaError('validation', `${where}: users ${why}; it must be a whole number of users from 0.`, { reason: 'bad_count' });
  return n;
}

export function emptyAggregated(): AggregatedData {
  return { stages: [], dateColumn: null, segmentColumns: [], rows: [] };
}
