import { funnelModeProblem, IafaError, stepConditions, stepEvents, type FunnelDefinition } from '../../../shared/contract';
import { windowMs } from '../../funnel/time';
import { MODES, type ModeSql } from './funnel-modes';
import { modeFlagsProblem, walkMode } from './funnel-walk';
import { requireColumn, stringExpr, type EventTable } from './schema';
import { num, str, strList } from './sql';

/** What one funnel query returns: users per level, per segment, per day, and TTC quantiles. */
export interface FunnelQuerySpec {
  def: FunnelDefinition;
  /** Step-1 events count only inside [rangeStart, rangeEnd) (epoch ms), when given. */
  rangeStart: number | null;
  rangeEnd: number | null;
  /** Segment, day and time-to-convert groups; the previous period needs only the levels. */
  details: boolean;
  /** UTC-offset runs of the time zone: [from ms, offset ms], the first from −∞. */
  zoneRuns: [number, number][];
}

export const TTC_QUANTILES = [0.5, 0.25, 0.75, 0.9] as const;

/** A row matches one column's value list; "(none)" also names the empty value, as in the local engine. */
function valueIn(t: EventTable, column: string, values: string[]): string {
  const c = requireColumn(t.columns, column, 'filter', t.from);
  const e = stringExpr(c);
  const parts = [`${e} IN (${strList(values)})`];
  if (values.includes('(none)')) parts.push(`${e} = ''`);
  return parts.length > 1 ? `(${parts.join(' OR ')})` : parts[0];
}

/** The row's steps as a bit mask: bit k set when the row is step k+1's event and passes its filter. */
function stepMask(t: EventTable, s: FunnelQuerySpec): string {
  return s.def.steps
    .map((step, k) => {
      const events = stepEvents(step);
      const conds = [events.length === 1 ? `${t.eventExpr} = ${str(events[0])}` : `${t.eventExpr} IN (${strList(events)})`];
      for (const c of stepConditions(step)) conds.push(valueIn(t, c.column, c.values));
      if (k === 0 && s.rangeStart !== null) conds.push(`_t >= ${num(s.rangeStart)}`);
      if (k === 0 && s.rangeEnd !== null) conds.push(`_t < ${num(s.rangeEnd)}`);
      return `toUInt32(${conds.join(' AND ')}) * ${2 ** k}`;
    })
    .join(' + ');
}

/** Local day number of an epoch-ms expression, by the zone's offset runs (computed in JS, see funnel.ts). */
function localDay(expr: string, runs: [number, number][]): string {
  const offset =
    runs.length === 1
      ? num(runs[0][1])
      : `multiIf(${runs
          .slice(1)
          .map(([from], i) => `${expr} < ${num(from)}, ${num(runs[i][1])}`)
          .join(', ')}, ${num(runs[runs.length - 1][1])})`;
  const local = `(${expr} + ${offset})`;
  // intDiv truncates toward zero; a floor keeps days before 1970 right.
  return `(intDiv(${local}, 86400000) - (${local} % 86400000 < 0))`;
}

/** The mode's SQL: windowFunnel's options through the walk, the plain modes by their own entries. */
function compileMode(def: FunnelDefinition, w: number | null): ModeSql {
  const n = def.steps.length;
  const problem = funnelModeProblem(def) ?? modeFlagsProblem(def);
  if (problem) throw new IafaError('validation', problem, { reason: 'unsupported_mode' });
  if (def.strictOrder || def.strictDeduplication || def.strictOnce) {
    return walkMode(n, w, {
      order: !!def.strictOrder,
      dedup: !!def.strictDeduplication,
      once: !!def.strictOnce,
      reentry: !!def.allowReentry,
      increase: def.strict,
    });
  }
  const mode = MODES[def.mode];
  if (!mode)
    throw new IafaError(
      'validation',
      `The funnel mode "${def.mode}" is not available on the ClickHouse backend yet (available: ${Object.keys(MODES).join(', ')}).`,
      { reason: 'unsupported_mode' },
    );
  return mode({ nSteps: n, windowMs: w, strict: def.strict });
}

/**
 * One query: rows are filtered and tagged with their step mask; grouped by user into one sorted
 * time array per step; the mode turns those into a level and times to convert; then users are
 * counted per (segment, level) and (day, level), and the TTC quantiles computed, on the server.
 * The answer has one row per group: levels × (segments + days) + 1.
 */
