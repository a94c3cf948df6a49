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
