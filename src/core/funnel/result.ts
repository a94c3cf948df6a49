import type { FunnelCore } from '../../shared/contract';

const r2 = (x: number) => Math.round(x * 100) / 100;
const pct = (a: number, b: number) => (b > 0 ? r2((a / b) * 100) : 0);

/** Stage metrics in the seed's shape from users per stage. */
export function coreFromUsers(users: number[], names: string[]): FunnelCore {
  const first = users[0] ?? 0;
  const last = users[users.length - 1] ?? 0;
  return {
    stages: names.map((stage_name, k) => {
      const step = k === 0 ? (first > 0 ? 100 : 0) : pct(users[k], users[k - 1]);
      return {
        stage_name,
        users: users[k],
        conversion_rate: pct(users[k], first),
        step_conversion_rate: step,
        drop_off_rate: k === 0 ? 0 : users[k - 1] > 0 ? r2(100 - step) : 0,
      };
    }),
    overall_conversion_rate: pct(last, first),
    total_users: first,
    completed_users: last,
  };
}

/** Users per stage from a histogram of levels (index = level 0..n). */
export function usersFromLevels(levels: ArrayLike<number>, offset: number, nSteps: number): number[] {
  const users = new Array<number>(nSteps).fill(0);
  let acc = 0;
  for (let k = nSteps; k >= 1; k--) {
    acc += levels[offset + k];
    users[k - 1] = acc;
  }
  return users;
}

/** Linear-interpolated quantile of sorted values (the usual "type 7"). */
export function quantile(sorted: Float64Array, q: number): number | null {
  if (!sorted.length) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * quantile(sorted, q) for each q, from unsorted values (reordered in place): only the few order
 * statistics the quantiles read are selected (Wirth's partition), instead of sorting them all,
 * which took most of a re-filter's post-processing on 10M events.
 */
export function quantiles(values: Float64Array, qs: number[]): (number | null)[] {
  const n = values.length;
  if (!n) return qs.map(() => null);
  if (n >= 4096) {
    const r = radixQuantiles(values, qs);
    if (r) return r;
  }
  const wanted = new Set<number>();
  for (const q of qs) {
    const lo = Math.floor((n - 1) * q);
    wanted.add(lo);
    wanted.add(Math.min(lo + 1, n - 1));
  }
  // Each selection leaves everything before its position no larger and everything after no
  // smaller, so the next (larger) position only needs the part to its right.
  let from = 0;
  for (const k of [...wanted].sort((a, b) => a - b)) {
    select(values, k, from, n - 1);
    from = k + 1;
  }
  return qs.map((q) => quantile(values, q));
}

/**
 * quantiles() for many non-negative values (times to convert): a double's bits, read as an
 * integer, order like the double, so one histogram of the top 16 bits finds the few buckets
 * that hold the wanted order statistics, and only those values are sorted. Two passes instead
 * of the partitioning's many. Null (use the general way) when a value is negative or NaN.
 */
function radixQuantiles(values: Float64Array, qs: number[]): number[] | null {
  const n = values.length;
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  const counts = new Uint32Array(65536);
  for (let i = 0; i < n; i++) {
    // High word (little-endian): sign, exponent, top of the mantissa.
    const h = words[2 * i + 1];
    if (h >>> 31 !== 0 || values[i] !== values[i]) return null;
    counts[h >>> 16]++;
  }
  const ranks = [...new Set(qs.flatMap((q) => [Math.floor((n - 1) * q), Math.min(Math.floor((n - 1) * q) + 1, n - 1)]))].sort((a, b) => a - b);
  // Bucket of each wanted rank, and how many values lie in lower buckets.
  const bucketOf = new Map<number, { bucket: number; below: number }>();
  let below = 0;
  let r = 0;
  for (let b = 0; b < 65536 && r < ranks.length; b++) {
    while (r < ranks.length && ranks[r] < below + counts[b]) bucketOf.set(ranks[r++], { bucket: b, below });
    below += counts[b];
  }
  const wanted = new Map<number, Float64Array>();
  const fill = new Map<number, number>();
  for (const { bucket } of bucketOf.values())
    if (!wanted.has(bucket)) {
      wanted.set(bucket, new Float64Array(counts[bucket]));
      fill.set(bucket, 0);
    }
  const isWanted = new Uint8Array(65536);
  for (const b of wanted.keys()) isWanted[b] = 1;
  for (let i = 0; i < n; i++) {
    const b = words[2 * i + 1] >>> 16;
    if (isWanted[b] === 0) continue;
    const k = fill.get(b)!;
    wanted.get(b)![k] = values[i];
    fill.set(b, k + 1);
  }
  for (const arr of wanted.values()) arr.sort();
  const at = (rank: number) => {
    const { bucket, below: lower } = bucketOf.get(rank)!;
    return wanted.get(bucket)![rank - lower];
  };
  return qs.map((q) => {
    const pos = (n - 1) * q;
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, n - 1);
    return at(lo) + (at(hi) - at(lo)) * (pos - lo);
  });
}

function select(a: Float64Array, k: number, lo: number, hi: number): void {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const x = median3(a[lo], a[mid], a[hi]);
    let i = lo;
    let j = hi;
    do {
      while (a[i] < x) i++;
      while (x < a[j]) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) lo = i;
    if (k < i) hi = j;
  }
}

function median3(a: number, b: number, c: number): number {
  return a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
}
