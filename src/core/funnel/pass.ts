import type { Splitter } from '../helper-thread';
import type { Codes } from '../store-types';
import { modesPass, type ModeFlags } from './modes-pass';

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
  /** Per step, its property conditions (all must hold). */
  stepWhere: RowFilter[][];
  filters: RowFilter[];
  windowMs: number;
  mode: 'any-start' | 'first-touch' | 'unordered';
  strict: boolean;
  /** ClickHouse's strict_order / strict_deduplication / strict_once / allow_reentry, or null: then the default pass runs. */
  modes: ModeFlags | null;
  /** Step-1 events count only inside [rangeStart, rangeEnd). */
  rangeStart: number;
  rangeEnd: number;
  /** Time-to-convert needs one float per user and step: skipped for the previous period. */
  details: boolean;
  /** The thread that may take half of a large pass (the local backend's); absent, one thread does it all. */
  threads?: Splitter;
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
 * Which steps each row of [from, to) satisfies (after filters, per-step filters and the step-1
 * date range), computed column by column in tight loops before the per-user pass. Testing a
 * filter per row inside the pass cost more than these few sequential sweeps (which touch one
 * narrow column each, and only rows still nonzero), and the pass then reads one small array
 * instead of four.
 */
function fillMasks(m: Masks, s: MaskSpec, from: number, to: number): void {
  const [f0, ...rest] = s.filters;
  if (f0) fillFiltered(m, s.event, s.stepMask, f0.codes, f0.allowed, from, to);
  else fillStepMask(m, s.event, s.stepMask, from, to);
  for (const f of rest) applyFilter(m, f.codes, f.allowed, 0xffffffff, from, to);
  s.stepWhere.forEach((ws, k) => {
    for (const w of ws) applyFilter(m, w.codes, w.allowed, 1 << k, from, to);
  });
  if (s.rangeStart > -Infinity || s.rangeEnd < Infinity) {
    const time = s.time;
    for (let j = from; j < to; j++) {
      if ((m[j] & 1) === 0) continue;
      const t = time[j];
      if (t < s.rangeStart || t >= s.rangeEnd) m[j] &= ~1;
    }
  }
}

type MaskSpec = Pick<PassSpec, 'event' | 'stepMask' | 'filters' | 'stepWhere' | 'rangeStart' | 'rangeEnd' | 'time'>;

function newMasks(n: number, nSteps: number, shared: boolean): Masks {
  const width = nSteps <= 8 ? 1 : nSteps <= 16 ? 2 : 4;
  const buf = shared ? new SharedArrayBuffer(n * width) : new ArrayBuffer(n * width);
  return width === 1 ? new Uint8Array(buf) : width === 2 ? new Uint16Array(buf) : new Uint32Array(buf);
}

function fillStepMask(m: Masks, event: Codes, stepMask: Uint32Array, from: number, to: number): void {
  for (let j = from; j < to; j++) m[j] = stepMask[event[j]];
}

/** fillStepMask and applyFilter in one sweep, for the usual single filter. */
function fillFiltered(m: Masks, event: Codes, stepMask: Uint32Array, codes: Codes, allowed: Uint8Array, from: number, to: number): void {
  // allowed[] is 0 or 1, so -allowed is a mask of no bits or all: no branch to mispredict.
  for (let j = from; j < to; j++) m[j] = stepMask[event[j]] & -allowed[codes[j]];
}

/** Clears `bits` on rows whose value is not allowed. */
function applyFilter(m: Masks, codes: Codes, allowed: Uint8Array, bits: number, from: number, to: number): void {
  for (let j = from; j < to; j++) if (m[j] !== 0 && allowed[codes[j]] === 0) m[j] &= ~bits;
}

/** A split pass as the helper thread gets it (see runPass): it runs blocks of users from a shared counter. */
export interface PassPartJob extends MaskSpec {
  type: 'pass';
  /** Block b is the users [cuts[b], cuts[b + 1]). */
  cuts: Uint32Array;
  userStart: Uint32Array;
  nSteps: number;
  windowMs: number;
  firstTouch: boolean;
  strict: boolean;
  modes: ModeFlags | null;
  rm: Masks;
  level: Uint8Array;
  firstRow: Int32Array;
  firstTime: Float64Array;
  ttc: Float64Array[];
}

/** Blocks a split pass is cut into: enough that the two threads end close together, few enough that each is long. */
const PASS_BLOCKS = 32;

