import { stepEvents, type FunnelDefinition } from '../../../shared/contract';
import { lastAtOrBefore, NO_NEXT, NO_START, type ModeSql } from './funnel-modes';
import { num } from './sql';

/**
 * windowFunnel's options (strict_order, strict_deduplication, strict_once, allow_reentry, and
 * strict_increase with them) as SQL over the per-user sorted step-time arrays `_T1` … `_Tn` (and
 * `_T0`, the times of the rows that match no step, under strict_order). The local engine walks a
 * user's (time, step) pairs once and stops early (src/core/funnel/modes-pass.ts); there is no
 * loop with state in ClickHouse 18.16's SQL (no arrayFold), so the walk is taken apart:
 *
 * 1. Which pairs extend a chain in the walk without its stops. A step-k pair at t extends when
 *    the latest step-(k−1) pair that extended, at or before t, has a start within the window
 *    (and, with strict_increase, a last time before t). One merge per step carries that pair's
 *    start (_Xk) and time (_Lk) to every step-k pair, as in the default mode, but over the
 *    step-(k−1) pairs that extended (_VTk), since with strict_increase a later pair may fail at
 *    a tie while an earlier one still holds.
 * 2. Where the walk stops. Every stop rule depends only on which steps are reached before a
 *    pair, and before the stop that is the same as in the walk without stops. So each rule's
 *    first stopping pair is found from the first extending pair of each step (_Fk) alone, as a
 *    key time·32 + step (pairs sort by time, then step, "matches no step" being 0), and the walk
 *    stops at the smallest (_S).
 * 3. The level is the number of steps whose first extending pair comes before the stop; the
 *    time to convert is that pair's time minus _Lk.
 *
 * strict_once: one event serves one step of a chain. When no row matches two steps, that changes
 * only strict_increase (ClickHouse then keeps every chain, so a step-1 event at a step's instant
 * no longer hides the older chain): the lookup is then strictly before t, IAFA's literal --strict.
 */
export interface WalkFlags {
  order: boolean;
  dedup: boolean;
  once: boolean;
  reentry: boolean;
  increase: boolean;
}

/**
 * strict_once's time to convert, as the local engine takes it (modes-pass.ts, OnceWalk): the
 * step-(k−1) chain met is this instant's, when there is one and strict_increase allows it (a gap
 * of 0), else the one kept between instants. That one is replaced by a step-(k−1) event alone at
 * its instant, and by one among others at its instant only when its start is later than the kept
 * chain's (at an equal start the older chain, with its older last time, stays).
 */
function onceLast(k: number, increase: boolean): string {
  const j = k - 1;
  const kept = lastAtOrBefore(`_UT${j}`, `_UT${j}`, `_T${k}`, true);
  if (increase) return kept;
  const same = lastAtOrBefore(`_VT${j}`, `_VT${j}`, `_T${k}`, false);
  return `arrayMap((t, s, kp) -> if(s = t, t, kp), _T${k}, ${same}, ${kept})`;
}

/** Pairs as one Int64 key: time·32 + step (0 = matches no step; at most 31 steps). */
const key = (t: string, k: number) => `(${t} * 32 + ${k})`;
/** A key after every pair. */
const NO_KEY = '4000000000000000000';

/**
 * A lambda that captures columns of the query below: 18.16 drops a subquery's column that is used
 * only inside a lambda ("Unknown identifier"), so the columns are named once outside it too.
 */
const captured = (expr: string, cols: string[]) => `tupleElement(tuple(${expr}, ${cols.join(', ')}), 1)`;

