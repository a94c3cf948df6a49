import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema } from '../../../src/core/db';
import { analyzeInputFromArgs, causalInputFromArgs, designInputFromArgs, parseGuardrail } from '../../../src/cli/commands/experiment';
import { AnalyzeInput, DesignInput } from '../../../src/shared/contract/experiments';
import { tempDir, tempEngine } from '../../helpers/engine';
import { loadPowerReference, loadReference } from '../stats/reference';
import { runCliCaptured } from '../../helpers/cli';
import { SHARED_DATA } from '../../helpers/shared';

const DATA = SHARED_DATA;
const have = fs.existsSync(`${DATA}/cookie_cats.csv`);

describe('experiment calls through the engine', () => {
  let t: ReturnType<typeof tempEngine>;
  let csv: string;
  beforeAll(() => {
    t = tempEngine();
    csv = path.join(t.dataDir, 'ab.csv');
    const rows = ['user,variant,converted,revenue,platform'];
    for (let i = 0; i < 400; i++)
      rows.push(`${i},${i % 2 ? 'B' : 'A'},${i % 2 ? (i % 5 === 1 ? 1 : 0) : i % 10 === 0 ? 1 : 0},${(i % 13) + (i % 2)},${i % 3 ? 'ios' : 'android'}`);
    fs.writeFileSync(csv, rows.join('\n') + '\n');
  });
  afterAll(() => t.cleanup());

  it('design is stored and returned with its facts', async () => {
    const r = await t.engine.dispatch('experiment:design', {
      baseline_rate: 0.15,
      mde: 0.1,
      daily_users: 2000,
      hypothesis: 'Better matching increases conversion',
    });
    expect(r.experiment_design.sample_size).toMatchObject({ per_variant: 9257, total: 18514, power: 0.8, alpha: 0.05, mde: 0.1 });
    const row = t.engine.app.db
      .select()
      .from(schema.experiments)
      .where(eq(schema.experiments.id, r.experiment_id as string))
      .get();
    expect(row?.status).toBe('designed');
    expect(JSON.parse(row?.designJson ?? '{}').experiment_design.sample_size.per_variant).toBe(9257);
  });

  it('analyze a CSV file, then causal on the same experiment id', async () => {
    const a = await t.engine.dispatch('experiment:analyze', {
      file: csv,
      variant_column: 'variant',
      control: 'A',
      treatment: 'B',
      metrics: ['converted', 'revenue'],
      segment_by: 'platform',
    });
    expect(a.statistical_analysis.primary_metric.tested).toBe(true);
    expect(Object.keys(a.segment_analysis).sort()).toEqual(['android', 'ios']);
    const c = await t.engine.dispatch('experiment:causal', {
      experiment_id: a.experiment_id as string,
      file: csv,
      variant_column: 'variant',
      control: 'A',
      treatment: 'B',
      metrics: ['converted'],
      segment_by: 'platform',
      external_factors: ['Marketing push on day 3'],
    });
    expect(c.experiment_id).toBe(a.experiment_id);
    expect(c.confounding_check.external_factors.status).toBe('warning');
    const row = t.engine.app.db
      .select()
      .from(schema.experiments)
      .where(eq(schema.experiments.id, a.experiment_id as string))
      .get();
    expect(row?.analysisJson).toBeTruthy();
    expect(row?.causalJson).toBeTruthy();
  });

  it('maps bad input to validation / not_found errors', async () => {
    await expect(
      t.engine.dispatch('experiment:analyze', { file: path.join(t.dataDir, 'missing.csv'), variant_column: 'v', metrics: ['x'] }),
    ).rejects.toMatchObject({ kind: 'not_found' });
    await expect(
      t.engine.dispatch('experiment:analyze', { file: csv, variant_column: 'variant', control: 'A', treatment: 'Z', metrics: ['converted'] }),
    ).rejects.toMatchObject({ kind: 'validation' });
    await expect(t.engine.dispatch('experiment:analyze', { metrics: ['x'] })).rejects.toMatchObject({ kind: 'validation' });
    await expect(t.engine.dispatch('experiment:design', { baseline_rate: 1.5, mde: 0.1 })).rejects.toMatchObject({ kind: 'validation' });
  });

  it.skipIf(!have)('analyzes an imported Cookie Cats dataset by id', async () => {
    const ds = await t.engine.dispatch('datasets:import', { path: `${DATA}/cookie_cats.csv` });
    const a = await t.engine.dispatch('experiment:analyze', {
      datasetId: ds.id,
      variant_column: 'version',
      control: 'gate_30',
      treatment: 'gate_40',
      metrics: ['retention_7'],
    });
    const ref = loadReference().datasets.cookie_cats.metrics.retention_7;
    expect(a.statistical_analysis.primary_metric.p_value).toBeCloseTo(ref.p_value, 12);
  });
});

