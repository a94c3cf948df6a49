import { IafaError, type FunnelCore, type FunnelDefinition, type FunnelResult } from '../../shared/contract';
import type { AggregatedData } from '../store-types';
import { coreFromUsers } from './result';
import { previousPeriod } from './time';
import { stageNames } from './event-funnel';

type Out = Omit<FunnelResult, 'definition' | 'dataset_id' | 'computed_ms' | 'funnel_name'>;
type Row = AggregatedData['rows'][number];

/**
 * Exports that already hold stage counts give the same result shape: stage users are sums of
 * the counts (empty cells count as missing, not zero, and are listed in the import warnings).
 * Window and mode do not apply; there is no time to convert.
 */
export function aggregatedFunnel(agg: AggregatedData, def: FunnelDefinition): Out {
  const names = stageNames(def);
  const stageIdx = def.steps.map((s, k) => {
    const i = agg.stages.indexOf(s.event);
    if (i < 0)
      throw new IafaError('validation', `Unknown stage "${s.event}" in step ${k + 1}. Stages in this dataset: ${agg.stages.join(', ')}.`, {
        reason: 'unknown_event',
        event: s.event,
      });
    if (s.where)
      throw new IafaError('validation', 'Per-step property filters need an event log; this dataset holds aggregated counts.', { reason: 'unsupported' });
    if (s.orEvents?.length)
      throw new IafaError('validation', 'A step of several events needs an event log; this dataset holds aggregated counts.', { reason: 'unsupported' });
    return i;
  });
  const segIdx = (c: string) => {
    const i = agg.segmentColumns.indexOf(c);
    if (i < 0)
      throw new IafaError('validation', `Unknown column "${c}". Segment columns: ${agg.segmentColumns.join(', ') || '(none)'}.`, {
        reason: 'unknown_column',
        column: c,
      });
    return i;
  };
  const conds = [
    ...Object.entries(def.include).map(([c, v]) => ({ i: segIdx(c), set: new Set(v), inc: true })),
    ...Object.entries(def.exclude).map(([c, v]) => ({ i: segIdx(c), set: new Set(v), inc: false })),
  ];
  const keep = (r: Row, from?: string, to?: string) => {
    for (const c of conds) {
      const v = r.segments[c.i];
      if ((c.set.has(v) || (v === '' && c.set.has('(none)'))) !== c.inc) return false;
    }
    if (agg.dateColumn && r.date) {
      if (from && r.date < from) return false;
      if (to && r.date > to) return false;
    }
    return true;
  };
  const sum = (rows: Row[]) => stageIdx.map((i) => rows.reduce((a, r) => a + (r.counts[i] ?? 0), 0));
  const rows = agg.rows.filter((r) => keep(r, def.from, def.to));
  const core = coreFromUsers(sum(rows), names);

  let segment_breakdown: Record<string, FunnelCore> | null = null;
  if (def.breakdown) {
    if (agg.preset && agg.preset.by === def.breakdown) {
      segment_breakdown = Object.fromEntries(
        Object.entries(agg.preset.values).map(([k, v]) => [
          k,
          coreFromUsers(
            stageIdx.map((i) => v[i] ?? 0),
            names,
          ),
        ]),
      );
    } else {
      const bi = segIdx(def.breakdown);
      const groups = new Map<string, Row[]>();
      for (const r of rows) {
        const k = r.segments[bi] || '(none)';
        groups.set(k, [...(groups.get(k) ?? []), r]);
      }
      const entries = [...groups.entries()].map(([k, g]) => [k, coreFromUsers(sum(g), names)] as [string, FunnelCore]);
      entries.sort((a, b) => b[1].total_users - a[1].total_users || a[0].localeCompare(b[0]));
      segment_breakdown = Object.fromEntries(entries);
    }
  }

  const byDate = new Map<string, Row[]>();
  for (const r of rows) if (r.date) byDate.set(r.date, [...(byDate.get(r.date) ?? []), r]);
  const daily = [...byDate.keys()].sort().map((date) => ({ date, users: sum(byDate.get(date)!) }));

  let previous_period: Out['previous_period'] = null;
  if (def.from && def.to && agg.dateColumn) {
    const p = previousPeriod(def.from, def.to);
    previous_period = { ...coreFromUsers(sum(agg.rows.filter((r) => r.date && keep(r, p.start, p.end))), names), date_range: p };
  }
  const dates = rows
    .map((r) => r.date)
    .filter((d): d is string => Boolean(d))
    .sort();
  const start = def.from ?? dates[0];
  const end = def.to ?? dates[dates.length - 1];
  return {
    ...core,
    date_range: start && end ? { start, end } : null,
    segment_by: def.breakdown ?? null,
    segment_breakdown,
    previous_period,
    daily,
    time_to_convert: [],
  };
}
