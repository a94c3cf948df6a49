import type { FunnelResult } from '../../shared/contract';
import { holm } from '../stats/multiple';
import { twoProportionZTest } from '../stats/proportions';

/** Below this many users in a segment (or in the rest) a rate is not compared: it says too little. */
export const MIN_SEGMENT_USERS = 30;
const ALPHA = 0.05;

type Tests = NonNullable<FunnelResult['segment_tests']>;

/**
 * Each segment's overall conversion against every other user's, so a table of segment rates can
 * say which differences are more than noise: pooled two-proportion z-tests, Holm-corrected over
 * the segments tested. Segments partition the users (each user has one value, by their first
 * step), so "the rest" is the total minus the segment.
 */
export function segmentTests(r: Pick<FunnelResult, 'segment_breakdown' | 'total_users' | 'completed_users'>): Tests | undefined {
  if (!r.segment_breakdown) return undefined;
  const entries = Object.entries(r.segment_breakdown);
  const out: Tests = {};
  const tested: { key: string; p: number }[] = [];
  for (const [key, seg] of entries) {
    const restN = r.total_users - seg.total_users;
    const restX = r.completed_users - seg.completed_users;
    const base = { users: seg.total_users, p_value: null, p_adjusted: null, significant: false };
    if (seg.total_users < MIN_SEGMENT_USERS) {
      out[key] = { ...base, reason: `only ${seg.total_users} users: too few to compare` };
      continue;
    }
    if (restN < MIN_SEGMENT_USERS || restX < 0 || restX > restN) {
      out[key] = { ...base, reason: 'no comparable rest of users' };
      continue;
    }
    try {
      const t = twoProportionZTest({ successes: restX, n: restN }, { successes: seg.completed_users, n: seg.total_users });
      tested.push({ key, p: t.p_value });
      out[key] = { ...base, p_value: t.p_value, reason: null };
    } catch (e) {
      out[key] = { ...base, reason: e instanceof Error ? e.message : 'not testable' };
    }
  }
  const adjusted = holm(tested.map((t) => t.p));
  tested.forEach((t, i) => {
    out[t.key] = { ...out[t.key], p_adjusted: adjusted[i], significant: adjusted[i] < ALPHA };
  });
  return out;
}
