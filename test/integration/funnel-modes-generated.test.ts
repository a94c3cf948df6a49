import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunnelDefinitionInput, FunnelStep } from '../../src/shared/contract';
import { seededRandom as rng } from '../../src/core/random';
import { tempDir, tempEngine } from '../helpers/engine';
import { apiFetch, serverFor } from '../helpers/http';

/**
 * The modes on generated logs (many ties, steps that share events, repeated steps, multi-condition
 * steps), against a literal transcription of ClickHouse's windowFunnel walk: every (time, step)
 * pair of a user sorted, one pass, and for strict_once every chain with the rows it used (no
 * pruning). The engine groups ties and keeps one chain per step between instants; this checks
 * that it gives the same levels.
 */
interface Ev {
  idx: number;
  user: string;
  t: number;
  event: string;
  plat: string;
  seg: string;
}
interface Flags {
  order?: boolean;
  dedup?: boolean;
  once?: boolean;
  reentry?: boolean;
  increase?: boolean;
}

const BASE = Date.UTC(2026, 2, 1, 22, 0, 0);
const STEP = 30 * 60_000;

function generate(seed: number): Ev[] {
  const r = rng(seed);
  const evs: Ev[] = [];
  for (let u = 0; u < 500; u++) {
    const n = Math.floor(r() * 12);
    for (let i = 0; i < n; i++) {
      const t = BASE + Math.floor(r() * 40) * STEP + (r() < 0.1 ? 1000 : 0);
      evs.push({ idx: 0, user: `user${u}`, t, event: ['a', 'b', 'c', 'x'][Math.floor(r() * 4)], plat: r() < 0.5 ? 'ios' : 'web', seg: r() < 0.5 ? 'p' : 'q' });
    }
  }
  for (let i = evs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [evs[i], evs[j]] = [evs[j], evs[i]];
  }
  evs.forEach((e, i) => (e.idx = i));
  return evs;
}

type Cond = (e: Ev) => boolean;
const condOf = (s: FunnelStep): Cond => {
  const events = [s.event, ...(s.orEvents ?? [])];
  const where = s.where === undefined ? [] : Array.isArray(s.where) ? s.where : [s.where];
  return (e) => events.includes(e.event) && where.every((w) => w.values.includes(e[w.column as 'plat' | 'seg']));
};

/** ClickHouse's walk over one user's rows (in file order), as its source reads. */
function chLevel(evs: Ev[], conds: Cond[], W: number, o: Flags): number {
  const n = conds.length;
  const pairs: { t: number; c: number; uid: number }[] = [];
  evs.forEach((e, uid) => {
    let any = false;
    for (let i = n; i >= 1; i--) {
      if (conds[i - 1](e)) {
        pairs.push({ t: e.t, c: i, uid });
        any = true;
      }
    }
    if (o.order && !any) pairs.push({ t: e.t, c: 0, uid });
  });
  pairs.sort((x, y) => x.t - y.t || x.c - y.c || (o.once ? x.uid - y.uid : 0));
  const top = (has: (k: number) => boolean) => {
    for (let k = n; k > 0; k--) if (has(k - 1)) return k;
    return 0;
  };
  if (!o.once) {
    const ts: ({ first: number; last: number } | null)[] = new Array(n).fill(null);
    let started = false;
    for (const p of pairs) {
      const i = p.c - 1;
      if (i === -1) {
        if (started) break;
        continue;
      }
      if (i === 0) {
        if (o.order && !o.reentry && ts[1]) break;
        ts[0] = { first: p.t, last: p.t };
        started = true;
      } else if (o.dedup && ts[i]) break;
      else if (o.order && started && !ts[i - 1]) break;
      else if (ts[i - 1]) {
        const prev = ts[i - 1]!;
        if (p.t <= prev.first + W && (!o.increase || prev.last < p.t)) {
          ts[i] = { first: prev.first, last: p.t };
          if (i + 1 === n) break;
        }
      }
    }
    return top((k) => ts[k] !== null);
  }
  const seqs: { first: number; last: number; path: number[] }[][] = Array.from({ length: n }, () => []);
  let started = false;
  for (const p of pairs) {
    const i = p.c - 1;
    if (i === -1) {
      if (started) break;
      continue;
    }
    if (i === 0) {
      if (o.order && !o.reentry && seqs[1].length) break;
      seqs[0].push({ first: p.t, last: p.t, path: [p.uid] });
      started = true;
    } else if (o.dedup && seqs[i].length) break;
    else if (o.order && started && !seqs[i - 1].length) break;
    else {
      let done = false;
      for (const s of [...seqs[i - 1]]) {
        if (p.t <= s.first + W && !s.path.includes(p.uid) && (!o.increase || s.last < p.t)) {
          seqs[i].push({ first: s.first, last: p.t, path: [...s.path, p.uid] });
          if (i + 1 === n) done = true;
        }
      }
      if (done) break;
    }
  }
  return top((k) => seqs[k].length > 0);
}

