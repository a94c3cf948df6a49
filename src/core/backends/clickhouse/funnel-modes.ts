import { num } from './sql';

/**
 * How each funnel mode becomes SQL. A mode sees, per user, one sorted array of event times per
 * step (`_T1` … `_Tn`, epoch ms, already filtered, step 1 already limited to the date range) and
 * adds columns that define `_lvl` (the level reached, 1..n) and, when it has times to convert,
 * `_d2` … `_dn` (ms from the step k−1 to the step k event of the first chain that reached k; −1
 * for none). A new mode is one more entry in MODES.
 *
 * Only array functions that ClickHouse 18.16 already has are used (arraySort, arrayCumSum,
 * arrayFilter, arrayMap, arrayFirstIndex, arrayReduce), so the same SQL runs there and on a
 * current server.
 */
export interface ModeContext {
  nSteps: number;
  /** Inclusive window in ms, or null for none. */
  windowMs: number | null;
  strict: boolean;
}

export interface ModeSql {
  /** `expr AS _alias` columns, in dependency order. */
  columns: string[];
  hasTtc: boolean;
}

export type ModeCompiler = (ctx: ModeContext) => ModeSql;

/** No chain start: a time before any event (year −29,700), so `t − start` cannot overflow. */
const NO_START = '-1000000000000000';

/**
 * For every element of `cur` (sorted), how many elements of `prev` (sorted) are ≤ it, or < it
 * when `strict`: a merge of the two arrays, not a scan per element, so it stays linear in a
 * user's events. At equal times the tags order prev before cur (≤) or after it (<).
 */
function countBefore(prev: string, cur: string, strict: boolean): string {
  const [pt, ct] = strict ? [1, 0] : [0, 1];
  // (time, tag) packed as time * 2 + tag: integers sort much faster than tuples on old servers,
  // and the order is the same (times are Int64 ms, far below 2^62).
  const merged = `arraySort(arrayConcat(arrayMap(x -> x * 2 + ${pt}, ${prev}), arrayMap(x -> x * 2 + ${ct}, ${cur})))`;
  return `arrayFilter((c, p) -> bitAnd(p, 1) = ${ct}, arrayCumSum(arrayMap(p -> toUInt32(bitAnd(p, 1) = ${pt}), ${merged})), ${merged})`;
}

/**
 * any-start and first-touch, IAFA's definition (docs/funnel-semantics.md) rather than
 * windowFunnel's: for a step-k event e, the latest start of a chain ending at e is the latest
 * start of the chains ending at the latest step-(k−1) event at or before e (strictly before with
 * --strict), because those starts never decrease over time. So per step one merge finds, for
 * each step-k event, that step-(k−1) event and its start (_Xk); e completes a chain when
 * t(e) − start ≤ window. The level is the last step with such an event; the time to convert is
 * from the step-(k−1) event found for the first such step-k event. first-touch is the same with
 * step 1 cut to the user's first step-1 event.
 */
function chainMode(firstTouch: boolean): ModeCompiler {
  return ({ nSteps, windowMs, strict }) => {
    const cols: string[] = [];
    cols.push(`${firstTouch ? 'arraySlice(_T1, 1, 1)' : '_T1'} AS _P1`, '_P1 AS _X1');
    const valid: string[] = [];
    for (let k = 2; k <= nSteps; k++) {
      const prevTimes = k === 2 ? '_P1' : `_T${k - 1}`;
      cols.push(`${countBefore(prevTimes, `_T${k}`, strict)} AS _C${k}`);
      cols.push(`arrayMap(c -> if(c = 0, toInt64(${NO_START}), _X${k - 1}[c]), _C${k}) AS _X${k}`);
      const inWindow = windowMs === null ? '' : ` AND t - x <= ${num(windowMs)}`;
      cols.push(`arrayMap((t, x) -> toUInt8(x > toInt64(${NO_START})${inWindow}), _T${k}, _X${k}) AS _V${k}`);
      cols.push(`arrayFirstIndex(v -> v = 1, _V${k}) AS _I${k}`);
      cols.push(`if(_I${k} = 0, toInt64(-1), _T${k}[_I${k}] - ${prevTimes}[_C${k}[_I${k}]]) AS _d${k}`);
      valid.push(`(_I${k} > 0)`);
    }
    cols.push(`toUInt8(1 + ${valid.join(' + ')}) AS _lvl`);
    return { columns: cols, hasTtc: true };
  };
}

/**
 * unordered: the largest k such that steps 1..k all occur in one window [a, a + window], a being
 * any of the user's step events. Per step, a merge counts the step's events before each anchor,
 * so the next one at or after it is known in one lookup.
 */
const unorderedMode: ModeCompiler = ({ nSteps, windowMs }) => {
  const cols: string[] = [];
  const all = Array.from({ length: nSteps }, (_, i) => `_T${i + 1}`);
  cols.push(`arraySort(arrayConcat(${all.join(', ')})) AS _A`);
  const present: string[] = [];
  for (let j = 1; j <= nSteps; j++) {
    // Anchors sort before step events at equal times: the count is of events strictly before a.
    cols.push(`${countBefore(`_T${j}`, '_A', true)} AS _N${j}`);
    const inWindow = windowMs === null ? '' : ` AND _T${j}[c + 1] <= a + ${num(windowMs)}`;
    cols.push(`arrayMap((a, c) -> toUInt8(c < length(_T${j})${inWindow}), _A, _N${j}) AS _Q${j}`);
    present.push(`q${j}`);
  }
  const terms = present.map((_, i) => present.slice(0, i + 1).join(' * '));
  cols.push(`toUInt8(arrayReduce('max', arrayMap((${present.join(', ')}) -> ${terms.join(' + ')}, ${present.map((_, i) => `_Q${i + 1}`).join(', ')}))) AS _lvl`);
  return { columns: cols, hasTtc: false };
};

export const MODES: Record<string, ModeCompiler> = {
  'any-start': chainMode(false),
  'first-touch': chainMode(true),
  unordered: unorderedMode,
};
