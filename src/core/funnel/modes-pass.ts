/**
 * The funnel pass for ClickHouse windowFunnel's options beyond the window: strict_order,
 * strict_deduplication, strict_once, allow_reentry, and strict_increase combined with them.
 * ClickHouse sorts a user's (time, step) pairs and walks them once, so events with equal times
 * are taken as a group, steps ascending, with "matches no step" (strict_order's other events)
 * first. The rules are those that reproduce ClickHouse's stateless test 00632 reference (the
 * version with allow_reentry), with one change ClickHouse made later (#99003): a duplicate under
 * strict_deduplication ends the chain at the level reached. docs/funnel-semantics.md states the
 * rules with examples.
 *
 * The default mode does not come here (pass.ts's chainPass): these rules need more per-event
 * work, and keeping them apart leaves that loop as it was.
 */

export interface ModeFlags {
  /**
   * strict_order: once the chain has started, an event that matches no step, a step's event
   * before the step ahead of it is reached, or a step-1 event after step 2 is reached ends it.
   */
  order: boolean;
  /** strict_deduplication: an event of a step already reached ends the chain. */
  dedup: boolean;
  /** strict_once: one event is used for at most one step of a chain. */
  once: boolean;
  /** allow_reentry (with order): a step-1 event after step 2 restarts step 1 instead of ending the chain. */
  reentry: boolean;
  /** strict_increase, ClickHouse's way (see docs: it differs from the default pass's --strict at ties). */
  increase: boolean;
}

type Masks = Uint8Array | Uint16Array | Uint32Array;

/** One user's walk: `group` takes the rows [from, to) that share time t and says whether the walk stops. */
interface Walk {
  /** Levels reached so far (they always form a prefix: a chain at step k needs one at step k-1). */
  level: number;
  reset(): void;
  group(rm: Masks, from: number, to: number, t: number, u: number): boolean;
  /** At the end of a time group. */
  settle(): void;
}

export function modesPass(
  rm: Masks,
  time: Float64Array,
  userStart: Uint32Array,
  n: number,
  W: number,
  f: ModeFlags,
  level: Uint8Array,
  firstRow: Int32Array,
  firstTime: Float64Array,
  ttc: Float64Array[],
  u0: number,
  u1: number,
): void {
  const walk: Walk = f.once ? new OnceWalk(n, W, f, ttc) : new LatestWalk(n, W, f, ttc);
  for (let u = u0; u < u1; u++) {
    const a = userStart[u];
    const b = userStart[u + 1];
    if (a === b) continue;
    walk.reset();
    let first = -1;
    let i = a;
    while (i < b) {
      if (rm[i] === 0) {
        i++;
        continue;
      }
      const t = time[i];
      let j = i;
      do {
        if (rm[j] & 1 && first < 0) first = j;
        j++;
      } while (j < b && time[j] === t);
      const stop = walk.group(rm, i, j, t, u);
      i = j;
      if (stop) break;
      walk.settle();
    }
    level[u] = walk.level;
    firstRow[u] = first;
    if (first >= 0) firstTime[u] = time[first];
  }
}

/** Counts the group's rows per step; true when one of them matches no step (only the keep bit). */
function countSteps(rm: Masks, from: number, to: number, n: number, cnt: Int32Array): boolean {
  const keep = 1 << n;
  let other = false;
  cnt.fill(0);
  for (let j = from; j < to; j++) {
    const m = rm[j];
    if (m === 0) continue;
    if (m === keep) {
      other = true;
      continue;
    }
    for (let mm = m & (keep - 1); mm !== 0; mm &= mm - 1) cnt[31 - Math.clz32(mm & -mm)]++;
  }
  return other;
}

/**
 * Without strict_once ClickHouse keeps, per step, only the latest chain to reach it (its start
 * and its last event's time), overwritten by every extension: that is also why its
 * strict_increase can miss a chain at a tie.
 */
class LatestWalk implements Walk {
  level = 0;
  private has: Uint8Array;
  private start: Float64Array;
  private last: Float64Array;
  private cnt: Int32Array;
  constructor(
    private n: number,
    private W: number,
    private f: ModeFlags,
    private ttc: Float64Array[],
  ) {
    this.has = new Uint8Array(n);
    this.start = new Float64Array(n);
    this.last = new Float64Array(n);
    this.cnt = new Int32Array(n);
  }

  reset(): void {
    this.has.fill(0);
    this.level = 0;
  }

  settle(): void {}

  group(rm: Masks, from: number, to: number, t: number, u: number): boolean {
    const { n, f, has, start, last, cnt } = this;
    const other = countSteps(rm, from, to, n, cnt);
    if (other && f.order && this.level > 0) return true;
    for (let k = 0; k < n; k++) {
      if (cnt[k] === 0) continue;
      if (k === 0) {
        if (f.order && !f.reentry && has[1]) return true;
        has[0] = 1;
        start[0] = t;
        last[0] = t;
        if (this.level < 1) this.level = 1;
        continue;
      }
      if (f.dedup && has[k]) return true;
      if (f.order && this.level > 0 && !has[k - 1]) return true;
      if (!has[k - 1] || t > start[k - 1] + this.W || (f.increase && !(last[k - 1] < t))) continue;
      has[k] = 1;
      start[k] = start[k - 1];
      if (this.level < k + 1) {
        if (this.ttc.length > 0) this.ttc[k][u] = t - last[k - 1];
        this.level = k + 1;
      }
      last[k] = t;
      if (k + 1 === n) return true;
      // The same step's next event at this instant finds the step reached: a duplicate.
      if (f.dedup && cnt[k] > 1) return true;
    }
    return false;
  }
}

