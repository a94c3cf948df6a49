import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnalyzeInput } from '../../../src/shared/contract/experiments';
import { parseCsv, runAnalysis } from '../../../src/core/experiments';
import { close, type Json } from '../stats/reference';
import { extractNumbers } from '../../../src/core/llm/numbers';

/**
 * A three-arm read-out (control, B, C) on a committed table against make_abn_reference.py:
 * raw p-values from scipy (chi-square 2×2 = pooled z-test; Welch t), Holm / Bonferroni / BH
 * adjustments and the k-arm SRM chi-square computed there, independently of the engine.
 */
const dir = path.resolve(__dirname, '../../fixtures/stats');
const ref: Json = JSON.parse(fs.readFileSync(path.join(dir, 'abn_reference.json'), 'utf8'));
const table = parseCsv(fs.readFileSync(path.join(dir, 'three_arm.csv'), 'utf8'));
const REL = 1e-9;

function analyze(extra: Record<string, unknown> = {}) {
  return runAnalysis(
    AnalyzeInput.parse({ variant_column: 'variant', control: 'control', treatments: ['B', 'C'], metrics: ['converted', 'revenue'], ...extra }),
    { table },
  );
}

describe('A/B/n: three arms in one read-out', () => {
  const a = analyze();
  const t = ref.three_arm;
  it('every arm against control with raw and Holm-adjusted p-values equal to scipy', () => {
    expect(a.arms!.map((x) => x.treatment_label)).toEqual(['B', 'C']);
    for (const arm of a.arms!) {
      const r = t.arms[arm.treatment_label];
      expect([arm.primary_metric.control_successes, arm.primary_metric.control_n]).toEqual(r.converted.control);
      expect([arm.primary_metric.treatment_successes, arm.primary_metric.treatment_n]).toEqual(r.converted.treatment);
      close(arm.primary_metric.p_value as number, r.converted.p_value, REL, 0, `${arm.treatment_label} raw p`);
      close(arm.primary_metric.p_value_adjusted as number, r.converted.p_holm, REL, 0, `${arm.treatment_label} Holm p`);
      const rev = arm.secondary_metrics[0];
      close(rev.p_value as number, r.revenue.p_value, REL, 0, `${arm.treatment_label} revenue p`);
      close(rev.p_value_adjusted as number, r.revenue.p_holm, REL, 0, `${arm.treatment_label} revenue Holm p`);
      expect(arm.primary_metric.significant).toBe(r.converted.p_holm < 0.05);
    }
  });
  it('the k-arm SRM chi-square against the planned split equals scipy', () => {
    const s = a.multi_arm!.srm;
    expect(s.observed).toEqual(t.srm.observed);
    expect(s.df).toBe(2);
    close(s.statistic as number, t.srm.statistic, REL, 0, 'srm chi2');
    close(s.p_value as number, t.srm.p_value, REL, 0, 'srm p');
    expect(a.srm_check.p_value).toBe(s.p_value);
    const planned = analyze({ planned_split: [2, 1, 1] });
    close(planned.multi_arm!.srm.p_value as number, t.srm_planned_2_1_1.p_value, 1e-6, 0, 'planned srm p');
    expect(planned.multi_arm!.srm.passed).toBe(false);
    expect(planned.recommendation.rule).toBe('srm_failed');
    expect(planned.multi_arm!.ship).toBeNull();
  });
  it('every number the SRM message and the decision quote is a fact', () => {
    const displays = new Set(a.facts.map((f) => f.display));
    const quoted = [...extractNumbers(a.multi_arm!.srm.message), ...extractNumbers(a.recommendation.rationale)].filter(
      (n) => n.kind === 'percent' || n.kind === 'p',
    );
    expect(quoted.length).toBeGreaterThanOrEqual(6);
    const missing = quoted.map((n) => n.raw).filter((raw) => ![...displays].some((d) => d.includes(raw.replace(/^p\s*=\s*/, ''))));
    expect(missing).toEqual([]);
    expect(a.facts.find((f) => f.id === 'experiment.srm.p_value')!.value).toBe(a.multi_arm!.srm.p_value);
  });
  it('Bonferroni and Benjamini–Hochberg as options', () => {
    for (const [method, key] of [
      ['bonferroni', 'p_bonferroni'],
      ['bh', 'p_bh'],
    ] as const) {
      const x = analyze({ correction: method });
      for (const arm of x.arms!)
        close(arm.primary_metric.p_value_adjusted as number, t.arms[arm.treatment_label].converted[key], REL, 0, `${method} ${arm.treatment_label}`);
      expect(x.multi_arm!.correction).toBe(method);
    }
  });
  it('a decision per arm and the arm to ship', () => {
    const byArm = Object.fromEntries(a.arms!.map((x) => [x.treatment_label, x.recommendation.decision]));
    // B converts significantly better after Holm; C does not.
    expect(byArm).toEqual({ B: 'SHIP', C: 'ITERATE' });
    expect(a.multi_arm!.ship).toBe('B');
    expect(a.treatment_label).toBe('B');
    expect(a.recommendation.decision).toBe('SHIP');
    expect(a.recommendation.rationale).toMatch(/^Ship B/);
    expect(a.facts.some((f) => f.id === 'experiment.arm.c.primary.p_value_adjusted')).toBe(true);
  });
  it('a single entry in treatments is an ordinary A/B read-out; aggregated inputs refuse several arms', () => {
    const one = runAnalysis(AnalyzeInput.parse({ variant_column: 'variant', control: 'control', treatments: ['C'], metrics: ['converted'] }), { table });
    expect(one.arms).toBeUndefined();
    expect(one.treatment_label).toBe('C');
    expect(() => runAnalysis(AnalyzeInput.parse({ treatments: ['B', 'C'], metrics: ['a/b'] }), { control: table, treatment: table })).toThrow(
      /user-level table/,
    );
    expect(() => analyze({ planned_split: [1, 1] })).toThrow(/needs 3/);
  });
});

