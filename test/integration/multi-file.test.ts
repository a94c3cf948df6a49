import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, tempEngine } from '../helpers/engine';
import { HAS_SHARED_DATA, NO_SHARED_DATA, sharedData } from '../helpers/shared';

const CONTROL = sharedData('udacity_control_data.csv');
const EXPERIMENT = sharedData('udacity_experiment_data.csv');
const LEADS = sharedData('olist_marketing_qualified_leads_dataset.csv');
const DEALS = sharedData('olist_closed_deals_dataset.csv');
const TAOBAO = sharedData('taobao_userbehavior_head.csv');

describe.skipIf(!HAS_SHARED_DATA)(`multi-file datasets and first funnels (issue 15, item 5) ${HAS_SHARED_DATA ? '' : NO_SHARED_DATA}`, () => {
  let ctx: ReturnType<typeof tempEngine>;
  const dir = tempDir();
  beforeAll(() => {
    ctx = tempEngine();
  });
  afterAll(() => {
    ctx.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('analyses a control + treatment pair imported as one dataset exactly as the two files', async () => {
    const ds = await ctx.engine.dispatch('datasets:import', {
      path: CONTROL,
      mapping: { constants: { variant: 'control' }, year: 2014 },
      also: [{ path: EXPERIMENT, mapping: { constants: { variant: 'experiment' }, year: 2014 } }],
    });
    const fromDataset = await ctx.engine.dispatch('experiment:analyze', {
      datasetId: ds.id,
      variant_column: 'variant',
      control: 'control',
      treatment: 'experiment',
      metrics: ['Enrollments/Clicks', 'Payments/Clicks'],
      save: false,
    });
    const fromFiles = await ctx.engine.dispatch('experiment:analyze', {
      control_file: CONTROL,
      treatment_file: EXPERIMENT,
      metrics: ['Enrollments/Clicks', 'Payments/Clicks'],
      save: false,
    });
    expect(fromDataset.source).toBe('aggregated_pair');
    expect(fromDataset.statistical_analysis).toEqual(fromFiles.statistical_analysis);
    // Independent check: Enrollments/Clicks summed over the days both files have enrollments.
    const inst = await DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    const q = (f: string) => `SELECT sum(Enrollments)::DOUBLE / sum(Clicks) FROM read_csv('${f}', header = true) WHERE Enrollments IS NOT NULL`;
    const [[c]] = (await con.runAndReadAll(q(CONTROL))).getRows();
    const [[t]] = (await con.runAndReadAll(q(EXPERIMENT))).getRows();
    con.closeSync();
    expect(fromDataset.statistical_analysis.primary_metric.control_value! / 100).toBeCloseTo(Number(c), 6);
    expect(fromDataset.statistical_analysis.primary_metric.treatment_value! / 100).toBeCloseTo(Number(t), 6);
    await expect(
      ctx.engine.dispatch('experiment:analyze', {
        datasetId: ds.id,
        variant_column: 'variant',
        control: 'control',
        treatment: 'nope',
        metrics: ['Enrollments/Clicks'],
        save: false,
      }),
    ).rejects.toThrow(/No rows have variant = "nope"/);
  });

  it('previews the leads → deals join on mql_id like a DuckDB join', async () => {
    const p = await ctx.engine.dispatch('datasets:join-preview', { paths: [LEADS, DEALS], key: 'mql_id' });
    const inst = await DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    const [[leads, deals, matched]] = (
      await con.runAndReadAll(`
      WITH l AS (SELECT DISTINCT mql_id FROM read_csv('${LEADS}', header = true, all_varchar = true)),
           d AS (SELECT DISTINCT mql_id FROM read_csv('${DEALS}', header = true, all_varchar = true))
      SELECT (SELECT count(*) FROM l), (SELECT count(*) FROM d), (SELECT count(*) FROM d JOIN l USING (mql_id))`)
    ).getRows();
    con.closeSync();
    expect(p.files.map((f) => f.ids)).toEqual([Number(leads), Number(deals)]);
    expect(p.files[1].matched).toBe(Number(matched));
    expect(p.inAll).toBe(Number(matched));
    await expect(ctx.engine.dispatch('datasets:join-preview', { paths: [LEADS, DEALS], key: 'won_date' })).rejects.toThrow(
      /"won_date" is not in olist_marketing/,
    );
  });

  it('suggests the most common event path as the first funnel', async () => {
    const sample = await ctx.engine.dispatch('datasets:import', { path: 'sample' });
    const s = await ctx.engine.dispatch('datasets:suggest-funnel', { datasetId: sample.id });
    expect(s.steps).toEqual(['pin_view', 'save', 'click', 'purchase']);
    const taobao = await ctx.engine.dispatch('datasets:import', { path: TAOBAO });
    const t = await ctx.engine.dispatch('datasets:suggest-funnel', { datasetId: taobao.id });
    expect(t.steps.slice(0, 2)).toEqual(['pv', 'cart']);
    // Independent reference: each user's events reduced to the first occurrence of each name, in time order.
    const inst = await DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    const rows = (
      await con.runAndReadAll(`
      WITH f AS (SELECT user_id, behavior_type, min(timestamp) AS t FROM read_csv('${TAOBAO}', header = true) GROUP BY ALL),
           s AS (SELECT user_id, string_agg(behavior_type, '>' ORDER BY t) AS seq FROM f GROUP BY user_id)
      SELECT count(*) FILTER (WHERE seq LIKE 'pv%'), count(*) FILTER (WHERE seq LIKE 'pv>cart%') FROM s`)
    ).getRows();
    con.closeSync();
    expect(t.users.slice(0, 2)).toEqual(rows[0].map(Number));
    const agg = await ctx.engine.dispatch('datasets:import', { path: CONTROL, mapping: { year: 2014 } });
    await expect(ctx.engine.dispatch('datasets:suggest-funnel', { datasetId: agg.id })).resolves.toMatchObject({ steps: [] });
  });
});