interface Chain {
  start: number;
  last: number;
  /** Rows of the current time group used by this chain that match a later step (no other row can be met again). */
  rows: number[];
}

/**
 * strict_once: ClickHouse keeps every chain with the events it used, since one event may match
 * several steps but serves only one. Only events of the current instant can meet a chain's
 * events again, so between instants one chain per step is enough (the latest start: it has the
 * most window left, and every earlier last event is before any later time), and within an
 * instant chains that used the same events keep the latest start. Same levels, bounded work.
 */
class OnceWalk implements Walk {
  level = 0;
  private has: Uint8Array;
  private start: Float64Array;
  private last: Float64Array;
  private chains: Map<string, Chain>[];
  /** Whether this instant left chains to fold into has/start/last. */
  private pending = false;
  constructor(
    private n: number,
    private W: number,
    private f: ModeFlags,
    private ttc: Float64Array[],
  ) {
    this.has = new Uint8Array(n);
    this.start = new Float64Array(n);
    this.last = new Float64Array(n);
    this.chains = Array.from({ length: n }, () => new Map<string, Chain>());
  }

  reset(): void {
    this.has.fill(0);
    for (const c of this.chains) c.clear();
    this.pending = false;
    this.level = 0;
  }

  private single(k: number, t: number, u: number): boolean {
    const { f, has, start, last } = this;
    if (k === 0) {
      if (f.order && !f.reentry && has[1]) return true;
      has[0] = 1;
      start[0] = t;
      last[0] = t;
      if (this.level < 1) this.level = 1;
      return false;
    }
    if (f.dedup && has[k]) return true;
    if (f.order && this.level > 0 && !has[k - 1]) return true;
    if (!has[k - 1] || t > start[k - 1] + this.W || (f.increase && !(last[k - 1] < t))) return false;
    if (this.level < k + 1) {
      if (this.ttc.length > 0) this.ttc[k][u] = t - last[k - 1];
      this.level = k + 1;
    }
    has[k] = 1;
    start[k] = start[k - 1];
    last[k] = t;
    return k + 1 === this.n;
  }

  private reached(k: number): boolean {
    return this.has[k] === 1 || this.chains[k].size > 0;
  }

  private add(k: number, c: Chain): void {
    this.pending = true;
    const key = [...c.rows].sort((x, y) => x - y).join(',');
    const old = this.chains[k].get(key);
    if (!old || c.start > old.start) this.chains[k].set(key, c);
  }

  settle(): void {
    if (!this.pending) return;
    this.pending = false;
    for (let k = 0; k < this.n; k++) {
      for (const c of this.chains[k].values()) {
        if (!this.has[k] || c.start > this.start[k]) {
          this.has[k] = 1;
          this.start[k] = c.start;
          this.last[k] = c.last;
        }
      }
      this.chains[k].clear();
    }
  }

  group(rm: Masks, from: number, to: number, t: number, u: number): boolean {
    const { n, f } = this;
    const keep = 1 << n;
    let other = false;
    let rows = 0;
    let only = 0;
    for (let j = from; j < to; j++) {
      if (rm[j] === keep) other = true;
      else if (rm[j] !== 0) {
        rows++;
        only = rm[j] & (keep - 1);
      }
    }
    if (other && f.order && this.level > 0) return true;
    // The usual instant: one event of one step. No chain can have used it, so this is the
    // latest-chain walk on has/start/last (a new chain's start is never below the step's).
    if (rows === 1 && (only & (only - 1)) === 0) return this.single(31 - Math.clz32(only), t, u);
    // A chain remembers only the events that can still come up at this instant (those matching a
    // later step): an event of one step, or past its last step, can never be met twice. So on
    // funnels of distinct events a crowded instant (date-only times) keeps one chain per step.
    const laterStep = (r: number, k: number) => (rm[r] & (keep - 1)) >>> (k + 1) !== 0;
    for (let k = 0; k < n; k++) {
      const bit = 1 << k;
      for (let j = from; j < to; j++) {
        if ((rm[j] & bit) === 0) continue;
        if (k === 0) {
          if (f.order && !f.reentry && this.reached(1)) return true;
          this.add(0, { start: t, last: t, rows: laterStep(j, 0) ? [j] : [] });
          if (this.level < 1) this.level = 1;
          continue;
        }
        if (f.dedup && this.reached(k)) return true;
        if (f.order && this.level > 0 && !this.reached(k - 1)) return true;
        const prev: Chain[] = [...this.chains[k - 1].values()];
        if (this.has[k - 1]) prev.push({ start: this.start[k - 1], last: this.last[k - 1], rows: [] });
        for (const c of prev) {
          if (t > c.start + this.W || c.rows.includes(j) || (f.increase && !(c.last < t))) continue;
          const rows = c.rows.filter((r) => laterStep(r, k));
          if (laterStep(j, k)) rows.push(j);
          this.add(k, { start: c.start, last: t, rows });
          if (this.level < k + 1) {
            if (this.ttc.length > 0) this.ttc[k][u] = t - c.last;
            this.level = k + 1;
          }
          if (k + 1 === n) return true;
        }
      }
    }
    return false;
  }
}
