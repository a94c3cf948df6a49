import { describe, expect, it } from 'vitest';
import { AnalyzeInput, DesignInput } from '../../../src/shared/contract/experiments';
import { designExperiment, parseCsv, runAnalysis, type Table } from '../../../src/core/experiments';
import { close, loadPowerReference } from '../stats/reference';

/** A user table with `n` rows per arm and the given number of conversions. */
function table(arms: Record<string, { n: number; x: number; extra?: (i: number) => number }>): Table {
  const variant: string[] = [];
  const conv: number[] = [];
  const value: number[] = [];
  for (const [name, a] of Object.entries(arms)) {
    for (let i = 0; i < a.n; i++) {
      variant.push(name);
      conv.push(i < a.x ? 1 : 0);
      value.push(a.extra ? a.extra(i) : i % 7);
    }
  }
  return { columns: { variant, conv, value } };
}

const input = (o: Record<string, unknown> = {}) => AnalyzeInput.parse({ variant_column: 'variant', control: 'A', treatment: 'B', metrics: ['conv'], ...o });

function noNaN(x: unknown): void {
  JSON.stringify(x, (_k, v) => {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`non-finite number in output: ${v}`);
    return v;
  });
}

describe('edge cases give reasons, never NaN', () => {
  it('zero conversions in both arms', () => {
    const a = runAnalysis(input(), { table: table({ A: { n: 500, x: 0 }, B: { n: 500, x: 0 } }) });
    const m = a.statistical_analysis.primary_metric;
    expect(m.tested).toBe(false);
    expect(m.reason).toMatch(/no unit converted/);
    expect(m.p_value).toBeNull();
    expect(m.control_value).toBe(0);
    expect(a.recommendation).toMatchObject({ decision: 'ITERATE', rule: 'not_tested' });
    noNaN(a);
  });
  it('100% conversion in both arms', () => {
    const a = runAnalysis(input(), { table: table({ A: { n: 300, x: 300 }, B: { n: 300, x: 300 } }) });
    expect(a.statistical_analysis.primary_metric.reason).toMatch(/100%/);
    noNaN(a);
  });
  it('zero conversions in control only: tested, relative lift undefined', () => {
    const a = runAnalysis(input(), { table: table({ A: { n: 1000, x: 0 }, B: { n: 1000, x: 40 } }) });
    const m = a.statistical_analysis.primary_metric;
    expect(m.tested).toBe(true);
    expect(m.relative_lift).toBeNull();
    expect(m.reason).toMatch(/relative lift is undefined/);
    noNaN(a);
  });
  it('one arm empty for the metric', () => {
    const t = table({ A: { n: 100, x: 10 }, B: { n: 100, x: 12 } });
    const conv = [...(t.columns.conv as number[])].map((v, i) => (i >= 100 ? null : v));
    const a = runAnalysis(input(), { table: { columns: { ...t.columns, conv } } });
    expect(a.statistical_analysis.primary_metric.reason).toBe('the treatment arm has no units');
    expect(a.statistical_analysis.primary_metric.treatment_value).toBeNull();
    noNaN(a);
  });
  it('a variant value that does not exist', () => {
    expect(() => runAnalysis(input({ treatment: 'C' }), { table: table({ A: { n: 50, x: 5 }, B: { n: 50, x: 6 } }) })).toThrow(
      /"C" does not occur .* Values: "A", "B"/,
    );
  });
  it('fewer than 2 variants', () => {
    expect(() => runAnalysis(input(), { table: table({ A: { n: 50, x: 5 } }) })).toThrow(/only one value .* at least 2 variants/);
  });
  it('a missing metric column', () => {
    expect(() => runAnalysis(input({ metrics: ['nope'] }), { table: table({ A: { n: 50, x: 5 }, B: { n: 50, x: 6 } }) })).toThrow(
      /metric column "nope" does not exist/,
    );
  });
  it('tiny samples: says why no test was run', () => {
    const a = runAnalysis(input(), { table: table({ A: { n: 4, x: 1 }, B: { n: 5, x: 3 } }) });
    expect(a.statistical_analysis.primary_metric.reason).toMatch(/too few units \(4 control, 5 treatment/);
    const b = runAnalysis(input(), { table: table({ A: { n: 40, x: 1 }, B: { n: 40, x: 2 } }) });
    expect(b.statistical_analysis.primary_metric.reason).toMatch(/fewer than 5 expected conversions/);
    noNaN(a);
    noNaN(b);
  });
  it('constant mean metric', () => {
    const a = runAnalysis(input({ metrics: ['value'] }), { table: table({ A: { n: 50, x: 5, extra: () => 3 }, B: { n: 50, x: 6, extra: () => 3 } }) });
    expect(a.statistical_analysis.primary_metric.reason).toMatch(/same value/);
    noNaN(a);
  });
  it('variants picked automatically when there are exactly two, control first', () => {
    const a = runAnalysis(AnalyzeInput.parse({ variant_column: 'variant', metrics: ['conv'] }), {
      table: table({ treatment: { n: 100, x: 20 }, control: { n: 100, x: 10 } }),
    });
    expect(a.control_label).toBe('control');
  });
});

describe('the decision rule', () => {
  it('SRM failure → ITERATE (do not ship), even with a big win', () => {
    const a = runAnalysis(input(), { table: table({ A: { n: 1000, x: 100 }, B: { n: 1300, x: 300 } }) });
    expect(a.srm_check.passed).toBe(false);
    expect(a.recommendation).toMatchObject({ decision: 'ITERATE', rule: 'srm_failed', confidence: 'Low' });
    expect(a.recommendation.rationale).toMatch(/Do not ship/);
  });
  it('a planned unequal split is respected by the SRM check', () => {
    const a = runAnalysis(input({ planned_split: [1000, 1300] }), { table: table({ A: { n: 1000, x: 100 }, B: { n: 1300, x: 300 } }) });
    expect(a.srm_check.passed).toBe(true);
    expect(a.recommendation.decision).toBe('SHIP');
  });
  it('primary significantly worse → ROLLBACK; better → SHIP; flat → ITERATE', () => {
    expect(runAnalysis(input(), { table: table({ A: { n: 2000, x: 300 }, B: { n: 2000, x: 200 } }) }).recommendation.decision).toBe('ROLLBACK');
    expect(runAnalysis(input(), { table: table({ A: { n: 2000, x: 200 }, B: { n: 2000, x: 300 } }) }).recommendation.decision).toBe('SHIP');
    const flat = runAnalysis(input({ mde: 0.5 }), { table: table({ A: { n: 2000, x: 200 }, B: { n: 2000, x: 205 } }) });
    expect(flat.recommendation).toMatchObject({ decision: 'ITERATE', rule: 'inconclusive' });
    expect(flat.statistical_analysis.power.at_mde).toBeGreaterThan(0.8);
    expect(flat.recommendation.confidence).toBe('Medium');
  });
  it('lower-is-better metrics flip the direction', () => {
    const a = runAnalysis(input({ lower_is_better: ['conv'] }), { table: table({ A: { n: 2000, x: 300 }, B: { n: 2000, x: 200 } }) });
    expect(a.recommendation.decision).toBe('SHIP');
  });
  it('guardrail failed → ROLLBACK; inconclusive guardrail blocks SHIP', () => {
    // conv improves; "value" (mean) drops by ~20% in treatment.
    const t = table({ A: { n: 2000, x: 200, extra: (i) => 10 + (i % 5) }, B: { n: 2000, x: 300, extra: (i) => 8 + (i % 5) } });
    const a = runAnalysis(input({ guardrails: ['value'] }), { table: t });
    expect(a.guardrail_checks.value.status).toBe('failed');
    expect(a.recommendation.decision).toBe('ROLLBACK');
    const small = table({ A: { n: 2000, x: 200, extra: (i) => 10 + (i % 5) * 4 }, B: { n: 2000, x: 300, extra: (i) => 10.05 + (i % 5) * 4 } });
    const passed = runAnalysis(input({ guardrails: [{ metric: 'value', margin: 0.05 }] }), { table: small });
    expect(passed.guardrail_checks.value.status).toBe('passed');
    expect(passed.recommendation.decision).toBe('SHIP');
    const tight = runAnalysis(input({ guardrails: [{ metric: 'value', margin: 0.001 }] }), { table: small });
    expect(tight.guardrail_checks.value.status).toBe('inconclusive');
    expect(tight.recommendation).toMatchObject({ decision: 'ITERATE', rule: 'guardrail_inconclusive' });
  });
});

describe('funnel stages from an event log', () => {
  it('each stage is a metric; SRM on the first stage', () => {
    const a = runAnalysis(
      AnalyzeInput.parse({ stages: { names: ['visit', 'cart', 'buy'], control: [5000, 1000, 300], treatment: [5050, 1150, 360] }, metrics: ['buy', 'cart'] }),
      {},
    );
    expect(a.source).toBe('funnel_stages');
    expect(a.statistical_analysis.primary_metric.metric).toBe('buy / visit');
    expect(a.srm_check.control_n).toBe(5000);
    expect(() => runAnalysis(AnalyzeInput.parse({ stages: { names: ['a', 'b'], control: [10, 20], treatment: [10, 5] } }), {})).toThrow(/exceeds/);
  });
});

describe('CSV reader', () => {
  it('handles BOM, CRLF, quotes and empty cells', () => {
    const t = parseCsv('\ufeffDate,Clicks,Note\r\n"Sat, Oct 11",687,"a ""quoted"" word"\r\n"Sun, Oct 12",,x\r\n');
    expect(Object.keys(t.columns)).toEqual(['Date', 'Clicks', 'Note']);
    expect(t.columns.Date).toEqual(['Sat, Oct 11', 'Sun, Oct 12']);
    expect(t.columns.Clicks).toEqual(['687', null]);
    expect(t.columns.Note[0]).toBe('a "quoted" word');
  });
});

describe('design', () => {
  const R = loadPowerReference();
  it('sample size equals R power.prop.test and duration is whole weeks', () => {
    for (const c of R.prop_n) {
      const d = designExperiment(
        DesignInput.parse({
          baseline_rate: c.baseline,
          mde: c.mde,
          mde_type: c.mde_type,
          alpha: c.alpha,
          power: c.power,
          variants: c.variants,
          daily_users: 1000,
        }),
      );
      expect(d.experiment_design.sample_size.per_variant).toBe(c.per_variant);
      expect(d.experiment_design.sample_size.total).toBe(c.per_variant * c.variants);
      expect((d.experiment_design.duration.days as number) % 7).toBe(0);
    }
    const d = designExperiment(DesignInput.parse({ baseline_rate: 0.15, mde: 0.1, daily_users: 2000, allocation: 0.5, guardrails: ['Save rate'] }));
    expect(d.experiment_design.duration).toMatchObject({ days_needed: 19, days: 21, weeks: 3 });
    expect(d.experiment_design.guardrails[0].description).toMatch(/must not drop by more than 2% relative/);
    expect(d.facts.find((f) => f.id === 'experiment.design.sample_size.per_variant')?.display).toBe('9,257');
  });
  it('mean metrics follow power.t.test', () => {
    for (const c of R.t_n) {
      const d = designExperiment(
        DesignInput.parse({ metric_type: 'mean', baseline_mean: 100, baseline_sd: c.sd, mde: c.delta, mde_type: 'absolute', alpha: c.alpha, power: c.power }),
      );
      expect(d.experiment_design.sample_size.per_variant).toBe(c.per_variant);
    }
  });
  it('baseline from the funnel metrics, three variants, clear errors', () => {
    const d = designExperiment(DesignInput.parse({ current_metrics: { overall_conversion_rate: 15 }, mde: 0.1, variants: 3 }));
    expect(d.experiment_design.sample_size.per_variant).toBe(11210);
    close(d.experiment_design.sample_size.alpha_per_comparison, 0.025, 1e-12, 0, 'alpha');
    expect(d.experiment_design.randomization.split).toBe('34/33/33');
    expect(d.experiment_design.duration.days).toBeNull();
    expect(() => designExperiment(DesignInput.parse({ mde: 0.1 }))).toThrow(/baseline rate/);
    expect(() => designExperiment(DesignInput.parse({ baseline_rate: 0.95, mde: 0.1 }))).toThrow(/not below 100%/);
  });
});
