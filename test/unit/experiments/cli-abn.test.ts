import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AnalyzeInput, DesignInput } from '../../../src/shared/contract/experiments';
import { analyzeInputFromArgs, designInputFromArgs } from '../../../src/cli/commands/experiment';
import { runCliCaptured } from '../../helpers/cli';
import { tempEngine } from '../../helpers/engine';

const FIXTURE = path.resolve(__dirname, '../../fixtures/stats/three_arm.csv');
const ref = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../fixtures/stats/abn_reference.json'), 'utf8'));

describe('iafa experiment: A/B/n, engine and design flags', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  async function cli(args: string[]) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-abn-'));
    dirs.push(dataDir);
    return runCliCaptured(args, { IAFA_DATA_DIR: dataDir });
  }

  it('parses --treatment B,C, --engine, --prior-sd, --planned-split and --correction bonferroni', () => {
    const a = AnalyzeInput.parse(
      analyzeInputFromArgs(['t.csv'], {
        'variant-col': 'variant',
        control: 'control',
        treatment: ['B,C'],
        metric: ['converted'],
        engine: 'bayesian',
        'prior-sd': '0.3',
        'planned-split': '2,1,1',
        correction: 'bonferroni',
      }),
    );
    expect(a).toMatchObject({ treatments: ['B', 'C'], engine: 'bayesian', prior: { mean: 0, sd: 0.3 }, planned_split: [2, 1, 1], correction: 'bonferroni' });
    expect(a.treatment).toBeUndefined();
    expect(() => analyzeInputFromArgs(['t.csv'], { 'variant-col': 'v', metric: ['m'], engine: 'magic' })).toThrow(/frequentist or bayesian/);
    expect(DesignInput.parse(designInputFromArgs({ baseline: '0.15', ratio: '0.9', 'one-sided': true, n: '20000' }))).toMatchObject({
      ratio: 0.9,
      alternative: 'one-sided',
      sample_size: 20000,
    });
    expect(() => designInputFromArgs({ baseline: '0.15' })).toThrow(/--mde is required/);
  });

  it('analyze --treatment B,C prints every arm, the Holm p-values, the k-arm SRM and the arm to ship', async () => {
    const r = await cli([
      'experiment',
      'analyze',
      FIXTURE,
      '--variant-col',
      'variant',
      '--control',
      'control',
      '--treatment',
      'B,C',
      '--metric',
      'converted',
      '--no-save',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/B, C vs control/);
    expect(r.stdout).toMatch(new RegExp(`^B\\s+\\* converted.*\\s${ref.three_arm.arms.B.converted.p_holm.toFixed(3)}\\s+SHIP`, 'm'));
    expect(r.stdout).toMatch(/SRM \(3 arms\): passed \(chi-square 3\.867, df 2, p = 0\.145\)/);
    expect(r.stdout).toMatch(/Ship: B\./);
    const json = JSON.parse(
      (
        await cli([
          'experiment',
          'analyze',
          FIXTURE,
          '--variant-col',
          'variant',
          '--control',
          'control',
          '--treatment',
          'B,C',
          '--metric',
          'converted',
          '--no-save',
          '--json',
        ])
      ).stdout,
    );
    expect(json.arms).toHaveLength(2);
  });

  it('design --ratio 0.9 --one-sided --n 20000 prints the power and the MDE for that sample', async () => {
    const r = await cli(['experiment', 'design', '--baseline', '0.15', '--mde', '0.1', '--ratio', '0.9', '--one-sided', '--n', '20000', '--no-save']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Sample size: 10,526 control, 9,473 per treatment arm, 20,000 total \(one-sided\)/);
    expect(r.stdout).toMatch(new RegExp(`detectable effect at 80% power ${(ref.power.prop_mde[0].mde * 100).toFixed(3)} pp`));
    const bad = await cli(['experiment', 'design', '--baseline', '0.15', '--ratio', '-1', '--mde', '0.1', '--no-save']);
    expect(bad.code).toBe(2);
  });
});

describe('the engine default comes from Settings', () => {
  it('frequentist until Settings says bayesian; an analysis can still choose', async () => {
    const env = tempEngine();
    try {
      const input = { file: FIXTURE, variant_column: 'variant', control: 'control', treatment: 'B', metrics: ['converted'], save: false };
      const before = await env.engine.dispatch('experiment:analyze', input);
      expect(before.engine).toBe('frequentist');
      expect(before.statistical_analysis.primary_metric.bayesian).toBeNull();
      const s = await env.engine.dispatch('settings:update', { experiments: { engine: 'bayesian' } });
      expect(s.experiments.engine).toBe('bayesian');
      const after = await env.engine.dispatch('experiment:analyze', input);
      expect(after.engine).toBe('bayesian');
      expect(after.statistical_analysis.primary_metric.bayesian!.chance_to_win).toBeGreaterThan(0.5);
      const chosen = await env.engine.dispatch('experiment:analyze', { ...input, engine: 'frequentist' });
      expect(chosen.engine).toBe('frequentist');
      // A settings patch for another section leaves the engine alone.
      const s2 = await env.engine.dispatch('settings:update', { reports: { paper: 'Letter' } });
      expect(s2.experiments.engine).toBe('bayesian');
    } finally {
      env.cleanup();
    }
  });
});

describe('reports and causal checks take several arms', () => {
  it('the report lists every arm and metric; causal checks compare the chosen arm and name the others', async () => {
    const env = tempEngine();
    try {
      const experiment = { file: FIXTURE, variant_column: 'variant', control: 'control', treatments: ['B', 'C'], metrics: ['converted'], save: false };
      const r = await env.engine.dispatch('reports:generate', { experiment, format: 'markdown', audience: 'data_scientist', save: false });
      const expected = await env.engine.dispatch('experiment:analyze', experiment);
      expect(r.markdown).toContain('converted (B)');
      expect(r.markdown).toContain('converted (C)');
      for (const arm of expected.arms!)
        expect(r.markdown).toContain(arm.primary_metric.p_value_adjusted! < 0.001 ? 'p < 0.001' : `p = ${arm.primary_metric.p_value_adjusted!.toFixed(3)}`);
      expect(JSON.stringify(r.grounding.ungrounded)).toBe('[]');
      const c = await env.engine.dispatch('experiment:causal', { ...experiment, treatment: 'C' });
      expect(c.analysis.treatment_label).toBe('C');
      expect(c.analysis.warnings.join(' ')).toMatch(/Causal checks compare C with control; the other arms \(B\)/);
    } finally {
      env.cleanup();
    }
  });
});
