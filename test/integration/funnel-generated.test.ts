import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunnelDefinitionInput } from '../../src/shared/contract';
import { tempDir, tempEngine } from '../helpers/engine';
import { seededRandom as rng } from '../../src/core/random';

/**
 * Generated logs built to hit the edge cases (ties, same-second events, unsorted rows, events
 * exactly on the window boundary, users with only later steps), checked against a brute-force
 * reference that enumerates chains literally from the definition in docs/funnel-semantics.md.
 */
interface Ev {
  idx: number;
  user: string;
  t: number;
  event: string;
  seg: string;
  plat: string;
}

const BASE = Date.UTC(2026, 2, 1, 22, 0, 0); // 22:00 UTC so chains cross midnight
const STEP = 30 * 60_000; // times on a 30-minute grid: many exact ties and exact window boundaries
const NAMES = ['a', 'b', 'c', 'd', 'x'];

function generate(seed: number): Ev[] {
  const r = rng(seed);
  const evs: Ev[] = [];
  for (let u = 0; u < 400; u++) {
    const n = Math.floor(r() * 12);
    const onlyLater = u % 17 === 0;
    for (let i = 0; i < n; i++) {
      let event = NAMES[Math.floor(r() * NAMES.length)];
      if (onlyLater && event === 'a') event = 'b';
      const t = BASE + Math.floor(r() * 100) * STEP + (r() < 0.1 ? 1000 : 0);
      evs.push({ idx: 0, user: `user${u}`, t, event, seg: ['p', 'q', ''][Math.floor(r() * 3)], plat: ['ios', 'web'][Math.floor(r() * 2)] });
    }
  }
  // Unsorted rows: a shuffled file.
  for (let i = evs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [evs[i], evs[j]] = [evs[j], evs[i]];
  }
  evs.forEach((e, i) => (e.idx = i));
  return evs;
}

interface RefDef {
  steps: { event: string; plat?: string }[];
  windowMs: number;
  mode: 'any-start' | 'first-touch' | 'unordered';
  strict: boolean;
  from?: number;
  to?: number;
  includeSeg?: string[];
}

/** Literal definition: the largest k with events e1..ek matching steps 1..k, ordered in time, within the window. */
function refLevel(evs: Ev[], d: RefDef): { level: number; first: Ev | null } {
  const ok = (e: Ev, k: number) => {
    const s = d.steps[k];
    if (e.event !== s.event || (s.plat && e.plat !== s.plat)) return false;
    if (d.includeSeg && !d.includeSeg.includes(e.seg)) return false;
    if (k === 0 && ((d.from !== undefined && e.t < d.from) || (d.to !== undefined && e.t >= d.to))) return false;
    return true;
  };
  const starts = evs.filter((e) => ok(e, 0)).sort((x, y) => x.t - y.t || x.idx - y.idx);
  if (!starts.length) return { level: 0, first: null };
  const n = d.steps.length;
  let best = 1;
  if (d.mode === 'unordered') {
    const cand = evs.filter((e) => d.steps.some((_, k) => ok(e, k)));
    for (const lo of cand) {
      const inWin = cand.filter((e) => e.t >= lo.t && e.t - lo.t <= d.windowMs);
      let k = 0;
      while (k < n && inWin.some((e) => ok(e, k))) k++;
      best = Math.max(best, k);
    }
    return { level: best, first: starts[0] };
  }
  const dfs = (k: number, prevT: number, startT: number, used: Set<Ev>): number => {
    if (k === n) return n;
    let m = k;
    for (const e of evs) {
      if (used.has(e) || !ok(e, k)) continue;
      if (d.strict ? e.t <= prevT : e.t < prevT) continue;
      if (e.t - startT > d.windowMs) continue;
      used.add(e);
      m = Math.max(m, dfs(k + 1, e.t, startT, used));
      used.delete(e);
      if (m === n) break;
    }
    return m;
  };
  const firsts = d.mode === 'first-touch' ? [starts[0]] : starts;
  for (const s of firsts) best = Math.max(best, dfs(1, s.t, s.t, new Set([s])));
  return { level: best, first: starts[0] };
}

function reference(evs: Ev[], d: RefDef, bySeg = false) {
  const byUser = new Map<string, Ev[]>();
  for (const e of evs) byUser.set(e.user, [...(byUser.get(e.user) ?? []), e]);
  const n = d.steps.length;
  const users = new Array(n).fill(0);
  const segs: Record<string, number[]> = {};
  for (const list of byUser.values()) {
    const { level, first } = refLevel(list, d);
    for (let k = 0; k < level; k++) users[k]++;
    if (bySeg && first) {
      const key = first.seg || '(none)';
      segs[key] ??= new Array(n).fill(0);
      for (let k = 0; k < level; k++) segs[key][k]++;
    }
  }
  return { users, segs };
}

