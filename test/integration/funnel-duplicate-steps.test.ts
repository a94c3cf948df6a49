import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempEngine } from '../helpers/engine';

/**
 * Issue 15, item 6: a funnel with a repeated step showed a drop-off of -16,896.7%. The step editor
 * now refuses an accidental repeat (test/e2e/dashboard-switch.test.ts); the engine keeps
 * ClickHouse's windowFunnel semantics for a deliberate one (a → b → a: came back to a), so its
 * stages must still be a funnel: never more users than the stage before, drop-offs in [0, 100].
 */
describe('a funnel that repeats a step stays a funnel', () => {
  let ctx: ReturnType<typeof tempEngine>;
  let datasetId: string;
  beforeAll(async () => {
    ctx = tempEngine();
    datasetId = (await ctx.engine.dispatch('datasets:import', { path: 'sample' })).id;
  });
  afterAll(() => ctx.cleanup());

  for (const steps of [
    ['pin_view', 'save', 'pin_view'],
    ['pin_view', 'save', 'save', 'purchase'],
  ]) {
    it(steps.join(' → '), async () => {
      const r = await ctx.engine.dispatch('funnels:compute', { datasetId, definition: { steps: steps.map((event) => ({ event })) } });
      expect(r.stages.map((s) => s.stage_name)).toEqual(steps);
      for (let k = 1; k < r.stages.length; k++) {
        expect(r.stages[k].users).toBeLessThanOrEqual(r.stages[k - 1].users);
        expect(r.stages[k].drop_off_rate).toBeGreaterThanOrEqual(0);
        expect(r.stages[k].drop_off_rate).toBeLessThanOrEqual(100);
      }
      const insights = await ctx.engine.dispatch('analytics:recommendations', { datasetId, definition: { steps: steps.map((event) => ({ event })) } });
      expect(insights.insights.length).toBeGreaterThan(0);
      expect(JSON.stringify(insights)).not.toMatch(/-\d[\d,]*(\.\d+)?%/);
    });
  }

  it('keeps the same event with different step filters as different steps', async () => {
    const r = await ctx.engine.dispatch('funnels:compute', {
      datasetId,
      definition: {
        steps: [
          { event: 'pin_view' },
          { event: 'save', where: { column: 'platform', values: ['iOS'] } },
          { event: 'save', where: { column: 'platform', values: ['Web'] } },
        ],
      },
    });
    expect(r.stages).toHaveLength(3);
  });
});
