import { IafaError, stepEvents, type FunnelCore, type FunnelDefinition, type FunnelResult } from '../../../shared/contract';
import { finishFunnel } from '../../funnel/finish';
import { stageNames } from '../../funnel/stage-names';
import { coreFromUsers, usersFromLevels } from '../../funnel/result';
import { addDays, dayString, previousPeriod, ZoneDays } from '../../funnel/time';
import type { ClickHouseConnection, QueryOptions } from './connection';
import { funnelSql } from './funnel-sql';
import type { EventTable } from './schema';
import { strList } from './sql';

/** What the funnel needs of a connection: running a SELECT (the tests also run it on chdb). */
export type SqlRunner = Pick<ClickHouseConnection, 'rows'>;

type Row = { k: string; key: string; lvl: number; users: number } & Record<string, number | null>;

const HOUR = 3_600_000;

/**
 * The zone's UTC offset per UTC hour over [t0, t1], as runs: exactly the offsets ZoneDays uses
 * for the local engine's daily series (looked up per hour), so days match even where the
 * server's time-zone database differs from this machine's or the zone shifts by half hours.
 */
export function zoneRuns(zone: ZoneDays, t0: number | null, t1: number | null): [number, number][] {
  if (t0 === null || t1 === null || zone.tz === 'UTC' || zone.tz === 'Etc/UTC') return [[-Infinity, zone.offset(0)]];
  const runs: [number, number][] = [];
  const h0 = Math.floor(t0 / HOUR);
  const h1 = Math.floor(t1 / HOUR);
  if (h1 - h0 > 24 * 366 * 30)
    throw new IafaError('validation', 'The data spans more than 30 years; a daily series in a time zone other than UTC is not supported over that span.');
  let last = NaN;
  for (let h = h0; h <= h1; h++) {
    const off = zone.offset(h * HOUR);
    if (off !== last) runs.push([runs.length === 0 ? -Infinity : h * HOUR, off]);
    last = off;
  }
  return runs;
}

/**
 * The per-user GROUP BY holds every user's time arrays at once: 5M users (100M events) passed the
 * default 4 GB limit. Past half the connection's memory limit the server writes the partial
 * groups to disk and merges them bucket by bucket (on every shard and, with
 * distributed_aggregation_memory_efficient, on the server that merges the shards' answers). The
 * same groups, so the same result; below that size nothing changes.
 */
export function spillSettings(conn: SqlRunner): Record<string, number> {
  const limit = (conn as Partial<ClickHouseConnection>).limits?.maxMemoryBytes;
  if (!limit) return {};
  return { max_bytes_before_external_group_by: Math.floor(limit / 2), distributed_aggregation_memory_efficient: 1 };
}

function levelsOf(rows: Row[], n: number, pick: (r: Row) => boolean): Float64Array {
  const levels = new Float64Array(n + 1);
  for (const r of rows) if (pick(r)) levels[r.lvl] += Number(r.users);
  return levels;
}

/** The events named by the steps that the table lacks, checked first for the local engine's message. */
async function checkEvents(conn: SqlRunner, t: EventTable, def: FunnelDefinition, o: QueryOptions): Promise<void> {
  const names = [...new Set(def.steps.flatMap((s) => stepEvents(s)))];
  const found = await conn.rows<{ e: string }>(`SELECT DISTINCT ${t.eventExpr} AS e FROM ${t.from} WHERE ${t.eventExpr} IN (${strList(names)})`, o);
  const have = new Set(found.map((r) => r.e));
  const k = def.steps.findIndex((s) => stepEvents(s).some((e) => !have.has(e)));
  if (k < 0) return;
  const missing = stepEvents(def.steps[k]).find((e) => !have.has(e))!;
  const top = await conn.rows<{ e: string }>(`SELECT ${t.eventExpr} AS e FROM ${t.from} WHERE ${t.validRows} GROUP BY e ORDER BY count() DESC, e LIMIT 30`, o);
  throw new IafaError('validation', `Unknown event "${missing}" in step ${k + 1}. Events in this dataset: ${top.map((r) => r.e).join(', ')}.`, {
    reason: 'unknown_event',
    event: missing,
  });
}

