import type { Codes } from './store';

export interface UserOrder {
  /** Row offset of each user code (nUsers + 1 entries). */
  start: Uint32Array;
  /** perm[i] = the input row that goes to position i. */
  perm: Uint32Array;
  /** The times in the new order. */
  time: Float64Array;
}

/**
 * Orders rows by (user code, time), stably: rows with the same user and time keep their input
 * (file) order. A counting sort by user, then each user's few dozen rows sorted by time where
 * they lie, so the time sorts touch contiguous memory instead of time[perm[i]] at random.
 */
export function orderByUser(userCodes: Uint32Array, time: Float64Array, nUsers: number): UserOrder {
  const n = userCodes.length;
  const start = new Uint32Array(nUsers + 1);
  for (let i = 0; i < n; i++) start[userCodes[i] + 1]++;
  for (let u = 0; u < nUsers; u++) start[u + 1] += start[u];
  const pos = start.slice(0, nUsers);
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[pos[userCodes[i]]++] = i;
  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) sorted[i] = time[perm[i]];
  const scratch = newScratch();
  for (let u = 0; u < nUsers; u++) sortPairs(sorted, perm, start[u], start[u + 1], scratch);
  return { start, perm, time: sorted };
}

export function gather(dst: Codes, src: Codes, perm: Uint32Array): void {
  for (let r = 0; r < perm.length; r++) dst[r] = src[perm[r]];
}

export interface Scratch {
  t: Float64Array;
  p: Uint32Array;
}

export function newScratch(): Scratch {
  return { t: new Float64Array(1024), p: new Uint32Array(1024) };
}

/**
 * Sorts t[a, b) ascending, stably (file order breaks ties), moving p along with it. Insertion
 * sort on runs of 32, then bottom-up merges through scratch arrays: typed arrays only, no
 * comparator callbacks (most users have a few dozen events).
 */
export function sortPairs(t: Float64Array, p: Uint32Array, a: number, b: number, scratch: Scratch): void {
  let sorted = true;
  for (let i = a + 1; i < b; i++) {
    if (t[i] < t[i - 1]) {
      sorted = false;
      break;
    }
  }
  if (sorted) return;
  const RUN = 32;
  for (let r = a; r < b; r += RUN) insertionPairs(t, p, r, Math.min(b, r + RUN));
  const len = b - a;
  if (len <= RUN) return;
  if (scratch.t.length < len) {
    scratch.t = new Float64Array(Math.max(len, scratch.t.length * 2));
    scratch.p = new Uint32Array(scratch.t.length);
  }
  let st = t;
  let sp = p;
  let so = a;
  let dt = scratch.t;
  let dp = scratch.p;
  let dO = 0;
  for (let width = RUN; width < len; width *= 2) {
    for (let lo = 0; lo < len; lo += 2 * width) {
      const mid = Math.min(lo + width, len);
      const hi = Math.min(lo + 2 * width, len);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        // Take the right run only when strictly smaller: that keeps the sort stable.
        if (st[so + j] < st[so + i]) {
          dt[dO + k] = st[so + j];
          dp[dO + k++] = sp[so + j++];
        } else {
          dt[dO + k] = st[so + i];
          dp[dO + k++] = sp[so + i++];
        }
      }
      for (; i < mid; i++, k++) {
        dt[dO + k] = st[so + i];
        dp[dO + k] = sp[so + i];
      }
      for (; j < hi; j++, k++) {
        dt[dO + k] = st[so + j];
        dp[dO + k] = sp[so + j];
      }
    }
    [st, dt] = [dt, st];
    [sp, dp] = [dp, sp];
    [so, dO] = [dO, so];
  }
  if (st !== t) {
    t.set(st.subarray(so, so + len), a);
    p.set(sp.subarray(so, so + len), a);
  }
}

function insertionPairs(t: Float64Array, p: Uint32Array, a: number, b: number): void {
  for (let i = a + 1; i < b; i++) {
    const v = p[i];
    const x = t[i];
    let j = i - 1;
    while (j >= a && t[j] > x) {
      t[j + 1] = t[j];
      p[j + 1] = p[j];
      j--;
    }
    t[j + 1] = x;
    p[j + 1] = v;
  }
}
