import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AnalyzeInput, CausalInput, type ExperimentAnalysis, type MetricResult } from '../../../src/shared/contract/experiments';
import { parseCsv, runAnalysis, runCausal, type Table } from '../../../src/core/experiments';
import { close, loadReference, type Json } from '../stats/reference';
import { extractNumbers } from '../../../src/core/llm/numbers';
import { SHARED_DATA } from '../../helpers/shared';

/**
 * The engine on the real files in ../shared/data against make_reference.py (scipy/statsmodels
 * computed from the raw CSVs). Skipped when the shared data folder is not present.
 */
const DATA = SHARED_DATA;
const have = fs.existsSync(`${DATA}/cookie_cats.csv`);
const ref = loadReference().datasets;
/** Fieller relative-lift intervals by root search (make_abn_reference.py), keyed "dataset.metric". */
const fieller: Record<string, [number, number]> = JSON.parse(fs.readFileSync(`${__dirname}/../../fixtures/stats/abn_reference.json`, 'utf8')).fieller;
const REL = 1e-9;

function load(name: string): Table {
  return parseCsv(fs.readFileSync(`${DATA}/${name}`, 'utf8'));
}

function checkRate(m: MetricResult, c: Json, key: string): void {
  expect(m.kind).toBe('rate');
  expect(m.control_n).toBe(c.control.n);
  expect(m.treatment_n).toBe(c.treatment.n);
  expect(m.control_successes).toBe(c.control.successes);
  close(m.control_value as number, c.control_rate * 100, REL, 0, `${c.name} control`);
  close(m.treatment_value as number, c.treatment_rate * 100, REL, 0, `${c.name} treatment`);
  close(m.difference as number, (c.treatment_rate - c.control_rate) * 100, REL, 1e-12, `${c.name} diff`);
  close(m.p_value as number, c.p_value, REL, 1e-300, `${c.name} p`);
  close(m.confidence_interval![0], c.wald_ci[0] * 100, REL, 1e-12, `${c.name} ci lo`);
  close(m.confidence_interval![1], c.wald_ci[1] * 100, REL, 1e-12, `${c.name} ci hi`);
  close(m.relative_lift as number, c.relative_lift * 100, REL, 1e-12, `${c.name} lift`);
  close(m.relative_lift_ci![0], fieller[key][0] * 100, 1e-8, 1e-12, `${c.name} lift lo`);
  close(m.relative_lift_ci![1], fieller[key][1] * 100, 1e-8, 1e-12, `${c.name} lift hi`);
  // The relative interval never contradicts the difference's interval (both exclude 0 or neither).
  expect(m.relative_lift_ci![0] > 0 || m.relative_lift_ci![1] < 0).toBe(m.confidence_interval![0] > 0 || m.confidence_interval![1] < 0);
  close(m.effect_size as number, c.cohens_h, REL, 1e-12, `${c.name} h`);
  expect(m.significant).toBe(c.p_value < 0.05);
}

describe.skipIf(!have)('Cookie Cats (gate_30 vs gate_40)', () => {
  let a: ExperimentAnalysis;
  const cc = ref.cookie_cats;
  beforeAll(() => {
    a = runAnalysis(
      AnalyzeInput.parse({
        variant_column: 'version',
        control: 'gate_30',
        treatment: 'gate_40',
        metrics: ['retention_1', 'retention_7', 'sum_gamerounds'],
        guardrails: ['retention_7'],
      }),
      { table: load('cookie_cats.csv') },
    );
  });
  it('retention_1 and retention_7 as rates match statsmodels', () => {
    checkRate(a.statistical_analysis.primary_metric, cc.metrics.retention_1, 'cookie_cats.retention_1');
    checkRate(a.statistical_analysis.secondary_metrics[0], cc.metrics.retention_7, 'cookie_cats.retention_7');
  });
  it('sum_gamerounds as a mean matches the Welch test', () => {
    const m = a.statistical_analysis.secondary_metrics[1];
    const w = cc.metrics.sum_gamerounds;
    expect(m.kind).toBe('mean');
    close(m.control_value as number, w.control.mean, 1e-12, 0, 'mean');
    close(m.p_value as number, w.p_value, REL, 0, 'p');
    close(m.confidence_interval![0], w.ci[0], REL, 0, 'ci lo');
    close(m.confidence_interval![1], w.ci[1], REL, 0, 'ci hi');
    close(m.effect_size as number, w.cohens_d, REL, 0, 'd');
  });
  it('secondary metrics are Holm-adjusted among themselves', () => {
    a.statistical_analysis.secondary_metrics.forEach((m, i) => close(m.p_value_adjusted as number, cc.holm_secondary[i], REL, 0, 'holm'));
  });
  it('SRM, guardrail and decision', () => {
    close(a.srm_check.p_value as number, cc.srm.p_value, REL, 0, 'srm');
    expect(a.srm_check.passed).toBe(true);
    expect(a.guardrail_checks.retention_7.status).toBe('failed');
    expect(a.recommendation.decision).toBe('ROLLBACK');
    expect(a.recommendation.rule).toBe('guardrail_failed');
    const ids = a.facts.map((f) => f.id);
    expect(ids).toContain('experiment.primary.p_value');
    expect(ids).toContain('experiment.secondary.retention_7.p_value_adjusted');
    expect(a.facts.every((f) => Number.isFinite(f.value))).toBe(true);
  });
  it('every share quoted in the SRM message is a fact', () => {
    const quoted = extractNumbers(a.srm_check.message)
      .filter((n) => n.kind === 'percent')
      .map((n) => n.raw);
    expect(quoted.length).toBe(4);
    const displays = new Set(a.facts.map((f) => f.display));
    expect(quoted.filter((q) => !displays.has(q))).toEqual([]);
  });
});

