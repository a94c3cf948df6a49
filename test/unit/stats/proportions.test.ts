import { describe, expect, it } from 'vitest';
import {
  adjustPValues,
  benjaminiHochberg,
  chiSquareIndependence,
  cohensD,
  cohensH,
  effectSizeLabel,
  holm,
  newcombeDiffCI,
  relativeLiftDelta,
  relativeLiftProportions,
  srmCheck,
  summarize,
  twoProportionZTest,
  waldDiffCI,
  welchTTest,
  wilsonCI,
} from '../../../src/core/stats';
import { close, loadReference, type Json } from './reference';

const ref = loadReference();
const REL = 1e-9;

function checkProportionCase(c: Json): void {
  const t = twoProportionZTest(c.control, c.treatment);
  close(t.z, c.z, REL, 1e-12, `${c.name} z`);
  close(t.p_value, c.p_value, REL, 1e-300, `${c.name} p`);
  const w = waldDiffCI(c.control, c.treatment, c.alpha);
  close(w.lower, c.wald_ci[0], REL, 1e-12, `${c.name} wald lo`);
  close(w.upper, c.wald_ci[1], REL, 1e-12, `${c.name} wald hi`);
  const nc = newcombeDiffCI(c.control, c.treatment, c.alpha);
  close(nc.lower, c.newcombe_ci[0], REL, 1e-12, `${c.name} newcombe lo`);
  close(nc.upper, c.newcombe_ci[1], REL, 1e-12, `${c.name} newcombe hi`);
  const w1 = wilsonCI(c.control, c.alpha);
  close(w1.lower, c.wilson_control[0], REL, 1e-12, `${c.name} wilson lo`);
  close(w1.upper, c.wilson_control[1], REL, 1e-12, `${c.name} wilson hi`);
  const lift = relativeLiftProportions(c.control, c.treatment, c.alpha);
  close(lift.lift, c.relative_lift, REL, 1e-12, `${c.name} lift`);
  close(lift.ci.lower, c.relative_lift_ci[0], REL, 1e-12, `${c.name} lift lo`);
  close(lift.ci.upper, c.relative_lift_ci[1], REL, 1e-12, `${c.name} lift hi`);
  close(cohensH(t.control_rate, t.treatment_rate), c.cohens_h, REL, 1e-12, `${c.name} h`);
  const table = [
    [c.control.successes, c.control.n - c.control.successes],
    [c.treatment.successes, c.treatment.n - c.treatment.successes],
  ];
  const chi = chiSquareIndependence(table);
  close(chi.statistic, c.chi2.statistic, REL, 1e-12, `${c.name} chi2`);
  close(chi.p_value, c.chi2.p_value, REL, 1e-300, `${c.name} chi2 p`);
  const chiY = chiSquareIndependence(table, true);
  close(chiY.statistic, c.chi2_yates.statistic, REL, 1e-12, `${c.name} chi2 yates`);
}

describe('two proportions vs statsmodels/scipy', () => {
  it('synthetic cases (including near 0% and 100%)', () => {
    for (const c of ref.proportions) checkProportionCase(c);
  });
  it('real data: Cookie Cats, AdSmart, Udacity', () => {
    const ds = ref.datasets;
    for (const m of ['retention_1', 'retention_7']) checkProportionCase(ds.cookie_cats.metrics[m]);
    checkProportionCase(ds.adsmart.metrics.yes);
    checkProportionCase(ds.udacity.metrics.gross_conversion);
    checkProportionCase(ds.udacity.metrics.net_conversion);
  });
  it('r×c chi-square of independence', () => {
    for (const c of ref.chi2_tables) {
      const r = chiSquareIndependence(c.table);
      close(r.statistic, c.statistic, REL, 1e-12, 'chi2');
      close(r.p_value, c.p_value, REL, 1e-300, 'chi2 p');
      expect(r.df).toBe(c.df);
    }
  });
  it('refuses degenerate inputs with a reason instead of NaN', () => {
    expect(() => twoProportionZTest({ successes: 0, n: 100 }, { successes: 0, n: 120 })).toThrow(/0% rate/);
    expect(() => twoProportionZTest({ successes: 100, n: 100 }, { successes: 50, n: 0 })).toThrow(/positive integer/);
    expect(() => relativeLiftDelta(0, 0, 0.1, 0.001)).toThrow(/control value is 0/);
    expect(effectSizeLabel(0.1)).toBe('negligible');
    expect(effectSizeLabel(-0.3)).toBe('small');
    expect(effectSizeLabel(0.6)).toBe('medium');
    expect(effectSizeLabel(0.9)).toBe('large');
  });
});

