import type { Codes } from '../import';

export interface RowFilter {
  codes: Codes;
  /** allowed[code] = 1 when rows with that value are kept. */
  allowed: Uint8Array;
}

export interface PassSpec {
  time: Float64Array;
  userStart: Uint32Array;
  event: Codes;
  nSteps: number;
  /** Bit k set when the event code is step k's event name. */
  stepMask: Uint32Array;
  /** A per-step property filter, or null. */
  stepWhere: (RowFilter | null)[];
  filters: RowFilter[];
  windowMs: number;
  mode: 'any-start' | 'first-touch' | 'unordered';
  strict: boolean;
  /** Step-1 events count only inside [rangeStart, rangeEnd). */
  rangeStart: number;
  rangeEnd: number;
  /** Time-to-convert needs one float per user and step: skipped for the previous period. */
  details: boolean;
}

export interface PassResult {
  /** Level reached per user (0 = never did step 1 in range). */
  level: Uint8Array;
  /** Row of each user's first step-1 event (segment and day come from it), -1 if none. */
  firstRow: Int32Array;
  /** That event's time (NaN if none): the daily series reads it here rather than at random in the time column. */
  firstTime: Float64Array;
  /** ttc[k][u]: ms from the step k-1 to the step k event when u first reached step k+1; NaN otherwise. */
  ttc: Float64Array[];
}

type Masks = Uint8Array | Uint16Array | Uint32Array;

/**
 * Which steps each row satisfies (after filters, per-step filters and the step-1 date range),
 * computed column by column in tight loops before the per-user pass. Testing a filter per row
 * inside the pass cost more than these few sequential sweeps (which touch one narrow column
 * each, and only rows still nonzero), and the pass then reads one small array instead of four.
 */
function rowMasks(s: PassSpec): Masks {
  const n = s.event.length;
  const width = s.nSteps <= 8 ? 1 : s.nSteps <= 16 ? 2 : 4;
  const m: Masks = width === 1 ? new Uint8Array(n) : width === 2 ? new Uint16Array(n) : new Uint32Array(n);
  const [f0, ...rest] = s.filters;
  if (f0) fillFiltered(m, s.event, s.stepMask, f0.codes, f0.allowed);
  else fillStepMask(m, s.event, s.stepMask);
  for (const f of rest) applyFilter(m, f.codes, f.allowed, 0xffffffff);
  s.stepWhere.forEach((w, k) => {
    if (w !== null) applyFilter(m, w.codes, w.allowed, 1 << k);
  });
  if (s.rangeStart > -Infinity || s.rangeEnd < Infinity) {
    const time = s.time;
    for (let j = 0; j < n; j++) {
      if ((m[j] & 1) === 0) continue;
      const t = time[j];
      if (t < s.rangeStart || t >= s.rangeEnd) m[j] &= ~1;
    }
  }
  return m;
}

function fillStepMask(m: Masks, event: Codes, stepMask: Uint32Array): void {
  for (let j = 0; j < m.length; j++) m[j] = stepMask[event[j]];
}

/** fillStepMask and applyFilter in one sweep, for the usual single filter. */
function fillFiltered(m: Masks, event: Codes, stepMask: Uint32Array, codes: Codes, allowed: Uint8Array): void {
  // allowed[] is 0 or 1, so -allowed is a mask of no bits or all: no branch to mispredict.
  for (let j = 0; j < m.length; j++) m[j] = stepMask[event[j]] & -allowed[codes[j]];
}

/** Clears `bits` on rows whose value is not allowed. */
function applyFilter(m: Masks, codes: Codes, allowed: Uint8Array, bits: number): void {
  for (let j = 0; j < m.length; j++) if (m[j] !== 0 && allowed[codes[j]] === 0) m[j] &= ~bits;
}

/**
 * One pass over rows grouped by user and sorted by time. any-start and first-touch follow
 * ClickHouse's windowFunnel: events are taken in (time, step) order; a step-1 event starts a
 * chain (any-start: every one restarts it; first-touch: only the first); a step-k event extends
 * the latest chain at level k-1 if it is within the window of that chain's start (inclusive) and,
 * with strict, strictly later than the chain's last event. Keeping only the latest start per
 * level is enough: a later start never has less window left. (ClickHouse's strict_increase
 * walks ties upwards and so can miss a chain when a step-1 event ties with a later step; we
 * follow the documented definition instead.)
 */
