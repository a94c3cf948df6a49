import { IafaError, type FunnelCore, type FunnelDefinition, type FunnelResult } from '../../shared/contract';
import type { ColumnSource } from '../store-types';
import { coreFromUsers, usersFromLevels } from './result';
import { stageNames } from './event-funnel';

type Out = Omit<FunnelResult, 'definition' | 'dataset_id' | 'computed_ms' | 'funnel_name'>;

const FALSY = new Set(['', '0', '0.0', 'false', 'no', 'n', 'f']);

/**
 * User-level tables (one row per user): each step names a metric column, and a user reaches
 * step k when the columns of steps 1..k are all truthy (non-zero, True, yes).
 */
export function tableFunnel(store: ColumnSource, def: FunnelDefinition): Out {
  const names = stageNames(def);
  const n = names.length;
  const steps = def.steps.map((s) => {
    if (s.orEvents?.length || s.where)
      throw new IafaError('validation', 'Steps of a user table are single metric columns: several events or property conditions need an event log.', {
        reason: 'unsupported',
      });
    if (!store.has(s.event))
      throw new IafaError(
        'validation',
        `Unknown column "${s.event}": steps of a user table are its metric columns (${store.manifest.columns.map((c) => c.name).join(', ')}).`,
        { reason: 'unknown_event', event: s.event },
      );
    const col = store.column(s.event);
    return { codes: col.codes, truthy: Uint8Array.from(col.dict, (v) => (FALSY.has(v.trim().toLowerCase()) ? 0 : 1)) };
  });
  const filters = [
    ...Object.entries(def.include).map(([c, v]) => ({ col: store.column(c), set: new Set(v), inc: true })),
    ...Object.entries(def.exclude).map(([c, v]) => ({ col: store.column(c), set: new Set(v), inc: false })),
  ].map((f) => ({ codes: f.col.codes, ok: Uint8Array.from(f.col.dict, (v) => (f.set.has(v) === f.inc ? 1 : 0)) }));
  const by = def.breakdown ? store.column(def.breakdown) : null;
  const nv = by ? by.dict.length : 1;
  const levels = new Float64Array(nv * (n + 1));
  rows: for (let r = 0; r < store.manifest.rows; r++) {
    for (const f of filters) if (!f.ok[f.codes[r]]) continue rows;
    let k = 0;
    while (k < n && steps[k].truthy[steps[k].codes[r]]) k++;
    levels[(by ? by.codes[r] : 0) * (n + 1) + k]++;
  }
  const total = new Float64Array(n + 1);
  for (let i = 0; i < levels.length; i++) total[i % (n + 1)] += levels[i];
  let segment_breakdown: Record<string, FunnelCore> | null = null;
  if (by) {
    const entries: [string, FunnelCore][] = [];
    for (let v = 0; v < nv; v++) {
      const users = usersFromLevels(levels, v * (n + 1), n);
      if (users[0] > 0) entries.push([by.dict[v] || '(none)', coreFromUsers(users, names)]);
    }
    segment_breakdown = Object.fromEntries(entries.sort((a, b) => b[1].total_users - a[1].total_users));
  }
  return {
    ...coreFromUsers(usersFromLevels(total, 0, n), names),
    date_range: null,
    segment_by: def.breakdown ?? null,
    segment_breakdown,
    previous_period: null,
    daily: [],
    time_to_convert: [],
  };
}