/** The users [u0, u1) of a pass: the masks of their rows, then the walk. */
export function passPart(j: Omit<PassPartJob, 'type' | 'cuts'> & { u0: number; u1: number }): void {
  fillMasks(j.rm, j, j.userStart[j.u0], j.userStart[j.u1]);
  // The modes get their own loop, so the default one stays as V8 optimized it.
  if (j.modes) modesPass(j.rm, j.time, j.userStart, j.nSteps, j.windowMs, j.modes, j.level, j.firstRow, j.firstTime, j.ttc, j.u0, j.u1);
  else chainPass(j.rm, j.time, j.userStart, j.nSteps, j.windowMs, j.firstTouch, j.strict, j.level, j.firstRow, j.firstTime, j.ttc, j.u0, j.u1);
}

/** The user before which about `share` of the rows lie. */
function splitUser(userStart: Uint32Array, share: number): number {
  const half = userStart[userStart.length - 1] * share;
  let lo = 0;
  let hi = userStart.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (userStart[mid] < half) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
export function runPass({ threads, ...s }: PassSpec): PassResult {
  const nUsers = Math.max(0, s.userStart.length - 1);
  const rows = s.event.length;
  // Large passes on shared columns (a fresh import's) are split with the helper thread: each
  // thread fills the masks and walks the users of its half, into shared outputs.
  const split =
    threads !== undefined &&
    s.mode !== 'unordered' &&
    threads.canSplit(rows, s.time, s.userStart, s.event, ...s.filters.map((f) => f.codes), ...s.stepWhere.flatMap((ws) => ws.map((w) => w.codes)));
  const alloc = <T>(make: (b: ArrayBufferLike) => T, bytes: number): T => make(split ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const level = alloc((b) => new Uint8Array(b), nUsers);
  const firstRow = alloc((b) => new Int32Array(b), nUsers * 4).fill(-1);
  const firstTime = alloc((b) => new Float64Array(b), nUsers * 8).fill(NaN);
  const ttc: Float64Array[] = [];
  if (s.details && s.mode !== 'unordered') for (let k = 0; k < s.nSteps; k++) ttc.push(alloc((b) => new Float64Array(b), nUsers * 8).fill(NaN));
  if (s.mode === 'unordered') {
    unorderedPass(s, level, firstRow);
    for (let u = 0; u < nUsers; u++) if (firstRow[u] >= 0) firstTime[u] = s.time[firstRow[u]];
    return { level, firstRow, firstTime, ttc };
  }
  if (nUsers === 0) return { level, firstRow, firstTime, ttc };
  // The modes tell "matches no step" (ClickHouse's other events, which strict-order stops at)
  // from "filtered out": every kept row carries one more bit, above the steps'.
  const keep = s.modes ? 1 << s.nSteps : 0;
  const rm = newMasks(rows, s.nSteps + (keep ? 1 : 0), split);
  const stepMask = keep ? s.stepMask.map((m) => m | keep) : s.stepMask;
  const part = { ...s, stepMask, firstTouch: s.mode === 'first-touch', rm, level, firstRow, firstTime, ttc };
  if (!split) {
    passPart({ ...part, u0: 0, u1: nUsers });
    return { level, firstRow, firstTime, ttc };
  }
  // Blocks of about equal rows, taken in turn by this thread and the helper (runBlocks).
  const cuts = Uint32Array.from({ length: PASS_BLOCKS + 1 }, (_, b) => (b === PASS_BLOCKS ? nUsers : splitUser(s.userStart, b / PASS_BLOCKS)));
  threads.runBlocks({ ...part, type: 'pass', cuts }, PASS_BLOCKS, (b) => passPart({ ...part, u0: cuts[b], u1: cuts[b + 1] }));
  return { level, firstRow, firstTime, ttc };
}

/**
 * runPass's loop, on its own: V8 optimizes a long loop while it runs (on-stack replacement),
 * and the object code around it in runPass, never run before the loop ends, threw that code
 * away again at the end of every call, so the first few funnels ran 1.6x slower. Here every
 * input is a plain array or number, and nothing after the loop is new.
 */
function chainPass(
  rm: Masks,
  time: Float64Array,
  userStart: Uint32Array,
  n: number,
  W: number,
  firstTouch: boolean,
  strict: boolean,
  level: Uint8Array,
  firstRow: Int32Array,
  firstTime: Float64Array,
  ttc: Float64Array[],
  u0: number,
  u1: number,
): void {
  const has = new Uint8Array(n);
  const start = new Float64Array(n);
  const last = new Float64Array(n);
  const details = ttc.length > 0;
  for (let u = u0; u < u1; u++) {
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
      for (let mm = mask; mm !== 0;) {
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
function unorderedPass(s: Omit<PassSpec, 'threads'>, level: Uint8Array, firstRow: Int32Array): void {
  const n = s.nSteps;
  const rm = newMasks(s.event.length, n, false);
  fillMasks(rm, s, 0, s.event.length);
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