/**
 * The funnel computed in ClickHouse, returned in the local engine's shape: the per-user work
 * (levels, first step-1 event, times to convert) and the counting run on the server, and the
 * few hundred aggregate rows are turned into rates here with the local engine's own functions.
 */
export async function clickhouseFunnel(
  conn: SqlRunner,
  t: EventTable,
  range: { timeMin: number | null; timeMax: number | null },
  def: FunnelDefinition,
  o: QueryOptions & { datasetId: string },
): Promise<FunnelResult> {
  const t0 = performance.now();
  const n = def.steps.length;
  const names = stageNames(def);
  const zone = new ZoneDays(def.tz);
  await checkEvents(conn, t, def, o);
  const runs = zoneRuns(zone, range.timeMin, range.timeMax);
  const rangeOf = (from?: string, to?: string) => ({ rangeStart: from ? zone.startOf(from) : null, rangeEnd: to ? zone.startOf(addDays(to, 1)) : null });

  const q = { ...o, settings: { ...o.settings, ...spillSettings(conn) } };
  const rows = await conn.rows<Row>(funnelSql(t, { def, ...rangeOf(def.from, def.to), details: true, zoneRuns: runs }), q);
  const core = coreFromUsers(
    usersFromLevels(
      levelsOf(rows, n, (r) => r.k === 's'),
      0,
      n,
    ),
    names,
  );

  let segment_breakdown: Record<string, FunnelCore> | null = null;
  if (def.breakdown) {
    const keys = [...new Set(rows.filter((r) => r.k === 's').map((r) => r.key))];
    const entries: [string, FunnelCore][] = [];
    for (const key of keys) {
      const users = usersFromLevels(
        levelsOf(rows, n, (r) => r.k === 's' && r.key === key),
        0,
        n,
      );
      if (users[0] > 0) entries.push([key === '' ? '(none)' : key, coreFromUsers(users, names)]);
    }
    entries.sort((a, b) => b[1].total_users - a[1].total_users || a[0].localeCompare(b[0]));
    segment_breakdown = Object.fromEntries(entries);
  }

  const days = [...new Set(rows.filter((r) => r.k === 'd').map((r) => Number(r.key)))].sort((a, b) => a - b);
  const daily = days.map((d) => ({
    date: dayString(d),
    users: usersFromLevels(
      levelsOf(rows, n, (r) => r.k === 'd' && Number(r.key) === d),
      0,
      n,
    ),
  }));

  const total = rows.find((r) => r.k === 't');
  const time_to_convert: FunnelResult['time_to_convert'] = [];
  if (def.mode !== 'unordered') {
    for (let k = 2; k <= n; k++) {
      const q = (i: number) => {
        const v = total?.[`q${k}_${i}`];
        return v === null || v === undefined || Number.isNaN(Number(v)) ? null : Number(v);
      };
      time_to_convert.push({
        from_stage: names[k - 2],
        to_stage: names[k - 1],
        users: Number(total?.[`n${k}`] ?? 0),
        median_seconds: q(0),
        p25_seconds: q(1),
        p75_seconds: q(2),
        p90_seconds: q(3),
      });
    }
  }

  let previous_period: FunnelResult['previous_period'] = null;
  if (def.from && def.to) {
    const p = previousPeriod(def.from, def.to);
    const prev = await conn.rows<Row>(funnelSql(t, { def, ...rangeOf(p.start, p.end), details: false, zoneRuns: runs }), q);
    previous_period = {
      ...coreFromUsers(
        usersFromLevels(
          levelsOf(prev, n, () => true),
          0,
          n,
        ),
        names,
      ),
      date_range: p,
    };
  }

  const dataStart = range.timeMin !== null ? dayString(zone.day(range.timeMin)) : null;
  const dataEnd = range.timeMax !== null ? dayString(zone.day(range.timeMax)) : null;
  const start = def.from ?? dataStart;
  const end = def.to ?? dataEnd;
  const counted = {
    ...core,
    date_range: start && end ? { start, end } : null,
    segment_by: def.breakdown ?? null,
    segment_breakdown,
    previous_period,
    daily,
    time_to_convert,
  };
  return finishFunnel(counted, def, o.datasetId, t0);
}
