import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANOMALY_DAY, TRADEOFF_FROM } from '../../scripts/generate-sample';
import { tempEngine } from '../helpers/engine';

const steps = ['pin_view', 'save', 'click', 'purchase'].map((event) => ({ event }));

describe('shipped sample (resources/samples/pinterest_events.csv)', () => {
  let ctx: ReturnType<typeof tempEngine>;
  let id = '';
  beforeAll(async () => {
    ctx = tempEngine();
    id = (await ctx.engine.dispatch('datasets:import', { path: 'sample' })).id;
  });
  afterAll(() => ctx.cleanup());

  it('is an event log of 100k–300k events over 6+ weeks with the four steps and four segments', async () => {
    const ds = await ctx.engine.dispatch('datasets:get', { id });
    expect(ds.kind).toBe('event_log');
    expect(ds.rowCount).toBeGreaterThanOrEqual(100_000);
    expect(ds.rowCount).toBeLessThanOrEqual(300_000);
    const days = (Date.parse(ds.timeRange!.end) - Date.parse(ds.timeRange!.start)) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(42);
    expect(ds.events.map((e) => e.name)).toEqual(expect.arrayContaining(['pin_view', 'save', 'click', 'purchase']));
    expect(ds.columns.filter((c) => c.role === 'segment').map((c) => c.name)).toEqual(['user_intent', 'surface', 'user_tenure', 'platform']);
    expect(ds.warnings).toEqual([]);
  });

  it('shows the planted click drop of the users who start on the anomaly day (a cohort effect)', async () => {
    const res = await ctx.engine.dispatch('funnels:compute', { datasetId: id, definition: { steps } });
    const ratio = (d: { users: number[] }) => d.users[2] / d.users[1];
    const day = res.daily.find((d) => d.date === ANOMALY_DAY)!;
    const others = res.daily.filter((d) => d.date !== ANOMALY_DAY && d.date >= '2026-01-26' && d.date <= '2026-02-20');
    const mean = others.reduce((a, d) => a + ratio(d), 0) / others.length;
    expect(ratio(day)).toBeLessThan(mean * 0.85);
    expect(Math.min(...others.map(ratio))).toBeGreaterThan(ratio(day));
  });

  it('shows the planted segment trade-off between the two periods', async () => {
    const late = await ctx.engine.dispatch('funnels:compute', {
      datasetId: id,
      definition: { steps, breakdown: 'user_intent', from: TRADEOFF_FROM, to: '2026-02-22' },
    });
    const early = await ctx.engine.dispatch('funnels:compute', {
      datasetId: id,
      definition: { steps, breakdown: 'user_intent', from: '2026-01-05', to: '2026-01-25' },
    });
    const step = (r: typeof late, seg: string, k: number) => r.segment_breakdown![seg].stages[k].step_conversion_rate;
    expect(step(early, 'Planner', 1) - step(late, 'Planner', 1)).toBeGreaterThan(6);
    expect(step(late, 'Actor', 2) - step(early, 'Actor', 2)).toBeGreaterThan(8);
    expect(Math.abs(late.overall_conversion_rate - late.previous_period!.overall_conversion_rate)).toBeLessThan(1);
  });
});
