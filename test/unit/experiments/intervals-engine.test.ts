import { describe, expect, it } from 'vitest';
import { AnalyzeInput } from '../../../src/shared/contract/experiments';
import { runAnalysis, type Table } from '../../../src/core/experiments';
import { gaussianEffectPosterior, newcombeDiffCI, relativeLiftProportions } from '../../../src/core/stats';

function rateTable(c: [number, number], t: [number, number]): Table {
  const variant: string[] = [];
  const y: number[] = [];
  for (const [label, [x, n]] of [
    ['control', c],
    ['treatment', t],
  ] as const) {
    for (let i = 0; i < n; i++) {
      variant.push(label);
      y.push(i < x ? 1 : 0);
    }
  }
  return { columns: { variant, y } };
}

const run = (table: Table, extra: Record<string, unknown> = {}) =>
  runAnalysis(AnalyzeInput.parse({ variant_column: 'variant', control: 'control', treatment: 'treatment', metrics: ['y'], ...extra }), { table });

describe('intervals when the z-test is withheld', () => {
  it('few expected conversions: no p-value, the Newcombe interval and the reason', () => {
    const a = run(rateTable([1, 40], [4, 40]));
    const m = a.statistical_analysis.primary_metric;
    expect(m.tested).toBe(false);
    expect(m.p_value).toBeNull();
    const nc = newcombeDiffCI({ successes: 1, n: 40 }, { successes: 4, n: 40 }, 0.05);
    expect(m.confidence_interval![0]).toBeCloseTo(nc.lower * 100, 12);
    expect(m.confidence_interval![1]).toBeCloseTo(nc.upper * 100, 12);
    expect(m.reason).toMatch(/^no p-value: fewer than 5 expected conversions .* Newcombe interval/);
    expect(a.recommendation.rule).toBe('not_tested');
  });
  it('an empty arm shows no interval at all', () => {
    const a = run({ columns: { variant: ['control', 'control', 'treatment'], y: [1, 0, null] } });
    expect(a.statistical_analysis.primary_metric.confidence_interval).toBeNull();
  });
});

describe('the significance call agrees with the intervals shown', () => {
  it('pooled p below alpha while the unpooled intervals include 0: not called significant, and the row says why', () => {
    // 10/100 vs 50/1000: pooled z p = 0.0358 (scipy), but the Wald interval of the difference includes 0.
    const a = run(rateTable([10, 100], [50, 1000]));
    const m = a.statistical_analysis.primary_metric;
    expect(m.p_value!).toBeCloseTo(0.035790656641406196, 12);
    expect(m.confidence_interval![0]).toBeLessThan(0);
    expect(m.confidence_interval![1]).toBeGreaterThan(0);
    expect(m.relative_lift_ci![1]).toBeGreaterThan(0);
    expect(m.significant).toBe(false);
    expect(m.reason).toMatch(/^borderline: p = 0\.0358 is below alpha, but the/);
    expect(a.recommendation.decision).toBe('ITERATE');
  });
  it('the relative interval (Fieller) excludes 0 exactly when the difference interval does', () => {
    for (const [c, t] of [
      [
        [100, 1000],
        [130, 1000],
      ],
      [
        [20, 400],
        [35, 420],
      ],
      [
        [300, 1000],
        [270, 1000],
      ],
      [
        [50, 500],
        [52, 500],
      ],
    ] as [[number, number], [number, number]][]) {
      const m = run(rateTable(c, t)).statistical_analysis.primary_metric;
      const ex = (ci: [number, number]) => ci[0] > 0 || ci[1] < 0;
      expect(ex(m.relative_lift_ci!)).toBe(ex(m.confidence_interval!));
    }
  });
  it('a two-arm analysis refuses a three-weight planned split', () => {
    expect(() => run(rateTable([10, 100], [12, 100]), { planned_split: [1, 1, 1] })).toThrow(/needs 2/);
  });
});

describe('Bayesian engine in the read-out', () => {
  const table = rateTable([100, 1000], [130, 1000]);
  it('chance to beat control, risk, expected lift and credible interval from the posterior of the relative lift', () => {
    const a = run(table, { engine: 'bayesian' });
    expect(a.engine).toBe('bayesian');
    const b = a.statistical_analysis.primary_metric.bayesian!;
    const l = relativeLiftProportions({ successes: 100, n: 1000 }, { successes: 130, n: 1000 });
    const post = gaussianEffectPosterior(l.lift, l.se);
    expect(b.chance_to_win).toBeCloseTo(post.chance_to_win, 14);
    expect(b.expected_lift).toBeCloseTo(30, 10);
    expect(b.credible_interval[0]).toBeCloseTo(post.ci.lower * 100, 10);
    expect(b.risk_treatment).toBeCloseTo(post.risk_treatment * 100, 10);
    expect(b.prior).toMatch(/flat/);
    expect(a.recommendation.decision).toBe('SHIP');
    expect(a.recommendation.rationale).toMatch(/chance to beat control/);
    expect(a.facts.some((f) => f.id === 'experiment.primary.chance_to_win')).toBe(true);
  });
  it('a lower-is-better metric wins when it falls; a proper prior shrinks the lift', () => {
    const low = run(table, { engine: 'bayesian', lower_is_better: ['y'] });
    expect(low.statistical_analysis.primary_metric.bayesian!.chance_to_win).toBeLessThan(0.05);
    expect(low.recommendation.decision).toBe('ROLLBACK');
    const shrunk = run(table, { engine: 'bayesian', prior: { mean: 0, sd: 0.05 } });
    expect(shrunk.statistical_analysis.primary_metric.bayesian!.expected_lift).toBeLessThan(30);
    expect(shrunk.statistical_analysis.primary_metric.bayesian!.prior).toMatch(/sd 5%/);
  });
  it('a flat posterior is ITERATE, and the frequentist default carries no Bayesian block', () => {
    const flat = run(rateTable([100, 1000], [104, 1000]), { engine: 'bayesian' });
    expect(flat.recommendation.decision).toBe('ITERATE');
    expect(run(table).statistical_analysis.primary_metric.bayesian).toBeNull();
  });
});
