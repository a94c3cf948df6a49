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
  /**
   * More columns, each list computed in a query around the one before (`SELECT *, … FROM (…)`):
   * ClickHouse 18.16 expands aliases into one expression tree, which grows exponentially when
   * each step's arrays use the previous step's several times ("AST is too big").
   */
  layers?: string[][];
  hasTtc: boolean;
}

export type ModeCompiler = (ctx: ModeContext) => ModeSql;

/** No chain start: a time before any event (year −29,700), so `t − start` cannot overflow. */
export const NO_START = '-1000000000000000';
/** No later event: a time after any event. */
export const NO_NEXT = '1000000000000000';

/**
 * Lookups between two sorted per-user arrays, by merging them: (time, tag) packed as one Int64
 * (time * 2 + tag, far below 2^62) sorts fast, and a value is carried through the merge as the
 * running sum of its differences, so no lambda captures an array (ClickHouse copies a captured
 * array once per element, which is quadratic on a user with many events).
 */
function merged(prev: string, prevTag: number, cur: string, curTag: number, prevDiffs: string): { keys: string; diffs: string } {
  const keys = `arrayConcat(arrayMap(x -> x * 2 + ${prevTag}, ${prev}), arrayMap(x -> x * 2 + ${curTag}, ${cur}))`;
  const diffs = `arraySort((d, k) -> k, arrayConcat(${prevDiffs}, arrayMap(x -> toInt64(0), ${cur})), ${keys})`;
  return { keys: `arraySort(${keys})`, diffs };
}

/**
 * For every element of `cur` (sorted), the value of `values` (aligned with `prev`, sorted by
 * time and nondecreasing) at the last element of `prev` at or before it (strictly before when
 * `strict`), or NO_START when there is none. At equal times the tags put prev first (≤) or last (<).
 */
export function lastAtOrBefore(prev: string, values: string, cur: string, strict: boolean): string {
  const [pt, ct] = strict ? [1, 0] : [0, 1];
  const steps = `arrayMap((v, p) -> v - p, ${values}, arrayPopBack(arrayPushFront(${values}, toInt64(${NO_START}))))`;
  const m = merged(prev, pt, cur, ct, steps);
  return `arrayFilter((v, k) -> bitAnd(k, 1) = ${ct}, arrayMap(s -> s + toInt64(${NO_START}), arrayCumSum(${m.diffs})), ${m.keys})`;
}

/** For every anchor (sorted), the first element of `times` (sorted) at or after it, or NO_NEXT. */
function firstAtOrAfter(times: string, anchors: string): string {
  const steps = `arrayMap((v, n) -> v - n, ${times}, arrayPopFront(arrayPushBack(${times}, toInt64(${NO_NEXT}))))`;
  const m = merged(times, 1, anchors, 0, steps);
  return `arrayFilter((v, k) -> bitAnd(k, 1) = 0, arrayMap(s -> s + toInt64(${NO_NEXT}), arrayReverse(arrayCumSum(arrayReverse(${m.diffs})))), ${m.keys})`;
}

/**
 * any-start and first-touch, IAFA's definition (docs/funnel-semantics.md) rather than
 * windowFunnel's: for a step-k event e, the latest start of a chain ending at e is the latest
 * start of the chains ending at the latest step-(k−1) event at or before e (strictly before with
 * --strict), because those starts never decrease over time. So per step one merge carries, to
 * each step-k event, that step-(k−1) event's start (_Xk) and time (_Lk); e completes a chain
 * when t(e) − start ≤ window. The level is the last step with such an event; the time to convert
 * is t(e) − _Lk for the first such e. first-touch is the same with step 1 cut to the user's first
 * step-1 event.
 */
function chainMode(firstTouch: boolean): ModeCompiler {
  return ({ nSteps, windowMs, strict }) => {
    const cols: string[] = [];
    cols.push(`${firstTouch ? 'arraySlice(_T1, 1, 1)' : '_T1'} AS _P1`, '_P1 AS _X1');
    const valid: string[] = [];
    for (let k = 2; k <= nSteps; k++) {
      const prevTimes = k === 2 ? '_P1' : `_T${k - 1}`;
      cols.push(`${lastAtOrBefore(prevTimes, `_X${k - 1}`, `_T${k}`, strict)} AS _X${k}`);
      cols.push(`${lastAtOrBefore(prevTimes, prevTimes, `_T${k}`, strict)} AS _L${k}`);
      const inWindow = windowMs === null ? '' : ` AND t - x <= ${num(windowMs)}`;
      cols.push(`arrayMap((t, x) -> toUInt8(x > toInt64(${NO_START})${inWindow}), _T${k}, _X${k}) AS _V${k}`);
      cols.push(`arrayFirstIndex(v -> v = 1, _V${k}) AS _I${k}`);
      cols.push(`if(_I${k} = 0, toInt64(-1), _T${k}[_I${k}] - _L${k}[_I${k}]) AS _d${k}`);
      valid.push(`(_I${k} > 0)`);
    }
    cols.push(`toUInt8(1 + ${valid.join(' + ')}) AS _lvl`);
    return { columns: cols, hasTtc: true };
  };
}

/**
 * unordered: the largest k such that steps 1..k all occur in one window [a, a + window], a being
 * any of the user's step events. Per step, a merge finds the step's next event at or after each
 * anchor.
 */
const unorderedMode: ModeCompiler = ({ nSteps, windowMs }) => {
  const cols: string[] = [];
  const all = Array.from({ length: nSteps }, (_, i) => `_T${i + 1}`);
  cols.push(`arraySort(arrayConcat(${all.join(', ')})) AS _A`);
  const present: string[] = [];
  for (let j = 1; j <= nSteps; j++) {
    cols.push(`${firstAtOrAfter(`_T${j}`, '_A')} AS _N${j}`);
    const inWindow = windowMs === null ? `n < toInt64(${NO_NEXT})` : `n <= a + ${num(windowMs)}`;
    cols.push(`arrayMap((a, n) -> toUInt8(${inWindow}), _A, _N${j}) AS _Q${j}`);
    present.push(`q${j}`);
  }
  const terms = present.map((_, i) => present.slice(0, i + 1).join(' * '));
  cols.push(
    `toUInt8(arrayReduce('max', arrayMap((${present.join(', ')}) -> ${terms.join(' + ')}, ${present.map((_, i) => `_Q${i + 1}`).join(', ')}))) AS _lvl`,
  );
  return { columns: cols, hasTtc: false };
};

export const MODES: Record<string, ModeCompiler> = {
  'any-start': chainMode(false),
  'first-touch': chainMode(true),
  unordered: unorderedMode,
};