export function funnelSql(t: EventTable, s: FunnelQuerySpec): string {
  const { def } = s;
  const n = def.steps.length;
  if (n > 31) throw new IafaError('validation', 'At most 31 steps.');
  const w = def.window === 'none' ? null : windowMs(def.window);
  const m = compileMode(def, w);
  // strict_order stops at a row that matches no step, so those rows stay (as "other", _T0).
  const keepOthers = !!def.strictOrder;
  const seg = s.details && def.breakdown ? stringExpr(requireColumn(t.columns, def.breakdown, 'breakdown', t.from)) : null;

  const where = [t.validRows];
  for (const [c, v] of Object.entries(def.include)) if (v.length) where.push(valueIn(t, c, v));
  for (const [c, v] of Object.entries(def.exclude)) if (v.length) where.push(`NOT ${valueIn(t, c, v)}`);
  if (!keepOthers) where.push('_m != 0');

  const rowCols = [`${t.userExpr} AS _u`, `${t.timeMs} AS _t`, `${stepMask(t, s)} AS _m`];
  if (seg) rowCols.push(`${seg} AS _s`);
  const rows = `SELECT ${rowCols.join(', ')} FROM ${t.from} WHERE ${where.join(' AND ')}`;

  const userCols = ['_u'];
  if (keepOthers) userCols.push('arraySort(groupArrayIf(_t, _m = 0)) AS _T0');
  for (let k = 1; k <= n; k++) userCols.push(`arraySort(groupArrayIf(_t, bitAnd(_m, ${2 ** (k - 1)}) != 0)) AS _T${k}`);
  userCols.push(...m.columns);
  if (s.details) {
    // The segment of the first step-1 event; at equal times the smaller value (a table has no file order).
    userCols.push(seg ? `argMinIf(_s, (_t, _s), bitAnd(_m, 1) != 0) AS _seg` : `'' AS _seg`);
    userCols.push(`${localDay('_T1[1]', s.zoneRuns)} AS _day`);
  }
  let users = `SELECT ${userCols.join(', ')} FROM (${rows}) GROUP BY _u HAVING length(_T1) > 0`;
  for (const layer of m.layers ?? []) users = `SELECT *, ${layer.join(', ')} FROM (${users})`;

  if (!s.details) return `SELECT 'l' AS k, '' AS key, _lvl AS lvl, count() AS users FROM (${users}) GROUP BY lvl ORDER BY lvl`;

  // Each user counts in three groups: its segment, its day, and the whole (for the TTC quantiles).
  const ttc = m.hasTtc && s.details;
  const outCols = [`_g.1 AS k`, `_g.2 AS key`, `if(_g.1 = 't', toUInt8(0), _lvl) AS lvl`, 'count() AS users'];
  if (ttc) {
    for (let k = 2; k <= n; k++) {
      const sorted = `arraySort(groupArrayIf(_d${k}, _g.1 = 't' AND _d${k} >= 0))`;
      outCols.push(`length(${sorted}) AS n${k}`);
      TTC_QUANTILES.forEach((q, i) => outCols.push(`${quantileExpr(`arrayMap(x -> x / 1000, ${sorted})`, `n${k}`, q)} AS q${k}_${i}`));
    }
  }
  const groups = `[('s', _seg), ('d', toString(_day)), ('t', '')]`;
  return `SELECT ${outCols.join(', ')} FROM (${users}) ARRAY JOIN ${groups} AS _g GROUP BY k, key, lvl ORDER BY k, key, lvl`;
}

/**
 * The linear-interpolated ("type 7") quantile of a sorted array, as funnel/result.ts computes
 * it, operation for operation, so the doubles are the same: ClickHouse's quantileExact does not
 * interpolate. NaN when empty.
 */
function quantileExpr(sorted: string, n: string, q: number): string {
  const pos = `((toFloat64(${n}) - 1) * ${num(q)})`;
  const lo = `floor(${pos})`;
  const at = (i: string) => `${sorted}[toUInt64(greatest(${i}, 0)) + 1]`;
  const hi = `least(${lo} + 1, toFloat64(${n}) - 1)`;
  return `if(${n} = 0, nan, ${at(lo)} + (${at(hi)} - ${at(lo)}) * (${pos} - ${lo}))`;
}