describe.skipIf(!have)('AdSmart (control vs exposed, yes over all rows)', () => {
  const ad = ref.adsmart;
  it('conversion, SRM and segments (Holm over testable segments)', () => {
    const a = runAnalysis(
      AnalyzeInput.parse({
        variant_column: 'experiment',
        control: 'control',
        treatment: 'exposed',
        metrics: ['yes'],
        segment_by: 'platform_os',
        date_column: 'date',
      }),
      { table: load('adsmart_ab_data.csv') },
    );
    checkRate(a.statistical_analysis.primary_metric, ad.metrics.yes, 'adsmart.yes');
    // Issue 15: the read-out called this significant beside a relative interval crossing 0.
    expect(a.statistical_analysis.primary_metric.significant).toBe(true);
    expect(a.statistical_analysis.primary_metric.relative_lift_ci![0]).toBeGreaterThan(0);
    close(a.srm_check.p_value as number, ad.srm.p_value, REL, 0, 'srm');
    for (const [value, s] of Object.entries(ad.segments_platform_os as Record<string, Json>)) {
      const mine = a.segment_analysis[value];
      expect(mine.tested).toBe(s.tested);
      if (s.tested) close(mine.p_value_adjusted as number, s.p_holm, REL, 0, `segment ${value}`);
    }
    expect(a.recommendation.decision).toBe('SHIP');
    expect(a.daily.length).toBe(8);
  });
  it('causal: balance, heterogeneity and the resulting Low confidence', () => {
    const c = runCausal(
      CausalInput.parse({
        variant_column: 'experiment',
        control: 'control',
        treatment: 'exposed',
        metrics: ['yes'],
        segment_by: 'browser',
        date_column: 'date',
        balance_columns: ['device_make', 'platform_os', 'browser', 'hour'],
        external_factors: ['No holidays'],
      }),
      { table: load('adsmart_ab_data.csv') },
    );
    for (const b of c.confounding_check.selection_bias.balance) {
      const r = ad.balance[b.column];
      close(b.statistic as number, r.statistic, REL, 0, `${b.column} chi2`);
      expect(b.df).toBe(r.df);
      close(b.p_value_adjusted as number, r.p_holm, 1e-8, 1e-300, `${b.column} holm`);
      expect(b.passed).toBe(false);
    }
    const h = c.confounding_check.heterogeneity;
    close(h.q as number, ad.heterogeneity_browser.q, REL, 0, 'Q');
    close(h.p_value as number, ad.heterogeneity_browser.p_value, REL, 0, 'Q p');
    expect(c.confounding_check.selection_bias.status).toBe('failed');
    expect(c.causal_conclusion.confidence).toBe('Low');
    expect(c.causal_conclusion.statement).toMatch(/not supported/);
  });
});