export function runPass(s: PassSpec): PassResult {
  const nUsers = s.userStart.length - 1;
  const level = new Uint8Array(Math.max(0, nUsers));
  const firstRow = new Int32Array(Math.max(0, nUsers)).fill(-1);
  const firstTime = new Float64Array(Math.max(0, nUsers)).fill(NaN);
  const ttc: Float64Array[] = [];
  if (s.details && s.mode !== 'unordered') for (let k = 0; k < s.nSteps; k++) ttc.push(new Float64Array(nUsers).fill(NaN));
  if (s.mode === 'unordered') {
    unorderedPass(s, level, firstRow);
    for (let u = 0; u < nUsers; u++) if (firstRow[u] >= 0) firstTime[u] = s.time[firstRow[u]];
    return { level, firstRow, firstTime, ttc };
  }
  const rm = rowMasks(s);
  chainPass(rm, s.time, s.userStart, s.nSteps, s.windowMs, s.mode === 'first-touch', s.strict, level, firstRow, firstTime, ttc);
  return { level, firstRow, firstTime, ttc };
}

/**
 * runPass's loop, on its own: V8 optimizes a long loop while it runs (on-stack replacement),
 * and the object code around it in runPass, never run before the loop ends, threw that code
 * away again at the end of every call, so the first few funnels ran 1.6x slower. Here every
 * input is a plain array or number, and nothing after the loop is new.
 */
function chainPass(rm: Masks, time: Float64Array, userStart: Uint32Array, n: number, W: number, firstTouch: boolean, strict: boolean, level: Uint8Array, firstRow: Int32Array, firstTime: Float64Array, ttc: Float64Array[]): void {
  const has = new Uint8Array(n);
  const start = new Float64Array(n);
  const last = new Float64Array(n);
  const details = ttc.length > 0;
  const nUsers = userStart.length - 1;
  for (let u = 0; u < nUsers; u++) {
    const a = userStart[u];
    const b = userStart[u + 1];
    if (a === b) continue;
    for (let k = 0; k < n; k++) has[k] = 0;
    let lvl = 0;
    let first = -1;
    let i = a;
    while (i < b && lvl < n) {
      if (rm[i] === 0) {
        i++;
        continue;
      }
      const t = time[i];
      // Events with equal times are taken in step order, as ClickHouse sorts by (time, step).
      let mask = 0;
      let j = i;
      do {
        const m = rm[j];
        if (m & 1 && first < 0) first = j;
        mask |= m;
        j++;
      } while (j < b && time[j] === t);
      i = j;
      if (mask === 0) continue;
      // strict walks the steps of a tie downwards, so step k only sees chains that ended strictly
      // earlier; otherwise upwards, so a chain can pass through several steps at one instant.
      for (let mm = mask; mm !== 0; ) {
        // Only the set bits: most events are one step's.
        const k = strict ? 31 - Math.clz32(mm) : 31 - Math.clz32(mm & -mm);
        mm ^= 1 << k;
        if (k === 0) {
          if (firstTouch && has[0]) continue;
          has[0] = 1;
          start[0] = t;
          last[0] = t;
          if (lvl < 1) lvl = 1;
          continue;
        }
        if (!has[k - 1] || t > start[k - 1] + W || (strict && !(last[k - 1] < t))) continue;
        has[k] = 1;
        start[k] = start[k - 1];
        if (lvl < k + 1) {
          lvl = k + 1;
          if (details) ttc[k][u] = t - last[k - 1];
        }
        last[k] = t;
      }
    }
    level[u] = lvl;
    firstRow[u] = first;
    if (first >= 0) firstTime[u] = time[first];
  }
}

/** unordered: the largest k such that steps 1..k all occur within one window, in any order. */
function unorderedPass(s: PassSpec, level: Uint8Array, firstRow: Int32Array): void {
  const n = s.nSteps;
  const rm = rowMasks(s);
  const counts = new Int32Array(n);
  let ts = new Float64Array(1024);
  let ms = new Uint32Array(1024);
  const W = s.windowMs;
  for (let u = 0; u + 1 < s.userStart.length; u++) {
    const a = s.userStart[u];
    const b = s.userStart[u + 1];
    let m = 0;
    let first = -1;
    for (let j = a; j < b; j++) {
      const mask = rm[j];
      if (mask === 0) continue;
      if (mask & 1 && first < 0) first = j;
      if (m === ts.length) {
        const t2 = new Float64Array(m * 2);
        t2.set(ts);
        ts = t2;
        const m2 = new Uint32Array(m * 2);
        m2.set(ms);
        ms = m2;
      }
      ts[m] = s.time[j];
      ms[m++] = mask;
    }
    if (first < 0) continue;
    counts.fill(0);
    let lvl = 0;
    let r = 0;
    for (let l = 0; l < m && lvl < n; l++) {
      while (r < m && ts[r] <= ts[l] + W) {
        for (let k = 0; k < n; k++) if ((ms[r] >>> k) & 1) counts[k]++;
        r++;
      }
      let k = 0;
      while (k < n && counts[k] > 0) k++;
      if (k > lvl) lvl = k;
      for (let q = 0; q < n; q++) if ((ms[l] >>> q) & 1) counts[q]--;
    }
    level[u] = lvl;
    firstRow[u] = first;
  }
}
