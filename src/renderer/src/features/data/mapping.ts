import type { ColumnInfo, DatasetKind, ImportMapping } from '../../../../shared/contract';

/** Roles a column can take for each kind (what the importer understands). */
export const ROLES_BY_KIND: Record<DatasetKind, string[]> = {
  event_log: ['user', 'time', 'event', 'segment'],
  aggregated: ['date', 'stage', 'count', 'segment'],
  user_table: ['user', 'variant', 'metric', 'segment'],
};

export const KIND_LABEL: Record<DatasetKind, string> = {
  event_log: 'Event log (one row per event)',
  aggregated: 'Aggregated funnel export (stage counts)',
  user_table: 'User-level table (one row per user)',
};

/**
 * Turns the per-column roles the user edited back into the importer's mapping. Options that are
 * not about columns (delimiter, constants, event name) are kept; the time format and year are
 * dropped when the time column changed, so the engine detects them again for the new column.
 */
export function mappingFromRoles(kind: DatasetKind, columns: ColumnInfo[], base: ImportMapping): ImportMapping {
  const by = (role: string) => columns.filter((c) => c.role === role).map((c) => c.name);
  const m: ImportMapping = {};
  if (base.delimiter) m.delimiter = base.delimiter;
  if (base.constants) m.constants = base.constants;
  if (base.eventName && by('event').length === 0) m.eventName = base.eventName;
  const timeCol = kind === 'aggregated' ? by('date')[0] : by('time')[0];
  const baseTime = kind === 'aggregated' ? base.date : base.time;
  if (timeCol && timeCol === baseTime) {
    if (base.timeFormat) m.timeFormat = base.timeFormat;
    if (base.year !== undefined) m.year = base.year;
  }
  // Nested exports: the tool's own options survive an edited role.
  if (base.tool) m.tool = base.tool;
  if (base.dedupe) m.dedupe = base.dedupe;
  if (base.userFallback && by('user')[0] === base.user) m.userFallback = base.userFallback;
  if (kind === 'event_log') {
    m.user = by('user')[0];
    m.time = by('time')[0];
    m.event = by('event')[0];
  } else if (kind === 'aggregated') {
    m.date = by('date')[0];
    const stage = by('stage')[0];
    const counts = by('count');
    // Long form has a stage column and one count column; wide form has one count column per stage, in order.
    if (stage) {
      m.stage = stage;
      m.count = counts[0];
    } else if (counts.length) {
      m.stages = counts;
    }
  } else {
    m.user = by('user')[0];
    m.variant = by('variant')[0];
  }
  for (const k of Object.keys(m) as (keyof ImportMapping)[]) if (m[k] === undefined) delete m[k];
  return m;
}

/** A single-value role (user, time, ...) moves: the column that had it becomes a segment. */
export function assignRole(columns: ColumnInfo[], name: string, role: string): ColumnInfo[] {
  const single = !['segment', 'metric', 'count'].includes(role);
  return columns.map((c) => {
    if (c.name === name) return { ...c, role };
    if (single && c.role === role) return { ...c, role: 'segment' };
    return c;
  });
}