export function walkMode(nSteps: number, windowMs: number | null, f: WalkFlags): ModeSql {
  const layers: string[][] = [];
  let cols: string[] = [];
  const next = () => {
    layers.push(cols);
    cols = [];
  };
  const n = nSteps;
  if (f.once) {
    // The instants with more than one step event (for the time to convert under strict_once).
    const all = Array.from({ length: n }, (_, i) => `_T${i + 1}`).join(', ');
    cols.push(`arraySort(arrayConcat(${all})) AS _A`);
    next();
    cols.push(
      `arrayFilter((x, p, q) -> x = p OR x = q, _A, arrayPopBack(arrayPushFront(_A, toInt64(${NO_START}))), arrayPopFront(arrayPushBack(_A, toInt64(${NO_NEXT})))) AS _C`,
    );
    next();
  }
  // Step 1: every pair extends (it restarts the chain), its own start and last time.
  cols.push('_T1 AS _VT1', `toInt64(${key('_T1[1]', 1)}) AS _F1`, `_T1[1] AS _FT1`);
  // With strict_once and strict_increase a step sees chains that ended strictly earlier.
  const before = f.once && f.increase;
  for (let k = 2; k <= n; k++) {
    if (f.once) {
      // Which of the step-(k−1) pairs that extended replace the chain the walk keeps between
      // instants: alone at their instant, or with a later start than the one kept (onceLast).
      const j = k - 1;
      const vx = j === 1 ? '_VT1' : `_VX${j}`;
      cols.push(`arrayMap((c, t) -> toUInt8(c = t), ${lastAtOrBefore('_C', '_C', `_VT${j}`, false)}, _VT${j}) AS _CR${j}`);
      cols.push(`${lastAtOrBefore(`_VT${j}`, vx, `_VT${j}`, true)} AS _KS${j}`);
      next();
      cols.push(`arrayFilter((t, c, x, ks) -> c = 0 OR x > ks, _VT${j}, _CR${j}, ${vx}, _KS${j}) AS _UT${j}`);
      next();
    }
    const prevStarts = k === 2 ? '_VT1' : `_VX${k - 1}`;
    cols.push(`${lastAtOrBefore(`_VT${k - 1}`, prevStarts, `_T${k}`, before)} AS _X${k}`);
    cols.push(`${f.once ? onceLast(k, f.increase) : lastAtOrBefore(`_VT${k - 1}`, `_VT${k - 1}`, `_T${k}`, before)} AS _L${k}`);
    const conds = [`x > toInt64(${NO_START})`];
    if (windowMs !== null) conds.push(`t - x <= ${num(windowMs)}`);
    if (f.increase && !before) conds.push('l < t');
    next();
    cols.push(`arrayMap((t, x, l) -> toUInt8(${conds.join(' AND ')}), _T${k}, _X${k}, _L${k}) AS _V${k}`);
    next();
    if (k < n) {
      cols.push(`arrayFilter((t, v) -> v = 1, _T${k}, _V${k}) AS _VT${k}`);
      cols.push(`arrayFilter((x, v) -> v = 1, _X${k}, _V${k}) AS _VX${k}`);
    }
    cols.push(`arrayFirstIndex(v -> v = 1, _V${k}) AS _I${k}`);
    // The first extending pair: its time (or none) and its key.
    cols.push(`if(_I${k} = 0, toInt64(${NO_NEXT}), _T${k}[_I${k}]) AS _FT${k}`);
    cols.push(`if(_I${k} = 0, toInt64(${NO_KEY}), ${key(`_T${k}[_I${k}]`, k)}) AS _F${k}`);
    next();
  }

  // The stop rules, each as the key of the first pair it stops at.
  const stops: string[] = [];
  const at = (arr: string, idx: string, k: number) => `if(${idx} = 0, toInt64(${NO_KEY}), ${key(`${arr}[${idx}]`, k)})`;
  if (f.order) {
    // A row that matches no step, once step 1 is reached (at an earlier instant: "other" sorts first).
    cols.push(`${captured('arrayFirstIndex(x -> x > _FT1, _T0)', ['_FT1'])} AS _O0`);
    stops.push(at('_T0', '_O0', 0));
    // A step-1 event once step 2 is reached (strictly earlier: at one instant step 1 comes first).
    if (!f.reentry && n >= 2) {
      cols.push(`${captured('arrayFirstIndex(x -> x > _FT2, _T1)', ['_FT2'])} AS _O1`);
      stops.push(at('_T1', '_O1', 1));
    }
    // A step-k event after step 1 is reached but before step k−1 is.
    for (let k = 3; k <= n; k++) {
      cols.push(`${captured(`arrayFirstIndex(x -> x >= _FT1 AND x < _FT${k - 1}, _T${k})`, ['_FT1', `_FT${k - 1}`])} AS _O${k}`);
      stops.push(at(`_T${k}`, `_O${k}`, k));
    }
  }
  if (f.dedup) {
    // The step-k pair after the first one that extended: a step already reached.
    for (let k = 2; k <= n; k++) stops.push(`if(_I${k} > 0 AND _I${k} < length(_T${k}), ${key(`_T${k}[_I${k} + 1]`, k)}, toInt64(${NO_KEY}))`);
  }
  cols.push(`${stops.length ? stops.reduce((a, b) => `least(${a}, ${b})`) : `toInt64(${NO_KEY})`} AS _S`);
  next();

  // A step is reached when its first extending pair comes before the stop. Under
  // strict_deduplication the stop may be the pair right after it at the same instant (its twin),
  // and no other rule stops at a key a step's first extending pair has, so "at or before" there.
  const cmp = f.dedup ? '<=' : '<';
  const reached = (k: number) => `(_I${k} > 0 AND _F${k} ${cmp} _S)`;
  const lv: string[] = [];
  for (let k = 2; k <= n; k++) {
    lv.push(reached(k));
    cols.push(`if(${reached(k)}, _T${k}[_I${k}] - _L${k}[_I${k}], toInt64(-1)) AS _d${k}`);
  }
  cols.push(`toUInt8(1 + ${lv.join(' + ')}) AS _lvl`);
  next();
  return { columns: [], layers, hasTtc: true };
}

/**
 * What the walk cannot compile exactly, or null. strict_once on steps that share an event name
 * (x → x, or click → click[surface=Home]) needs every chain with the events it used, per
 * instant: not done in SQL, so refused rather than approximated.
 */
export function modeFlagsProblem(def: Pick<FunnelDefinition, 'steps' | 'strictOnce'>): string | null {
  if (!def.strictOnce) return null;
  const seen = new Map<string, number>();
  for (const [k, s] of def.steps.entries()) {
    for (const e of stepEvents(s)) {
      const j = seen.get(e);
      if (j !== undefined && j !== k)
        return `strict-once with steps that share an event ("${e}" in steps ${j + 1} and ${k + 1}) is not available on the ClickHouse backend; import the events to use it, or give the steps distinct events.`;
      seen.set(e, k);
    }
  }
  return null;
}
