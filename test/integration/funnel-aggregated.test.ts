import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, tempEngine } from '../helpers/engine';
import { SHARED_DATA } from '../helpers/shared';

const DATA = SHARED_DATA;
const STAGES = ['Pageviews', 'Clicks', 'Enrollments', 'Payments'];

/** Column sums read with a deliberately naive parser (independent of the importer). */
function udacitySums(file: string): { sums: number[]; firstDate: string } {
  const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  const header = lines[0].split(',');
  const rows = lines.slice(1).map((l) => {
    const m = /^"([^"]*)",(.*)$/.exec(l)!;
    return [m[1], ...m[2].split(',')];
  });
  const sums = STAGES.map((s) => rows.reduce((a, r) => a + (Number(r[header.indexOf(s)]) || 0), 0));
  return { sums, firstDate: rows[0][0] };
}

describe('aggregated and two-file imports', () => {
  let ctx: ReturnType<typeof tempEngine>;
  const dir = tempDir();
  beforeAll(() => {
    ctx = tempEngine();
  });
  afterAll(() => {
    ctx.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('Udacity control + experiment (BOM, CRLF, empty trailing cells) as one aggregated dataset by variant', async () => {
    const control = path.join(DATA, 'udacity_control_data.csv');
    const experiment = path.join(DATA, 'udacity_experiment_data.csv');
    const preview = await ctx.engine.dispatch('datasets:preview', { path: control });
    expect(preview.kind).toBe('aggregated');
    expect(preview.mapping.stages).toEqual(STAGES);
    expect(preview.notes.join(' ')).toMatch(/no year/);

    const ds = await ctx.engine.dispatch('datasets:import', {
      path: control,
      mapping: { constants: { variant: 'control' }, year: 2014 },
      also: [{ path: experiment, mapping: { constants: { variant: 'experiment' }, year: 2014 } }],
    });
    expect(ds.kind).toBe('aggregated');
    expect(ds.warnings.find((w) => w.reason === 'missing_count')?.count).toBe(2 * 14 * 2);

    const c = udacitySums(control);
    const e = udacitySums(experiment);
    const res = await ctx.engine.dispatch('funnels:compute', {
      datasetId: ds.id,
      definition: { steps: STAGES.map((event) => ({ event })), breakdown: 'variant' },
    });
    expect(res.stages.map((s) => s.users)).toEqual(c.sums.map((v, i) => v + e.sums[i]));
    expect(res.segment_breakdown!.control.stages.map((s) => s.users)).toEqual(c.sums);
    expect(res.segment_breakdown!.experiment.stages.map((s) => s.users)).toEqual(e.sums);
    expect(res.stages[1].step_conversion_rate).toBeCloseTo(((c.sums[1] + e.sums[1]) / (c.sums[0] + e.sums[0])) * 100, 2);
    // "Sat, Oct 11" with year 2014 is 2014-10-11 (a Saturday).
    expect(c.firstDate).toBe('Sat, Oct 11');
    expect(res.daily[0].date).toBe('2014-10-11');
    expect(res.daily[0].users[0]).toBe(7723 + 7716);
  });

  it('Olist: leads → closed deals, two files joined on mql_id, equal a DuckDB join', async () => {
    const leads = path.join(DATA, 'olist_marketing_qualified_leads_dataset.csv');
    const deals = path.join(DATA, 'olist_closed_deals_dataset.csv');
    const ds = await ctx.engine.dispatch('datasets:import', {
      path: leads,
      kind: 'event_log',
      mapping: { user: 'mql_id', time: 'first_contact_date', eventName: 'lead' },
      also: [{ path: deals, mapping: { user: 'mql_id', time: 'won_date', eventName: 'closed_deal' } }],
    });
    expect(ds.events.map((x) => x.name).sort()).toEqual(['closed_deal', 'lead']);
    const res = await ctx.engine.dispatch('funnels:compute', {
      datasetId: ds.id,
      definition: { steps: [{ event: 'lead' }, { event: 'closed_deal' }], window: 'none', breakdown: 'origin' },
    });

    const inst = await DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    const ref = (
      await con.runAndReadAll(`
      WITH l AS (SELECT mql_id, min(first_contact_date::TIMESTAMP) AS t, arg_min(origin, first_contact_date::TIMESTAMP) AS origin FROM read_csv('${leads}', header = true, all_varchar = true) GROUP BY mql_id),
           d AS (SELECT mql_id, max(won_date::TIMESTAMP) AS t FROM read_csv('${deals}', header = true, all_varchar = true) GROUP BY mql_id)
      SELECT coalesce(nullif(l.origin, ''), '(none)') AS origin, count(*) AS leads, count(d.mql_id) FILTER (WHERE d.t >= l.t) AS won
      FROM l LEFT JOIN d USING (mql_id) GROUP BY ALL ORDER BY 1`)
    ).getRows();
    con.closeSync();
    const total = ref.reduce<number[]>((a, r) => [a[0] + Number(r[1]), a[1] + Number(r[2])], [0, 0]);
    expect(res.stages.map((s) => s.users)).toEqual(total);
    expect(total[1]).toBeGreaterThan(800);
    const bySeg = Object.fromEntries(Object.entries(res.segment_breakdown!).map(([k, v]) => [k, v.stages.map((s) => s.users)]));
    expect(bySeg).toEqual(Object.fromEntries(ref.map((r) => [String(r[0]), [Number(r[1]), Number(r[2])]])));
  });

  it('the seed funnel_metrics JSON, with its own segment breakdown', async () => {
    const file = path.join(dir, 'seed.json');
    const stages = (n: number[]) => ['Pin View', 'Save', 'Click', 'Purchase'].map((stage_name, i) => ({ stage_name, users: n[i] }));
    fs.writeFileSync(
      file,
      JSON.stringify({
        funnel_metrics: {
          funnel_name: 'Pin View to Purchase',
          date_range: { start: '2026-01-01', end: '2026-01-31' },
          stages: stages([1000, 600, 300, 150]),
          overall_conversion_rate: 15,
          total_users: 1000,
          completed_users: 150,
        },
        segment_breakdown: { Planner: { stages: stages([500, 350, 200, 100]) }, Actor: { stages: stages([500, 250, 100, 50]) } },
        segment_by: 'user_intent',
      }),
    );
    const ds = await ctx.engine.dispatch('datasets:import', { path: file });
    expect(ds.kind).toBe('aggregated');
    expect(ds.format).toBe('seed_json');
    const res = await ctx.engine.dispatch('funnels:compute', {
      datasetId: ds.id,
      definition: { steps: ['Pin View', 'Save', 'Click', 'Purchase'].map((event) => ({ event })), breakdown: 'user_intent' },
    });
    expect(res.stages.map((s) => [s.users, s.conversion_rate, s.drop_off_rate])).toEqual([
      [1000, 100, 0],
      [600, 60, 40],
      [300, 30, 50],
      [150, 15, 50],
    ]);
    expect(res.segment_breakdown!.Planner.completed_users).toBe(100);
    expect(res.segment_breakdown!.Actor.overall_conversion_rate).toBe(10);
  });

  it('a long-form export (date, segment, stage, users) with filters and a previous period', async () => {
    const file = path.join(dir, 'long.csv');
    const rows = ['date;platform;stage;users'];
    for (const [d, k] of [
      ['2026-01-01', 1],
      ['2026-01-02', 2],
      ['2026-01-03', 3],
      ['2026-01-04', 4],
    ] as const) {
      for (const p of ['ios', 'web']) rows.push(`${d};${p};visit;${100 * k}`, `${d};${p};signup;${10 * k}`, `${d};${p};pay;${k}`);
    }
    fs.writeFileSync(file, rows.join('\n'));
    const pv = await ctx.engine.dispatch('datasets:preview', { path: file });
    expect(pv).toMatchObject({ kind: 'aggregated', delimiter: ';', mapping: { stage: 'stage', count: 'users', date: 'date' } });
    const ds = await ctx.engine.dispatch('datasets:import', { path: file });
    const res = await ctx.engine.dispatch('funnels:compute', {
      datasetId: ds.id,
      definition: { steps: [{ event: 'visit' }, { event: 'signup' }, { event: 'pay' }], include: { platform: ['ios'] }, from: '2026-01-03', to: '2026-01-04' },
    });
    expect(res.stages.map((s) => s.users)).toEqual([700, 70, 7]);
    expect(res.previous_period!.stages.map((s) => s.users)).toEqual([300, 30, 3]);
    expect(res.daily.map((d) => d.users[0])).toEqual([300, 400]);
  });

  it('a user-level table (Cookie Cats): steps are metric columns, broken down by variant', async () => {
    const file = path.join(DATA, 'cookie_cats.csv');
    const ds = await ctx.engine.dispatch('datasets:import', { path: file });
    expect(ds.kind).toBe('user_table');
    const res = await ctx.engine.dispatch('funnels:compute', {
      datasetId: ds.id,
      definition: { steps: [{ event: 'sum_gamerounds' }, { event: 'retention_1' }, { event: 'retention_7' }], breakdown: 'version' },
    });
    const rows = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const ref = (v?: string) => {
      const rs = rows.filter((r) => !v || r[1] === v);
      const a = rs.filter((r) => Number(r[2]) > 0);
      const b = a.filter((r) => r[3].trim() === 'True');
      const c = b.filter((r) => r[4].trim() === 'True');
      return [a.length, b.length, c.length];
    };
    expect(res.stages.map((s) => s.users)).toEqual(ref());
    expect(res.segment_breakdown!.gate_30.stages.map((s) => s.users)).toEqual(ref('gate_30'));
    expect(res.segment_breakdown!.gate_40.stages.map((s) => s.users)).toEqual(ref('gate_40'));
  });
});