describe.skipIf(!have)('Udacity pair (aggregated daily exports)', () => {
  const u = ref.udacity;
  it('gross and net conversion on the days where they exist', () => {
    const a = runAnalysis(
      AnalyzeInput.parse({
        metrics: ['Enrollments/Clicks', { name: 'net conversion', numerator: 'Payments', denominator: 'Clicks' }],
        srm_column: 'Pageviews',
      }),
      {
        control: load('udacity_control_data.csv'),
        treatment: load('udacity_experiment_data.csv'),
      },
    );
    checkRate(a.statistical_analysis.primary_metric, u.metrics.gross_conversion, 'udacity.gross_conversion');
    checkRate(a.statistical_analysis.secondary_metrics[0], u.metrics.net_conversion, 'udacity.net_conversion');
    expect(a.daily.length).toBe(u.metrics.gross_conversion.days);
    close(a.srm_check.p_value as number, u.srm_pageviews.p_value, REL, 0, 'srm');
    expect(a.source).toBe('aggregated_pair');
  });
  it('causal: temporal trend of the daily effect and the funnel mechanism', () => {
    const c = runCausal(
      CausalInput.parse({
        metrics: ['Enrollments/Clicks'],
        stage_columns: ['Pageviews', 'Clicks', 'Enrollments', 'Payments'],
        lower_is_better: ['Enrollments/Clicks'],
      }),
      {
        control: load('udacity_control_data.csv'),
        treatment: load('udacity_experiment_data.csv'),
      },
    );
    const t = c.confounding_check.temporal_effects;
    expect(t.days).toBe(u.temporal_gross.days);
    close(t.slope as number, u.temporal_gross.slope, 1e-9, 0, 'slope');
    close(t.p_value as number, u.temporal_gross.p_value, 1e-9, 0, 'slope p');
    const chain = c.mechanism.causal_chain;
    expect(chain.map((s) => s.stage)).toEqual(['Clicks', 'Enrollments', 'Payments']);
    checkRate({ ...c.analysis.statistical_analysis.primary_metric }, u.metrics.gross_conversion, 'udacity.gross_conversion');
    expect(chain[1].significant).toBe(true);
    close(chain[1].lift as number, u.metrics.gross_conversion.relative_lift * 100, REL, 0, 'enrollment step lift');
    expect(c.analysis.recommendation.decision).toBe('SHIP');
  });
});

describe.skipIf(!have)('interval options', () => {
  it('Newcombe hybrid score interval of the difference matches statsmodels', () => {
    const a = runAnalysis(
      AnalyzeInput.parse({ variant_column: 'experiment', control: 'control', treatment: 'exposed', metrics: ['yes'], ci_method: 'newcombe' }),
      { table: load('adsmart_ab_data.csv') },
    );
    const m = a.statistical_analysis.primary_metric;
    close(m.confidence_interval![0], ref.adsmart.metrics.yes.newcombe_ci[0] * 100, REL, 0, 'newcombe lo');
    close(m.confidence_interval![1], ref.adsmart.metrics.yes.newcombe_ci[1] * 100, REL, 0, 'newcombe hi');
    expect(m.test).toMatch(/Newcombe/);
  });
});

describe('CUPED and sequential monitoring inside an analysis', () => {
  it('CUPED-adjusted Welch test on a covariate column matches numpy/statsmodels', () => {
    const c = loadReference().cuped;
    const n1 = c.control.y.length;
    const table: Table = {
      columns: {
        arm: [...Array(n1).fill('A'), ...Array(c.treatment.y.length).fill('B')],
        y: [...c.control.y, ...c.treatment.y],
        x: [...c.control.x, ...c.treatment.x],
      },
    };
    const a = runAnalysis(AnalyzeInput.parse({ variant_column: 'arm', control: 'A', treatment: 'B', metrics: ['y'], covariate: 'x' }), { table });
    const m = a.statistical_analysis.primary_metric;
    close(m.cuped!.theta, c.theta, 1e-10, 0, 'theta');
    close(m.cuped!.variance_reduction, c.variance_reduction, 1e-10, 0, 'variance reduction');
    close(m.p_value as number, c.welch.p_value, 1e-9, 1e-300, 'p');
    close(m.confidence_interval![0], c.welch.ci[0], 1e-9, 0, 'ci');
    expect(m.test).toMatch(/CUPED/);
  });
  it.skipIf(!have)('the always-valid p-value over daily looks is never below the fixed-horizon one here', () => {
    const a = runAnalysis(
      AnalyzeInput.parse({
        variant_column: 'experiment',
        control: 'control',
        treatment: 'exposed',
        metrics: ['yes'],
        date_column: 'date',
        sequential: {},
        mde: 0.2,
      }),
      { table: load('adsmart_ab_data.csv') },
    );
    const s = a.statistical_analysis.sequential!;
    expect(s.looks).toBe(8);
    expect(s.p_value).toBeGreaterThan(a.statistical_analysis.primary_metric.p_value as number);
    close(s.tau, 6.484893146647015 * 0.2, 1e-9, 0, 'tau = absolute MDE in pp');
  });
});
