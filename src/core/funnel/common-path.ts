import type { SuggestedFunnel } from '../../shared/contract';
import type { ColumnSource } from '../store-types';

const MAX_STEPS = 5;
/** A step is added only while at least this share of the path's users take it (else the path is noise). */
const MIN_SHARE = 0.01;

/**
 * The most common event path of an event log, for a first funnel: each user's events reduced to
 * the order in which each event name first appears, then, greedily, the most common first event,
 * the most common next new event among users who had it, and so on. Rows are stored by user and
 * time, so one pass over them gives every user's sequence.
 */
export function commonEventPath(store: ColumnSource): SuggestedFunnel {
  const m = store.manifest;
  if (m.kind !== 'event_log' || !m.eventColumn) return { steps: [], users: [], totalUsers: m.users };
  const ev = store.column(m.eventColumn);
  const starts = store.userStart;
  const seqs: Uint32Array[] = [];
  const seen = new Set<number>();
  for (let u = 0; u + 1 < starts.length; u++) {
    seen.clear();
    const seq: number[] = [];
    for (let i = starts[u]; i < starts[u + 1] && seq.length < MAX_STEPS + 1; i++) {
      const c = ev.codes[i];
      if (!seen.has(c)) {
        seen.add(c);
        seq.push(c);
      }
    }
    if (seq.length) seqs.push(Uint32Array.from(seq));
  }
  const steps: number[] = [];
  const users: number[] = [];
  // Users whose sequence starts with the path so far.
  let pool = seqs;
  while (steps.length < MAX_STEPS) {
    const counts = new Map<number, number>();
    for (const s of pool) if (s.length > steps.length) counts.set(s[steps.length], (counts.get(s[steps.length]) ?? 0) + 1);
    let best = -1;
    let bestN = 0;
    // Ties go to the alphabetically first name, so the answer never depends on dictionary order.
    for (const [c, n] of counts) if (n > bestN || (n === bestN && ev.dict[c] < ev.dict[best])) [best, bestN] = [c, n];
    if (best < 0 || (users.length > 0 && bestN < Math.max(1, users[0] * MIN_SHARE))) break;
    steps.push(best);
    users.push(bestN);
    const at = steps.length - 1;
    pool = pool.filter((s) => s.length > at && s[at] === best);
  }
  if (steps.length < 2) return { steps: [], users: [], totalUsers: m.users };
  return { steps: steps.map((c) => ev.dict[c]), users, totalUsers: m.users };
}
