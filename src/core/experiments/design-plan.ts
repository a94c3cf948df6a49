import { IafaError } from '../../shared/contract';
import type { DesignParsed, ExperimentDesign } from '../../shared/contract/experiments';
import { meanMde, meanPowerAt, meanSampleSize, proportionMde, proportionPowerAt, proportionSampleSize, targetRate, type PlanOptions } from '../stats';

/**
 * Planning beyond the equal-split, two-sided, solve-for-n default: unequal allocation (each
 * treatment arm gets `ratio` units per control unit), one-sided tests, and the reverse questions
 * "what power does this n give at the MDE?" and "what MDE does this n (or duration) give?".
 * With k arms each treatment is compared with control at α/(k − 1), as in the default path.
 */
export interface PlanResult {
  perVariant: number;
  total: number;
  controlN: number;
  treatmentN: number;
  mde: number;
  mdeAbs: number;
  mdeRel: number;
  method: string;
  powerAnalysis: NonNullable<ExperimentDesign['power_analysis']> | null;
}

export function needsPlan(input: DesignParsed): boolean {
  return (
    (input.ratio !== undefined && input.ratio !== 1) ||
    input.alternative === 'one-sided' ||
    input.sample_size !== undefined ||
    input.duration_days !== undefined ||
    input.mde === undefined
  );
}

/** Total units available from a given n or from the duration × daily users × allocation. */
function availableTotal(input: DesignParsed): { total: number; source: 'sample_size' | 'duration' } | null {
  if (input.sample_size !== undefined) return { total: input.sample_size, source: 'sample_size' };
  if (input.duration_days !== undefined) {
    if (input.daily_users === undefined)
      throw new IafaError('validation', 'A duration needs the number of daily eligible users (daily_users) to turn days into a sample.');
    return { total: Math.floor(input.duration_days * input.daily_users * input.allocation), source: 'duration' };
  }
  return null;
}

export function plan(input: DesignParsed, baseline: number, alphaPer: number): PlanResult {
  const k = input.variants;
  const ratio = input.ratio ?? 1;
  const sides = input.alternative === 'one-sided' ? 1 : 2;
  const o: PlanOptions = { alpha: alphaPer, ratio, sides };
  const avail = availableTotal(input);
  if (input.mde === undefined && !avail)
    throw new IafaError('validation', 'Give a minimum detectable effect (mde), or a sample size / duration to compute the MDE it allows.');
  const rate = input.metric_type === 'rate';
  const sd = input.baseline_sd as number;
  const side = sides === 1 ? 'one-sided' : 'two-sided';
  const method = rate
    ? `${side} two-proportion z-test, ${ratio === 1 ? 'equal arms' : `treatment/control size ratio ${ratio}`}; pooled variance under H0, unpooled under H1`
    : `${side} two-sample t-test (noncentral t, n1 + n2 − 2 df), ${ratio === 1 ? 'equal arms' : `treatment/control size ratio ${ratio}`}`;
  // The MDE as an absolute difference (rate fraction or metric units), when one was given.
  const mdeAbsGiven =
    input.mde === undefined
      ? undefined
      : rate
        ? targetRateOrThrow(baseline, input.mde, input.mde_type) - baseline
        : input.mde_type === 'relative'
          ? Math.abs(baseline) * input.mde
          : input.mde;
  try {
    let n1: number;
    let n2: number;
    let powerAnalysis: PlanResult['powerAnalysis'] = null;
    let mdeAbs: number;
    if (avail) {
      n1 = avail.total / (1 + (k - 1) * ratio);
      n2 = n1 * ratio;
      if (!(n1 >= 2 && n2 >= 2)) throw new IafaError('validation', `${avail.total} units are too few to split over ${k} arms.`);
      const mdeAtPower = rate ? proportionMde(baseline, n1, input.power, o) : meanMde(sd, n1, input.power, o);
      const powerAtMde =
        mdeAbsGiven === undefined
          ? null
          : rate
            ? proportionPowerAt(baseline, baseline + mdeAbsGiven, n1, n2, alphaPer, sides)
            : meanPowerAt(mdeAbsGiven, sd, n1, n2, alphaPer, sides);
      const scale = rate ? 100 : 1;
      powerAnalysis = {
        source: avail.source,
        total: avail.total,
        control_n: Math.floor(n1),
        treatment_n: Math.floor(n2),
        power_at_mde: powerAtMde,
        mde_absolute: mdeAtPower * scale,
        mde_relative: baseline !== 0 ? (mdeAtPower / Math.abs(baseline)) * 100 : null,
      };
      mdeAbs = mdeAbsGiven ?? mdeAtPower;
      n1 = Math.floor(n1);
      n2 = Math.floor(n2);
    } else {
      mdeAbs = mdeAbsGiven as number;
      const exact = rate ? proportionSampleSize(baseline, baseline + mdeAbs, input.power, o) : meanSampleSize(mdeAbs, sd, input.power, o);
      n1 = Math.ceil(exact - 1e-9);
      n2 = Math.ceil(exact * ratio - 1e-9);
    }
    const mdeRel = baseline !== 0 ? (mdeAbs / Math.abs(baseline)) * 100 : 0;
    return {
      perVariant: n1,
      total: avail ? avail.total : n1 + (k - 1) * n2,
      controlN: n1,
      treatmentN: n2,
      mde: input.mde ?? (input.mde_type === 'relative' && baseline !== 0 ? mdeAbs / Math.abs(baseline) : mdeAbs),
      mdeAbs: rate ? mdeAbs * 100 : mdeAbs,
      mdeRel,
      method,
      powerAnalysis,
    };
  } catch (e) {
    if (e instanceof IafaError) throw e;
    throw new IafaError('validation', (e as Error).message);
  }
}

function targetRateOrThrow(baseline: number, mde: number, type: 'relative' | 'absolute'): number {
  try {
    return targetRate(baseline, mde, type);
  } catch (e) {
    throw new IafaError('validation', (e as Error).message);
  }
}