describe('funnel engine on generated edge-case logs', () => {
  const evs = generate(Number(process.env.FUNNEL_GEN_SEED ?? 7));
  let ctx: ReturnType<typeof tempEngine>;
  let datasetId = '';
  const dir = tempDir();
  beforeAll(async () => {
    ctx = tempEngine();
    const file = path.join(dir, 'gen.csv');
    const lines = evs.map((e) => `${e.user},${new Date(e.t).toISOString()},${e.event},${e.seg},${e.plat}`);
    fs.writeFileSync(file, ['user_id,event_time,event_name,seg,plat', ...lines].join('\r\n'));
    datasetId = (await ctx.engine.dispatch('datasets:import', { path: file })).id;
  });
  afterAll(() => {
    ctx.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const cases: { name: string; def: FunnelDefinitionInput; ref: RefDef }[] = [];
  const steps3 = ['a', 'b', 'c'];
  for (const mode of ['any-start', 'first-touch', 'unordered'] as const) {
    for (const [w, ms] of [
      ['1h', 3_600_000],
      ['90m', 5_400_000],
      ['7d', 7 * 86_400_000],
      ['none', Infinity],
    ] as const) {
      for (const strict of mode === 'unordered' ? [false] : [false, true]) {
        cases.push({
          name: `${mode} window=${w}${strict ? ' strict' : ''}`,
          def: { steps: steps3.map((event) => ({ event })), window: w, mode, strict },
          ref: { steps: steps3.map((event) => ({ event })), windowMs: ms, mode, strict },
        });
      }
    }
  }
  cases.push({
    name: 'four steps, step filter, include filter and a date range',
    def: {
      steps: [{ event: 'a' }, { event: 'b', where: { column: 'plat', values: ['ios'] } }, { event: 'c' }, { event: 'd' }],
      window: '2h',
      include: { seg: ['p', 'q'] },
      from: '2026-03-02',
      to: '2026-03-02',
    },
    ref: {
      steps: [{ event: 'a' }, { event: 'b', plat: 'ios' }, { event: 'c' }, { event: 'd' }],
      windowMs: 7_200_000,
      mode: 'any-start',
      strict: false,
      includeSeg: ['p', 'q'],
      from: Date.UTC(2026, 2, 2),
      to: Date.UTC(2026, 2, 3),
    },
  });

  for (const c of cases) {
    it(c.name, async () => {
      const res = await ctx.engine.dispatch('funnels:compute', { datasetId, definition: c.def });
      const ref = reference(evs, c.ref);
      expect(res.stages.map((s) => s.users)).toEqual(ref.users);
      expect(ref.users[0]).toBeGreaterThan(0);
    });
  }

  it('breaks down by the segment of the first step-1 event, (none) when empty', async () => {
    const res = await ctx.engine.dispatch('funnels:compute', {
      datasetId,
      definition: { steps: steps3.map((event) => ({ event })), window: '3h', breakdown: 'seg' },
    });
    const ref = reference(evs, { steps: steps3.map((event) => ({ event })), windowMs: 3 * 3_600_000, mode: 'any-start', strict: false }, true);
    const got = Object.fromEntries(Object.entries(res.segment_breakdown!).map(([k, v]) => [k, v.stages.map((s) => s.users)]));
    expect(got).toEqual(ref.segs);
    expect(Object.keys(got)).toContain('(none)');
  });

  it('counts the day of the first step-1 event in the chosen time zone', async () => {
    const def = { steps: steps3.map((event) => ({ event })), window: '7d', tz: 'Asia/Tokyo' };
    const res = await ctx.engine.dispatch('funnels:compute', { datasetId, definition: def });
    const byUser = new Map<string, Ev[]>();
    for (const e of evs) byUser.set(e.user, [...(byUser.get(e.user) ?? []), e]);
    const days: Record<string, number> = {};
    const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' });
    for (const list of byUser.values()) {
      const first = list.filter((e) => e.event === 'a').sort((x, y) => x.t - y.t)[0];
      if (first) days[fmt.format(first.t)] = (days[fmt.format(first.t)] ?? 0) + 1;
    }
    expect(Object.fromEntries(res.daily.map((d) => [d.date, d.users[0]]))).toEqual(days);
    const sum = res.daily.reduce((a, d) => a + d.users[2], 0);
    expect(sum).toBe(res.completed_users);
  });

  it('compares with the previous period of equal length', async () => {
    const steps = steps3.map((event) => ({ event }));
    const cur = await ctx.engine.dispatch('funnels:compute', { datasetId, definition: { steps, window: '2h', from: '2026-03-03', to: '2026-03-03' } });
    const ref = reference(evs, { steps, windowMs: 7_200_000, mode: 'any-start', strict: false, from: Date.UTC(2026, 2, 2), to: Date.UTC(2026, 2, 3) });
    expect(cur.previous_period?.date_range).toEqual({ start: '2026-03-02', end: '2026-03-02' });
    expect(cur.previous_period?.stages.map((s) => s.users)).toEqual(ref.users);
  });

  it('reports time to convert per step from the chains', async () => {
    const res = await ctx.engine.dispatch('funnels:compute', { datasetId, definition: { steps: [{ event: 'a' }, { event: 'b' }], window: '1h' } });
    const ttc = res.time_to_convert[0];
    expect(ttc.users).toBe(res.stages[1].users);
    // On a 30-minute grid (plus a few 1 s offsets) a 1 h window allows gaps of 0 to 3601 s.
    expect(ttc.p25_seconds!).toBeGreaterThanOrEqual(0);
    expect(ttc.p90_seconds!).toBeLessThanOrEqual(3601);
    expect(ttc.median_seconds!).toBeGreaterThanOrEqual(ttc.p25_seconds!);
  });
});
