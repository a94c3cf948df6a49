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
    if (i < 0) throw new IafaError('validation', `Missing required ${role} column${name ? ` "${name}"` : ''} (columns: ${t.header.join(', ')}).`, { reason: 'missing_column', role, column: name ?? null });
    return i;
  };
  const dateIdx = m.date ? col(m.date, 'date') : -1;
  const long = Boolean(m.stage);
  const stageIdx = long ? col(m.stage, 'stage') : -1;
  const countIdx = long ? col(m.count, 'count') : -1;
  const wide = long ? [] : (m.stages ?? []).map((s) => col(s, 'stage'));
  if (!long && wide.length < 1) throw new IafaError('validation', 'No stage columns found in this aggregated file; set mapping.stages (wide) or mapping.stage + mapping.count (long).', { reason: 'missing_column', role: 'stage' });
  const used = new Set([dateIdx, stageIdx, countIdx, ...wide]);
  const segIdx = t.header.map((_, i) => i).filter((i) => !used.has(i));
  const segNames = [...segIdx.map((i) => t.header[i]), ...Object.keys(m.constants ?? {})];
  for (const s of segNames) if (!into.segmentColumns.includes(s)) into.segmentColumns.push(s);
  if (dateIdx >= 0) into.dateColumn ??= t.header[dateIdx];
  const fmt = (m.timeFormat && m.timeFormat !== 'auto' ? m.timeFormat : 'iso') as TimeFormat;
  const stageNames = long ? [] : wide.map((i) => t.header[i]);
  for (const s of stageNames) if (!into.stages.includes(s)) into.stages.push(s);

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
      const n = parseCount(r[countIdx]);
      if (!stage || n === null) return warnings.add(n === null ? 'bad_count' : 'missing_event', line);
      let si = into.stages.indexOf(stage);
      if (si < 0) si = into.stages.push(stage) - 1;
      const key = JSON.stringify([date, segments]);
      let row = keyed.get(key);
      if (!row) keyed.set(key, (row = { date, segments, counts: [] }));
      row.counts[si] = (row.counts[si] ?? 0) + n;
      return;
    }
    for (const i of wide) {
      const raw = (r[i] ?? '').trim();
      if (!raw) {
        warnings.note('missing_count', line);
        counts[into.stages.indexOf(t.header[i])] = null;
        continue;
      }
      const n = parseCount(raw);
      if (n === null) warnings.note('bad_count', line);
      counts[into.stages.indexOf(t.header[i])] = n;
    }
    into.rows.push({ date, segments, counts });
  });
  into.rows.push(...keyed.values());
  // Older rows were written before later files added segment columns or stages: pad them.
  for (const row of into.rows) {
    while (row.segments.length < into.segmentColumns.length) row.segments.push('');
    for (let s = 0; s < into.stages.length; s++) if (row.counts[s] === undefined) row.counts[s] = null;
  }
}

function parseCount(raw: string | undefined): number | null {
  const s = (raw ?? '').trim().replace(/,/g, '');
  if (!/^-?\d+(\.\d+)?$/.test(s)) return null;
  return Number(s);
}

interface SeedStage {
  stage_name?: unknown;
  users?: unknown;
}

/** The seed's own `funnel_metrics` JSON (or a bare result with `stages`). */
export function aggregatedFromSeed(seed: Record<string, unknown>): AggregatedData {
  const fm = (seed.funnel_metrics ?? seed) as Record<string, unknown>;
  const stagesRaw = fm.stages;
  if (!Array.isArray(stagesRaw) || stagesRaw.length < 1) throw new IafaError('validation', 'funnel_metrics.stages is missing or empty.', { reason: 'missing_column', role: 'stage' });
  const read = (arr: unknown): { names: string[]; users: number[] } => {
    const list = Array.isArray(arr) ? (arr as SeedStage[]) : [];
    return { names: list.map((s, i) => String(s.stage_name ?? `Stage ${i + 1}`)), users: list.map((s) => Number(s.users) || 0) };
  };
  const main = read(stagesRaw);
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
    const values: Record<string, number[]> = {};
    for (const [k, v] of Object.entries(sb)) {
      const s = read(v?.stages);
      // Segments listed with "[...]" placeholders have no stage counts: keep only complete ones.
      if (s.users.length === main.names.length) values[k] = s.users;
    }
    data.preset = { by: String(seed.segment_by ?? fm.segment_by ?? 'segment'), values };
  }
  return data;
}

export function emptyAggregated(): AggregatedData {
  return { stages: [], dateColumn: null, segmentColumns: [], rows: [] };
}

