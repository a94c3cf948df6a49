import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, tempEngine } from '../helpers/engine';

/** Two-sided normal p-value from an independent erfc (Numerical Recipes' erfcc, |error| < 1.2e-7). */
function pTwoSided(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return erfc;
}

describe('segment comparison: sample size and significance per segment (issue 15, item 6)', () => {
  let ctx: ReturnType<typeof tempEngine>;
  const dir = tempDir();
  let datasetId: string;
  // Planner 400 users, 40% buy; Actor 400 users, 25% buy; Tiny 7 users, 3 buy (42.9%).
  const groups = [
    ['Planner', 400, 160],
    ['Actor', 400, 100],
    ['Tiny', 7, 3],
  ] as const;
  beforeAll(async () => {
    ctx = tempEngine();
    const rows = ['user_id,timestamp,event,intent'];
    let u = 0;
    for (const [seg, n, buyers] of groups) {
      for (let i = 0; i < n; i++, u++) {
        rows.push(`u${u},2026-03-02T10:00:00Z,view,${seg}`);
        if (i < buyers) rows.push(`u${u},2026-03-02T10:05:00Z,buy,${seg}`);
      }
    }
    const file = path.join(dir, 'seg.csv');
    fs.writeFileSync(file, rows.join('\n'));
    datasetId = (await ctx.engine.dispatch('datasets:import', { path: file })).id;
  });
  afterAll(() => {
    ctx.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('tests each segment against the rest, Holm-corrected, and does not test a 7-user segment', async () => {
    const r = await ctx.engine.dispatch('funnels:compute', { datasetId, definition: { steps: [{ event: 'view' }, { event: 'buy' }], breakdown: 'intent' } });
    const t = r.segment_tests!;
    expect(t.Tiny).toMatchObject({ users: 7, p_value: null, significant: false });
    expect(t.Tiny.reason).toMatch(/too few/);
    const total = groups.reduce((a, g) => a + g[1], 0);
    const done = groups.reduce((a, g) => a + g[2], 0);
    const raw = groups.slice(0, 2).map(([, n, x]) => {
      const rn = total - n;
      const rx = done - x;
      const pooled = (x + rx) / (n + rn);
      const z = (x / n - rx / rn) / Math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / rn));
      return pTwoSided(z);
    });
    expect(t.Planner.p_value!).toBeCloseTo(raw[0], 6);
    expect(t.Actor.p_value!).toBeCloseTo(raw[1], 6);
    // Holm over two tests: the smaller p doubled, the larger kept (but never below the first).
    const [lo, hi] = raw[0] < raw[1] ? [0, 1] : [1, 0];
    const adj = [0, 0];
    adj[lo] = Math.min(1, 2 * raw[lo]);
    adj[hi] = Math.max(adj[lo], Math.min(1, raw[hi]));
    expect(t.Planner.p_adjusted!).toBeCloseTo(adj[0], 6);
    expect(t.Actor.p_adjusted!).toBeCloseTo(adj[1], 6);
    expect(t.Planner.significant).toBe(adj[0] < 0.05);
    expect(t.Actor.significant).toBe(adj[1] < 0.05);
  });
});