describe('Welch t-test vs statsmodels', () => {
  function checkWelch(c: Json, samples?: { control: number[]; treatment: number[] }): void {
    const a = samples ? summarize(samples.control) : c.control;
    const b = samples ? summarize(samples.treatment) : c.treatment;
    if (samples) {
      close(a.mean, c.control.mean, 1e-12, 1e-12, 'mean');
      close(a.sd, c.control.sd, 1e-12, 1e-12, 'sd');
    }
    const r = welchTTest(a, b, c.alpha);
    close(r.t, c.t, REL, 1e-12, `${c.name} t`);
    close(r.df, c.df, REL, 1e-12, `${c.name} df`);
    close(r.p_value, c.p_value, REL, 1e-300, `${c.name} p`);
    close(r.ci.lower, c.ci[0], REL, 1e-12, `${c.name} ci lo`);
    close(r.ci.upper, c.ci[1], REL, 1e-12, `${c.name} ci hi`);
    close(cohensD(a, b), c.cohens_d, REL, 1e-12, `${c.name} d`);
    const v1 = a.sd ** 2 / a.n;
    const v2 = b.sd ** 2 / b.n;
    const lift = relativeLiftDelta(a.mean, v1, b.mean, v2, c.alpha);
    close(lift.lift, c.relative_lift, REL, 1e-12, `${c.name} lift`);
    close(lift.ci.lower, c.relative_lift_ci[0], REL, 1e-12, `${c.name} lift lo`);
  }
  it('synthetic samples', () => {
    for (const c of ref.welch) checkWelch(c, c.samples);
  });
  it('Cookie Cats sum_gamerounds (summary statistics)', () => {
    checkWelch(ref.datasets.cookie_cats.metrics.sum_gamerounds);
  });
  it('needs two observations per group', () => {
    expect(() => welchTTest({ mean: 1, sd: NaN, n: 1 }, { mean: 2, sd: 1, n: 10 })).toThrow(/at least 2/);
  });
});

describe('SRM and multiple comparisons', () => {
  it('SRM chi-square goodness of fit vs scipy.stats.chisquare', () => {
    const all = [...ref.srm, ref.datasets.cookie_cats.srm, ref.datasets.adsmart.srm, ref.datasets.udacity.srm_pageviews];
    for (const c of all) {
      const r = srmCheck(c.observed, c.planned);
      close(r.statistic, c.statistic, REL, 1e-12, 'srm stat');
      close(r.p_value, c.p_value, REL, 1e-300, 'srm p');
      expect(r.mismatch).toBe(c.p_value < 0.001);
    }
  });
  it('Holm and BH vs statsmodels multipletests', () => {
    for (const c of ref.multiple) {
      holm(c.p).forEach((v, i) => close(v, c.holm[i], 1e-12, 1e-15, 'holm'));
      benjaminiHochberg(c.p).forEach((v, i) => close(v, c.bh[i], 1e-12, 1e-15, 'bh'));
    }
    const cc = ref.datasets.cookie_cats;
    const ps = [cc.metrics.retention_1.p_value, cc.metrics.retention_7.p_value, cc.metrics.sum_gamerounds.p_value];
    adjustPValues(ps, 'holm').forEach((v, i) => close(v, cc.holm[i], 1e-9, 1e-15, 'cookie holm'));
    adjustPValues(ps, 'bh').forEach((v, i) => close(v, cc.bh[i], 1e-9, 1e-15, 'cookie bh'));
    expect(() => holm([0.2, 1.2])).toThrow();
  });
});
