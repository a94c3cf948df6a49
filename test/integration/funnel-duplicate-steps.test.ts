import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempEngine } from '../helpers/engine';

describe('a funnel that repeats a step is refused with a message (issue 15, item 6)', () => {
  let ctx: ReturnType<typeof tempEngine>;
  let datasetId: string;
  beforeAll(async () => {
    ctx = tempEngine();
    datasetId = (await ctx.engine.dispatch('datasets:import', { path: 'sample' })).id;
  });
  afterAll(() => ctx.cleanup());

  it('names the repeated step', async () => {
    const steps = ['pin_view', 'save', 'pin_view'].map((event) => ({ event }));
    await expect(ctx.engine.dispatch('funnels:compute', { datasetId, definition: { steps } })).rejects.toMatchObject({ kind: 'validation', message: expect.stringMatching(/Step 3 repeats step 1 \("pin_view"\)/) });
    await expect(ctx.engine.dispatch('funnels:create', { datasetId, name: 'x', definition: { steps } }).then((f) => ctx.engine.dispatch('funnels:compute', { funnelId: f.id }))).rejects.toThrow(/repeats step 1/);
  });

  it('still accepts the same event with a different step filter', async () => {
    const r = await ctx.engine.dispatch('funnels:compute', { datasetId, definition: { steps: [{ event: 'pin_view' }, { event: 'save', where: { column: 'platform', values: ['iOS'] } }, { event: 'save', where: { column: 'platform', values: ['Web'] } }] } });
    expect(r.stages).toHaveLength(3);
  });
});