const FUNNELS: { name: string; steps: FunnelStep[] }[] = [
  { name: 'a,b,c', steps: [{ event: 'a' }, { event: 'b' }, { event: 'c' }] },
  { name: 'a,b,a,c', steps: [{ event: 'a' }, { event: 'b' }, { event: 'a' }, { event: 'c' }] },
  { name: 'a|b,b[plat=ios],c', steps: [{ event: 'a', orEvents: ['b'] }, { event: 'b', where: { column: 'plat', values: ['ios'] } }, { event: 'c' }] },
  {
    name: 'a,b|c,c[plat=web,seg=p]',
    steps: [
      { event: 'a' },
      { event: 'b', orEvents: ['c'] },
      {
        event: 'c',
        where: [
          { column: 'plat', values: ['web'] },
          { column: 'seg', values: ['p'] },
        ],
      },
    ],
  },
];
const FLAGS: Flags[] = [
  { order: true },
  { dedup: true },
  { once: true },
  { order: true, reentry: true },
  { order: true, dedup: true },
  { once: true, dedup: true },
  { once: true, order: true },
  { once: true, increase: true },
  { order: true, increase: true },
  { dedup: true, increase: true },
  { order: true, reentry: true, dedup: true, once: true, increase: true },
];

const defFlags = (o: Flags): Partial<FunnelDefinitionInput> => ({
  strictOrder: o.order,
  strictDeduplication: o.dedup,
  strictOnce: o.once,
  allowReentry: o.reentry,
  strict: !!o.increase,
});