describe('iafa experiment (CLI)', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  async function cli(args: string[]) {
    const dataDir = tempDir();
    dirs.push(dataDir);
    return runCliCaptured(args, { IAFA_DATA_DIR: dataDir });
  }

  it('parses the documented flags', () => {
    expect(
      DesignInput.parse(
        designInputFromArgs({ baseline: '0.15', mde: '0.015', 'mde-absolute': true, alpha: '0.01', power: '0.9', 'daily-users': '5000', variants: '3' }),
      ),
    ).toMatchObject({
      baseline_rate: 0.15,
      mde: 0.015,
      mde_type: 'absolute',
      alpha: 0.01,
      power: 0.9,
      daily_users: 5000,
      variants: 3,
    });
    const a = AnalyzeInput.parse(
      analyzeInputFromArgs(['data.csv'], {
        'variant-col': 'version',
        control: 'gate_30',
        treatment: 'gate_40',
        metric: ['retention_1,retention_7'],
        guardrail: ['sum_gamerounds:0.05'],
        'segment-by': ['platform'],
        alpha: '0.1',
      }),
    );
    expect(a).toMatchObject({ file: 'data.csv', variant_column: 'version', metrics: ['retention_1', 'retention_7'], segment_by: ['platform'], alpha: 0.1 });
    expect(a.guardrails[0]).toMatchObject({ metric: 'sum_gamerounds', margin: 0.05, margin_type: 'relative' });
    expect(analyzeInputFromArgs([], { 'control-file': 'a.csv', 'treatment-file': 'b.csv', metric: ['Enrollments/Clicks'] })).toMatchObject({
      control_file: 'a.csv',
      treatment_file: 'b.csv',
      metrics: ['Enrollments/Clicks'],
    });
    expect(causalInputFromArgs(['x.csv'], { 'variant-col': 'v', metric: ['m'], stages: 'a,b', 'external-factor': ['No holidays'] })).toMatchObject({
      stage_columns: ['a', 'b'],
      external_factors: ['No holidays'],
    });
    expect(parseGuardrail('x:0.01:absolute')).toMatchObject({ margin_type: 'absolute' });
    expect(() => designInputFromArgs({ mde: '0.1' })).toThrow(/--baseline is required/);
    expect(() => analyzeInputFromArgs(['f.csv'], { metric: ['m'] })).toThrow(/--variant-col/);
  });

  it('design --json gives the seed experiment_design with R-equal numbers', async () => {
    const r = await cli(['experiment', 'design', '--baseline', '0.15', '--mde', '0.10', '--daily-users', '2000', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.experiment_design.sample_size.per_variant).toBe(loadPowerReference().prop_n[0].per_variant);
    expect(out.experiment_design.duration).toMatchObject({ days: 14, weeks: 2 });
  });

  it.skipIf(!have)('analyze <file> and the two-file Udacity form', async () => {
    const a = await cli([
      'experiment',
      'analyze',
      `${DATA}/cookie_cats.csv`,
      '--variant-col',
      'version',
      '--control',
      'gate_30',
      '--treatment',
      'gate_40',
      '--metric',
      'retention_1,retention_7',
      '--guardrail',
      'retention_7',
    ]);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/Decision: ROLLBACK/);
    const u = await cli([
      'experiment',
      'analyze',
      '--control-file',
      `${DATA}/udacity_control_data.csv`,
      '--treatment-file',
      `${DATA}/udacity_experiment_data.csv`,
      '--metric',
      'Enrollments/Clicks',
      '--json',
    ]);
    expect(u.code).toBe(0);
    expect(JSON.parse(u.stdout).statistical_analysis.primary_metric.p_value).toBeCloseTo(loadReference().datasets.udacity.metrics.gross_conversion.p_value, 15);
    const bad = await cli([
      'experiment',
      'analyze',
      `${DATA}/cookie_cats.csv`,
      '--variant-col',
      'version',
      '--control',
      'gate_31',
      '--treatment',
      'gate_40',
      '--metric',
      'retention_1',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"gate_31" does not occur/);
  });
});

describe('event log + funnel + variant property (the funnel-scoped route)', () => {
  let t: ReturnType<typeof tempEngine>;
  beforeAll(() => (t = tempEngine()));
  afterAll(() => t.cleanup());

  it('runs the funnel per arm and analyzes each stage; designs from the funnel baseline', async () => {
    const file = path.join(t.dataDir, 'events.csv');
    const rows = ['user_id,event,timestamp,variant'];
    const day = Date.UTC(2026, 0, 5) / 1000;
    for (let u = 0; u < 600; u++) {
      const variant = u % 2 ? 'treatment' : 'control';
      rows.push(`u${u},visit,${day + u * 60},${variant}`);
      const carts = variant === 'treatment' ? u % 3 !== 0 : u % 4 === 0;
      if (carts) rows.push(`u${u},cart,${day + u * 60 + 10},${variant}`);
      if (carts && u % 5 < 2) rows.push(`u${u},buy,${day + u * 60 + 20},${variant}`);
    }
    fs.writeFileSync(file, rows.join('\n') + '\n');
    const ds = await t.engine.dispatch('datasets:import', { path: file });
    expect(ds.kind).toBe('event_log');
    const fn = await t.engine.dispatch('funnels:create', {
      datasetId: ds.id,
      name: 'Shop',
      definition: { steps: [{ event: 'visit' }, { event: 'cart' }, { event: 'buy' }] },
    });
    const a = await t.engine.dispatch('experiment:analyze', {
      funnelId: fn.id,
      variant_column: 'variant',
      control: 'control',
      treatment: 'treatment',
      metrics: ['cart', 'buy'],
    });
    expect(a.source).toBe('funnel_stages');
    expect(a.srm_check.control_n).toBe(300);
    const m = a.statistical_analysis.primary_metric;
    expect(m.control_successes).toBe(150);
    expect(m.treatment_successes).toBe(200);
    expect(a.recommendation.decision).toBe('SHIP');
    const c = await t.engine.dispatch('experiment:causal', {
      funnelId: fn.id,
      variant_column: 'variant',
      control: 'control',
      treatment: 'treatment',
      metrics: ['buy'],
    });
    expect(c.mechanism.causal_chain.map((s) => s.stage)).toEqual(['cart', 'buy']);
    expect(c.mechanism.causal_chain[0].significant).toBe(true);
    const d = await t.engine.dispatch('experiment:design', { funnelId: fn.id, mde: 0.1 });
    expect(d.experiment_design.primary_metric.name).toBe('Shop: overall conversion');
    expect(d.warnings.join(' ')).toMatch(/funnel's overall conversion/);
  });
});