describe('ratio metrics over user-level columns (delta method)', () => {
  it('revenue/sessions per arm: ratio, difference and SE equal the numpy delta method', () => {
    const a = runAnalysis(AnalyzeInput.parse({ variant_column: 'variant', control: 'control', treatments: ['B', 'C'], metrics: ['revenue/sessions'] }), {
      table,
    });
    for (const arm of a.arms!) {
      const r = ref.ratio[arm.treatment_label];
      const m = arm.primary_metric;
      expect(m.kind).toBe('ratio');
      expect(m.ratio).toEqual({ numerator: 'revenue', denominator: 'sessions' });
      close(m.control_value as number, r.control, 1e-12, 0, 'control ratio');
      close(m.treatment_value as number, r.treatment, 1e-12, 0, 'treatment ratio');
      close(m.difference as number, r.difference, 1e-10, 1e-14, 'difference');
      // The CI half-width is t(0.975, Welch df ≈ 6000) × the delta-method SE: z-based to 3e-4.
      const half = (m.confidence_interval![1] - m.confidence_interval![0]) / 2;
      close(half / 1.959963984540054, r.se, 3e-4, 0, 'delta-method SE');
      close(m.relative_lift as number, r.lift * 100, 1e-10, 0, 'lift');
      // Large arms: the Welch t p-value is the z p-value of the delta method to ~1e-4.
      expect(Math.abs((m.p_value as number) - r.z_p_value)).toBeLessThan(2e-4);
    }
  });
  it('CUPED applies to a ratio metric when a pre-period covariate exists', () => {
    const plain = runAnalysis(AnalyzeInput.parse({ variant_column: 'variant', control: 'control', treatment: 'C', metrics: ['revenue/sessions'] }), { table });
    const adj = runAnalysis(
      AnalyzeInput.parse({ variant_column: 'variant', control: 'control', treatment: 'C', metrics: ['revenue/sessions'], covariate: 'pre_revenue' }),
      { table },
    );
    const c = adj.statistical_analysis.primary_metric.cuped!;
    expect(c.variance_reduction).toBeGreaterThan(0.05);
    const w = (ci: [number, number]) => ci[1] - ci[0];
    expect(w(c.confidence_interval)).toBeLessThan(w(plain.statistical_analysis.primary_metric.confidence_interval!));
  });
});
