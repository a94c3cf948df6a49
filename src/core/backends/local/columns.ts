import { IafaError } from '../../../shared/contract';
import type { ColumnSource, Codes } from '../../store-types';
import type { BackendSchema, EventCount, PropertyInfo, ValueCount } from '../types';

/**
 * The describe / events / properties / values answers of the local backend, counted over the
 * stored columns. Every stored column is dictionary-encoded text (code 0 is the empty value), so
 * counting is one pass over a column's codes; only event times are numbers.
 */

/** The user and time columns' names as the import mapped them (the manifest does not keep them). */
export interface RoleNames {
  user?: string;
  time?: string;
}

const ROLES = new Set(['user', 'time', 'event']);
const byCountThenValue =
  <T extends { count: number }>(key: (x: T) => string) =>
  (a: T, b: T) =>
    b.count - a.count || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

export function describeStore(store: ColumnSource, names: RoleNames): BackendSchema {
  const m = store.manifest;
  const role = (r: string): BackendSchema['columns'][number]['role'] =>
    m.kind === 'event_log' && ROLES.has(r) ? (r as 'user' | 'time' | 'event') : 'property';
  if (m.kind === 'aggregated' && m.aggregated) {
    const a = m.aggregated;
    const columns = [
      ...(a.dateColumn ? [{ name: a.dateColumn, type: 'date', role: 'property' as const }] : []),
      ...a.segmentColumns.map((name) => ({ name, type: 'string', role: 'property' as const })),
      ...a.stages.map((name) => ({ name, type: 'number', role: 'property' as const })),
    ];
    // To this interface an export of stage counts is a plain table: a row per date and segment.
    return { kind: 'user_table', rows: m.rows, columns, timeMin: null, timeMax: null };
  }
  const stored = m.columns.map((c) => ({ name: c.name, type: 'string', role: role(c.role) }));
  if (m.kind !== 'event_log') return { kind: 'user_table', rows: m.rows, columns: stored, timeMin: null, timeMax: null };
  const columns = [
    { name: names.user ?? 'user', type: 'string', role: 'user' as const },
    { name: names.time ?? 'time', type: 'timestamp', role: 'time' as const },
    ...stored,
  ];
  return { kind: 'event_log', rows: m.rows, columns, timeMin: m.timeMin, timeMax: m.timeMax };
}

/** Rows per code of one column. */
function codeCounts(codes: Codes, distinct: number): Float64Array {
  const counts = new Float64Array(distinct);
  for (let i = 0; i < codes.length; i++) counts[codes[i]]++;
  return counts;
}

export function storeEvents(store: ColumnSource, limit: number): EventCount[] {
  const m = store.manifest;
  if (m.kind !== 'event_log' || !m.eventColumn)
    throw new IafaError('validation', 'This dataset is not an event log: it has no events to count.', { reason: 'no_role', role: 'event' });
  const ev = store.column(m.eventColumn);
  const counts = codeCounts(ev.codes, ev.dict.length);
  // Rows are grouped by user: a code counts a user once, when its last user is not this one.
  const users = new Float64Array(ev.dict.length);
  const lastUser = new Int32Array(ev.dict.length).fill(-1);
  const starts = store.userStart;
  for (let u = 0; u + 1 < starts.length; u++) {
    for (let i = starts[u]; i < starts[u + 1]; i++) {
      const c = ev.codes[i];
      if (lastUser[c] !== u) {
        lastUser[c] = u;
        users[c]++;
      }
    }
  }
  const out: EventCount[] = [];
  for (let c = 0; c < ev.dict.length; c++) if (counts[c] > 0 && ev.dict[c] !== '') out.push({ event: ev.dict[c], count: counts[c], users: users[c] });
  return out.sort(byCountThenValue((x) => x.event)).slice(0, limit);
}

export function storeProperties(store: ColumnSource): PropertyInfo[] {
  const m = store.manifest;
  if (m.kind === 'aggregated' && m.aggregated) {
    const a = m.aggregated;
    return a.segmentColumns.map((name, j) => ({ name, type: 'string', distinct: new Set(a.rows.map((r) => r.segments[j] ?? '')).size }));
  }
  return m.columns
    .filter((c) => m.kind !== 'event_log' || !ROLES.has(c.role))
    .map((c) => {
      const col = store.column(c.name);
      const counts = codeCounts(col.codes, col.dict.length);
      let distinct = 0;
      for (const n of counts) if (n > 0) distinct++;
      return { name: c.name, type: 'string', distinct };
    });
}

export function storePropertyValues(store: ColumnSource, column: string, limit: number): ValueCount[] {
  const m = store.manifest;
  if (m.kind === 'aggregated' && m.aggregated) {
    const a = m.aggregated;
    const j = a.segmentColumns.indexOf(column);
    const cell = j >= 0 ? (r: (typeof a.rows)[number]) => r.segments[j] ?? '' : column === a.dateColumn ? (r: (typeof a.rows)[number]) => r.date ?? '' : null;
    if (!cell)
      throw new IafaError('validation', `Unknown column "${column}". Columns: ${[a.dateColumn, ...a.segmentColumns].filter(Boolean).join(', ')}.`, {
        reason: 'unknown_column',
        column,
      });
    const counts = new Map<string, number>();
    for (const r of a.rows) counts.set(cell(r), (counts.get(cell(r)) ?? 0) + 1);
    return [...counts]
      .map(([value, count]) => ({ value, count }))
      .sort(byCountThenValue((x) => x.value))
      .slice(0, limit);
  }
  const col = store.column(column);
  const counts = codeCounts(col.codes, col.dict.length);
  const out: ValueCount[] = [];
  for (let c = 0; c < counts.length; c++) if (counts[c] > 0) out.push({ value: col.dict[c], count: counts[c] });
  return out.sort(byCountThenValue((x) => x.value)).slice(0, limit);
}
