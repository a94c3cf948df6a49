import { describe, expect, it } from 'vitest';
import {
  cuped,
  experimentDuration,
  mdeTwoProportions,
  meanPower,
  msprtProportions,
  sampleSizeMeans,
  sampleSizeTwoProportions,
  twoProportionPower,
  twoProportionZTest,
} from '../../../src/core/stats';
import { close, loadPowerReference, loadReference } from './reference';
import { seededRandom } from '../../../src/core/random';

const R = loadPowerReference();
const ref = loadReference();

describe('power and sample size vs R power.prop.test / power.t.test', () => {
  it('per-variant n for two proportions (relative and absolute MDE, k variants)', () => {
    for (const c of R.prop_n) {
      const r = sampleSizeTwoProportions({ baseline: c.baseline, mde: c.mde, mdeType: c.mde_type, alpha: c.alpha, power: c.power, variants: c.variants });
      close(r.per_variant_exact, c.n_exact, 1e-9, 0, `n(${c.baseline}, ${c.mde})`);
      expect(r.per_variant).toBe(c.per_variant);
      expect(r.total).toBe(c.per_variant * c.variants);
    }
  });
  it('power at a given n', () => {
    for (const c of R.prop_power) close(twoProportionPower(c.p1, c.p2, c.n), c.power, 1e-9, 0, `power(${c.n})`);
  });
  it('MDE at a given n', () => {
    for (const c of R.prop_mde) close(mdeTwoProportions(c.p1, c.n).treatment_rate, c.p2, 1e-9, 0, `p2(${c.n})`);
  });
  it('continuous metrics via the t-test formula', () => {
    for (const c of R.t_n) {
      const r = sampleSizeMeans({ delta: c.delta, sd: c.sd, alpha: c.alpha, power: c.power });
      close(r.per_variant_exact, c.n_exact, 1e-9, 0, `t n(${c.delta})`);
      expect(r.per_variant).toBe(c.per_variant);
    }
    for (const c of R.t_power) close(meanPower(c.n, c.delta, c.sd), c.power, 1e-9, 0, `t power(${c.n})`);
  });
  it('rejects impossible designs with a reason', () => {
    expect(() => sampleSizeTwoProportions({ baseline: 0.95, mde: 0.1 })).toThrow(/not below 100%/);
    expect(() => sampleSizeTwoProportions({ baseline: 0.1, mde: 0.1, variants: 1 })).toThrow(/at least 2 variants/);
    expect(() => sampleSizeTwoProportions({ baseline: 0, mde: 0.1 })).toThrow(/baseline/);
  });
  it('duration in full weeks', () => {
    const d = experimentDuration(18514, 2000, 0.5);
    expect(d.days_needed).toBe(19);
    expect(d.weeks).toBe(3);
    expect(d.days).toBe(21);
    expect(d.rationale).toMatch(/3 full weeks/);
    expect(experimentDuration(100, 1000).days).toBe(7);
    expect(experimentDuration(100, 1000, 1, false).days).toBe(1);
  });
});

describe('sequential testing (mSPRT)', () => {
  it('matches an independent numpy implementation of the Johari et al. formulas', () => {
    const c = ref.msprt;
    const out = msprtProportions(c.looks, { tau: c.tau, alpha: c.alpha });
    out.forEach((r, i) => {
      close(r.likelihood_ratio, c.results[i].likelihood_ratio, 1e-10, 0, 'lr');
      close(r.p_value, c.results[i].p_value, 1e-10, 0, 'p');
      close(r.ci.lower, c.results[i].ci[0], 1e-10, 1e-15, 'lo');
      close(r.ci.upper, c.results[i].ci[1], 1e-10, 1e-15, 'hi');
    });
  });

  it('keeps the false-positive rate at alpha under daily peeking, where naive peeking does not', () => {
    // A/A simulation: 300 experiments, 20 daily looks of 400 users per arm, 10% conversion.
    const rand = seededRandom(12345);
    let msprtFp = 0;
    let naiveFp = 0;
    const sims = 300;
    for (let s = 0; s < sims; s++) {
      const looks = [];
      const c = { successes: 0, n: 0 };
      const t = { successes: 0, n: 0 };
      let naive = false;
      for (let day = 0; day < 20; day++) {
        for (let u = 0; u < 400; u++) {
          c.n++;
          if (rand() < 0.1) c.successes++;
          t.n++;
          if (rand() < 0.1) t.successes++;
        }
        looks.push({ control: { ...c }, treatment: { ...t } });
        if (twoProportionZTest(c, t).p_value < 0.05) naive = true;
      }
      if (naive) naiveFp++;
      if (msprtProportions(looks, { tau: 0.01, alpha: 0.05 }).some((r) => r.reject)) msprtFp++;
    }
    expect(msprtFp / sims).toBeLessThanOrEqual(0.05);
    expect(naiveFp / sims).toBeGreaterThan(0.1);
  });
});

describe('CUPED vs numpy', () => {
  it('theta, variance reduction and the adjusted Welch test', () => {
    const c = ref.cuped;
    const r = cuped(c.control, c.treatment);
    close(r.theta, c.theta, 1e-10, 0, 'theta');
    close(r.variance_reduction, c.variance_reduction, 1e-10, 0, 'variance reduction');
    close(r.test.difference, c.welch.treatment.mean - c.welch.control.mean, 1e-9, 1e-12, 'diff');
    close(r.test.p_value, c.welch.p_value, 1e-9, 1e-300, 'p');
    close(r.test.ci.lower, c.welch.ci[0], 1e-9, 1e-12, 'ci');
    expect(() => cuped({ y: [1, 2], x: [1, 1] }, { y: [3, 4], x: [1, 1] })).toThrow(/constant/);
  });
});
