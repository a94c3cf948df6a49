import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { meanMde, meanPowerAt, meanSampleSize, proportionMde, proportionPowerAt, proportionSampleSize } from '../../../src/core/stats';
import { designExperiment } from '../../../src/core/experiments';
import { DesignInput } from '../../../src/shared/contract/experiments';
import { close, loadPowerReference, type Json } from './reference';

/**
 * Unequal allocation and one-sided planning against make_abn_reference.py (scipy's norm and
 * noncentral t, MDEs and sample sizes by brentq), and against R's power.prop.test / power.t.test
 * (power_reference.json) where the case is R's: equal arms, two-sided.
 */
const ref: Json = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../fixtures/stats/abn_reference.json'), 'utf8')).power;
const R = loadPowerReference();
const o = (c: Json) => ({ alpha: c.alpha, ratio: c.ratio, sides: c.sides as 1 | 2 });

describe('planning with unequal arms and one-sided tests (scipy)', () => {
  it('proportions: n, power and MDE', () => {
    for (const c of ref.prop_n) close(proportionSampleSize(c.p1, c.p2, c.power, o(c)), c.n1, 1e-8, 0, `prop n ${JSON.stringify(c)}`);
    for (const c of ref.prop_power) close(proportionPowerAt(c.p1, c.p2, c.n1, c.n2, c.alpha, c.sides), c.power, 1e-10, 0, 'prop power');
    for (const c of ref.prop_mde) close(proportionMde(c.p1, c.n1, c.power, o(c)), c.mde, 1e-8, 0, 'prop mde');
  });
  it('means: power, MDE and n (noncentral t, n1 + n2 − 2 df)', () => {
    for (const c of ref.mean_power) close(meanPowerAt(c.delta, c.sd, c.n1, c.n2, c.alpha, c.sides), c.power, 1e-8, 0, `mean power ${JSON.stringify(c)}`);
    for (const c of ref.mean_mde) close(meanMde(c.sd, c.n1, c.power, o(c)), c.mde, 1e-7, 0, 'mean mde');
    for (const c of ref.mean_n) close(meanSampleSize(c.delta, c.sd, c.power, o(c)), c.n1, 1e-7, 0, 'mean n');
  });
  it('equal arms, two-sided: the same numbers as R', () => {
    const p = R.prop_n[0];
    close(
      proportionSampleSize(p.baseline, p.baseline * (1 + p.mde), p.power, { alpha: p.alpha, ratio: 1, sides: 2 }),
      p.n_exact,
      1e-10,
      0,
      'power.prop.test n',
    );
    const t = R.t_power[0];
    close(meanPowerAt(t.delta, t.sd, t.n, t.n, 0.05, 2), t.power, 1e-9, 0, 'power.t.test power');
    const m = R.prop_mde[0];
    close(proportionMde(m.p1, m.n, 0.8, { alpha: 0.05, ratio: 1, sides: 2 }), m.p2 - m.p1, 1e-7, 0, 'power.prop.test p2');
  });
});

describe('experiment design with the new options', () => {
  it('iafa experiment design --ratio 0.9 --one-sided --n 20000: power and MDE for that sample', () => {
    const d = designExperiment(
      DesignInput.parse({ baseline_rate: 0.15, mde: 0.1, ratio: 0.9, alternative: 'one-sided', sample_size: 20000, save: false }),
    ).experiment_design;
    const pa = d.power_analysis!;
    const n1 = 20000 / 1.9;
    expect(pa.control_n).toBe(Math.floor(n1));
    expect(pa.treatment_n).toBe(Math.floor(n1 * 0.9));
    close(pa.power_at_mde!, proportionPowerAt(0.15, 0.165, n1, n1 * 0.9, 0.05, 1), 1e-12, 0, 'power at MDE');
    // scipy's MDE for the same sample (first prop_mde case is exactly this design).
    close(pa.mde_absolute / 100, ref.prop_mde[0].mde, 1e-8, 0, 'MDE at 80% power');
    expect(d.randomization.split).toBe('52.6/47.4');
    expect(d.analysis_plan.primary_analysis).toMatch(/^One-sided/);
  });
  it('90/10 allocation solves for the control n; a duration gives the MDE it allows', () => {
    const d = designExperiment(DesignInput.parse({ baseline_rate: 0.1, mde: 0.1, ratio: 1 / 9, save: false })).experiment_design;
    const c = ref.prop_n[1];
    expect(d.sample_size.control_n).toBe(Math.ceil(c.n1));
    expect(d.sample_size.treatment_n).toBe(Math.ceil(c.n1 / 9));
    expect(d.randomization.split).toBe('90/10');
    const byDays = designExperiment(
      DesignInput.parse({ baseline_mean: 50, baseline_sd: 5, metric_type: 'mean', duration_days: 14, daily_users: 100, allocation: 0.5, save: false }),
    ).experiment_design;
    expect(byDays.power_analysis!.total).toBe(700);
    close(byDays.power_analysis!.mde_absolute, meanMde(5, 350, 0.8, { alpha: 0.05, ratio: 1, sides: 2 }), 1e-12, 0, 'mean MDE');
    expect(byDays.duration.days).toBe(14);
    expect(() => designExperiment(DesignInput.parse({ baseline_rate: 0.1, save: false }))).toThrow(/minimum detectable effect/);
    expect(() => designExperiment(DesignInput.parse({ baseline_rate: 0.1, duration_days: 7, save: false }))).toThrow(/daily eligible users/);
  });
  it('three arms with unequal allocation: α/(k − 1) per comparison and n split 1 : ratio : ratio', () => {
    const d = designExperiment(DesignInput.parse({ baseline_rate: 0.1, mde: 0.1, variants: 3, ratio: 0.5, save: false })).experiment_design;
    const n1 = proportionSampleSize(0.1, 0.11, 0.8, { alpha: 0.025, ratio: 0.5, sides: 2 });
    expect(d.sample_size.control_n).toBe(Math.ceil(n1));
    expect(d.sample_size.treatment_n).toBe(Math.ceil(n1 * 0.5));
    expect(d.sample_size.total).toBe(Math.ceil(n1) + 2 * Math.ceil(n1 * 0.5));
    expect(d.sample_size.alpha_per_comparison).toBe(0.025);
    expect(d.randomization.split).toBe('50/25/25');
    const given = designExperiment(DesignInput.parse({ baseline_rate: 0.1, variants: 3, ratio: 0.5, sample_size: 40000, save: false })).experiment_design
      .power_analysis!;
    expect(given.control_n).toBe(20000);
    expect(given.treatment_n).toBe(10000);
    close(given.mde_absolute / 100, proportionMde(0.1, 20000, 0.8, { alpha: 0.025, ratio: 0.5, sides: 2 }), 1e-12, 0, 'k-arm MDE');
  });
  it('the default path is unchanged (R power.prop.test per variant)', () => {
    const p = R.prop_n[0];
    const d = designExperiment(DesignInput.parse({ baseline_rate: p.baseline, mde: p.mde, save: false })).experiment_design;
    expect(d.sample_size.per_variant).toBe(p.per_variant);
    expect(d.power_analysis).toBeNull();
  });
});
