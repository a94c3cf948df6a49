import type { FunnelResult } from '../../shared/contract';

/** Days further than this from the rest of the data are "isolated": a stray row, not a period. */
export const ISOLATION_DAYS = 14;

export function dayGap(a: string, b: string): number {
  return Math.round((Date.parse(b.slice(0, 10)) - Date.parse(a.slice(0, 10))) / 86_400_000);
}

/** The run of days between gaps longer than ISOLATION_DAYS that holds the most entrants ([from, to) into `days`). */
export function denseBlock(days: readonly { date: string; users: readonly number[] }[]): { from: number; to: number } {
  let best = { from: 0, to: days.length, users: -1 };
  let from = 0;
  let users = 0;
  for (let i = 0; i <= days.length; i++) {
    if (i === days.length || (i > from && dayGap(days[i - 1].date, days[i].date) > ISOLATION_DAYS)) {
      if (users > best.users) best = { from, to: i, users };
      from = i;
      users = 0;
    }
    if (i < days.length) users += days[i].users[0] ?? 0;
  }
  return { from: best.from, to: best.to };
}

/**
 * One stray event months away from the rest would stretch the funnel's period and its daily
 * axis: when the daily series has isolated days, the range of the main block and what lies
 * outside it, so the Dashboard can say so and offer that range. Undefined when there are none.
 */
export function denseRange(daily: FunnelResult['daily']): FunnelResult['dense_range'] {
  const days = daily.filter((d) => (d.users[0] ?? 0) > 0);
  if (days.length < 2) return undefined;
  const { from, to } = denseBlock(days);
  if (from === 0 && to === days.length) return undefined;
  const outside = [...days.slice(0, from), ...days.slice(to)];
  return {
    start: days[from].date.slice(0, 10),
    end: days[to - 1].date.slice(0, 10),
    left_out_days: outside.map((d) => d.date.slice(0, 10)),
    left_out_users: outside.reduce((a, d) => a + (d.users[0] ?? 0), 0),
  };
}