describe('funnel modes on generated logs, against ClickHouse walked literally', () => {
  const evs = generate(Number(process.env.FUNNEL_GEN_SEED ?? 11));
  const byUser = new Map<string, Ev[]>();
  for (const e of evs) byUser.set(e.user, [...(byUser.get(e.user) ?? []), e]);
  let ctx: ReturnType<typeof tempEngine>;
  let datasetId = '';
  const dir = tempDir();
  beforeAll(async () => {
    ctx = tempEngine();
    const file = path.join(dir, 'gen.csv');
    fs.writeFileSync(
      file,
      ['user_id,event_time,event_name,plat,seg', ...evs.map((e) => `${e.user},${new Date(e.t).toISOString()},${e.event},${e.plat},${e.seg}`)].join('\n'),
    );
    datasetId = (await ctx.engine.dispatch('datasets:import', { path: file })).id;
  });
  afterAll(() => {
    ctx.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const reference = (steps: FunnelStep[], W: number, o: Flags, keep: (e: Ev) => boolean = () => true, step1: Cond = () => true) => {
    const conds = steps.map(condOf);
    conds[0] = (
      (c) => (e: Ev) =>
        c(e) && step1(e)
    )(conds[0]);
    const users = new Array(steps.length).fill(0);
    for (const list of byUser.values()) {
      const lvl = chLevel(list.filter(keep), conds, W, o);
      for (let k = 0; k < lvl; k++) users[k]++;
    }
    return users;
  };

  for (const f of FUNNELS) {
    for (const [w, W] of [
      ['1h', 3_600_000],
      ['7d', 7 * 86_400_000],
    ] as const) {
      for (const o of FLAGS) {
        it(`${f.name} window ${w} ${JSON.stringify(o)}`, async () => {
          const res = await ctx.engine.dispatch('funnels:compute', { datasetId, definition: { steps: f.steps, window: w, ...defFlags(o) } });
          const ref = reference(f.steps, W, o);
          expect(res.stages.map((s) => s.users)).toEqual(ref);
          // (With strict-order and strictly increasing times, a,b,a,c stops at every a: a later step too early.)
          expect(ref[0]).toBeGreaterThan(0);
        });
      }
    }
  }

  it('with strict-order, a filtered-out row is not an "other event", a step-1 event outside the dates is', async () => {
    const steps = FUNNELS[0].steps;
    const o = { order: true };
    const inc = await ctx.engine.dispatch('funnels:compute', { datasetId, definition: { steps, window: '7d', include: { seg: ['p'] }, ...defFlags(o) } });
    expect(inc.stages.map((s) => s.users)).toEqual(reference(steps, 7 * 86_400_000, o, (e) => e.seg === 'p'));
    const day = await ctx.engine.dispatch('funnels:compute', {
      datasetId,
      definition: { steps, window: '7d', from: '2026-03-02', to: '2026-03-02', ...defFlags(o) },
    });
    const inRange = (e: Ev) => e.t >= Date.UTC(2026, 2, 2) && e.t < Date.UTC(2026, 2, 3);
    expect(day.stages.map((s) => s.users)).toEqual(reference(steps, 7 * 86_400_000, o, () => true, inRange));
  });

  it('refuses the modes outside any-start, and allow-reentry alone', async () => {
    const steps = FUNNELS[0].steps;
    await expect(ctx.engine.dispatch('funnels:compute', { datasetId, definition: { steps, mode: 'first-touch', strictOrder: true } })).rejects.toThrow(
      /any-start/,
    );
    await expect(ctx.engine.dispatch('funnels:compute', { datasetId, definition: { steps, allowReentry: true } })).rejects.toThrow(/strict-order/);
  });

  it('serves the modes and multi-condition steps over the HTTP API, with a 400 for a bad combination', async () => {
    const server = await serverFor(ctx.engine);
    try {
      const steps = FUNNELS[3].steps;
      const ok = await apiFetch(server, 'POST', '/api/v1/funnels/compute', {
        datasetId,
        definition: { steps, window: '1h', strictOnce: true, strictOrder: true },
      });
      expect(ok.status).toBe(200);
      expect(ok.json.stages.map((s: { users: number }) => s.users)).toEqual(reference(steps, 3_600_000, { once: true, order: true }));
      expect(ok.json.definition).toMatchObject({ strictOnce: true, strictOrder: true, steps });
      const bad = await apiFetch(server, 'POST', '/api/v1/funnels/compute', { datasetId, definition: { steps, allowReentry: true } });
      expect(bad.status).toBe(400);
      expect(bad.json.error.message).toMatch(/strict-order/);
      const unknown = await apiFetch(server, 'POST', '/api/v1/funnels/compute', {
        datasetId,
        definition: { steps: [{ event: 'a', orEvents: ['nope'] }, { event: 'b' }] },
      });
      expect(unknown.status).toBe(400);
      expect(unknown.json.error.message).toMatch(/Unknown event "nope" in step 1/);
    } finally {
      await server.close();
    }
  });

  it('strict-once on a crowded instant (date-only times): every step reached, and a repeated step needs distinct events', async () => {
    const file = path.join(dir, 'crowded.csv');
    const rows = ['user_id,day,event'];
    // u1: 200 events of each of a, b, c on one day; u2: a single x, matching both steps of x → x.
    for (const e of ['a', 'b', 'c']) for (let i = 0; i < 200; i++) rows.push(`u1,2026-03-01,${e}`);
    rows.push('u2,2026-03-01,x', 'u3,2026-03-01,x', 'u3,2026-03-01,x', 'u3,2026-03-01,a');
    fs.writeFileSync(file, rows.join('\n') + '\n');
    const ds = await ctx.engine.dispatch('datasets:import', { path: file, mapping: { user: 'user_id', time: 'day', event: 'event' } });
    const abc = await ctx.engine.dispatch('funnels:compute', {
      datasetId: ds.id,
      definition: { steps: [{ event: 'a' }, { event: 'b' }, { event: 'c' }], strictOnce: true },
    });
    expect(abc.stages.map((s) => s.users)).toEqual([2, 1, 1]);
    const xx = await ctx.engine.dispatch('funnels:compute', { datasetId: ds.id, definition: { steps: [{ event: 'x' }, { event: 'x' }], strictOnce: true } });
    // u2's one x serves one step; u3's two x serve both (the default mode gives both users 2).
    expect(xx.stages.map((s) => s.users)).toEqual([2, 1]);
  });
});
