import type { MetricResult } from '../../shared/contract/experiments';
import {
  cohensD,
  cohensH,
  cuped,
  cupedFromMoments,
  effectSizeLabel,
  fiellerLift,
  gaussianEffectPosterior,
  newcombeDiffCI,
  relativeLiftDelta,
  relativeLiftProportions,
  twoProportionZTest,
  waldDiffCI,
  welchTTest,
  type CupedMoments,
  type GaussianPrior,
  type Proportion,
  type SampleSummary,
} from '../stats';

/**
 * One metric's data for both arms, whatever the input shape was (user table, aggregated pair,
 * funnel stages), and the comparison that turns it into the seed's metric row.
 */
export type Direction = 'higher_is_better' | 'lower_is_better';

export type MetricData =
  | { kind: 'rate'; name: string; control: Proportion; treatment: Proportion }
  | {
      kind: 'mean';
      name: string;
      control: SampleSummary;
      treatment: SampleSummary;
      /** Raw values, kept when a CUPED covariate is given. */
      cupedInput?: { covariate: string; control: { y: number[]; x: number[] }; treatment: { y: number[]; x: number[] } };
      /** The same from per-arm sufficient statistics (a backend's aggregates): no raw values needed. */
      cupedMoments?: { covariate: string; control: CupedMoments; treatment: CupedMoments };
      /**
       * A ratio metric (Σnumerator/Σdenominator over units): each arm's summary is the ratio and
       * the sd of its per-unit linearisation, so mean·sd/√n are the ratio and its delta-method SE.
       */
      ratio?: { numerator: string; denominator: string };
    };

export interface CompareOptions {
  ciMethod?: 'wald' | 'newcombe';
  engine?: 'frequentist' | 'bayesian';
  /** Prior on the relative effect (a fraction); flat when absent. */
  prior?: GaussianPrior;
}

/** Below this many units in an arm no test is run: the normal approximations are meaningless. */
export const MIN_UNITS_PER_ARM = 10;
/** z-test rule of thumb: at least 5 expected conversions and non-conversions per arm. */
export const MIN_EXPECTED_COUNT = 5;

/** Why no test can be run on this metric, or null when it can. */
export function untestableReason(d: MetricData): string | null {
  const n1 = d.control.n;
  const n2 = d.treatment.n;
  if (n1 === 0 && n2 === 0) return 'both arms are empty';
  if (n1 === 0) return 'the control arm has no units';
  if (n2 === 0) return 'the treatment arm has no units';
  if (n1 < MIN_UNITS_PER_ARM || n2 < MIN_UNITS_PER_ARM) {
    return `too few units (${n1} control, ${n2} treatment; at least ${MIN_UNITS_PER_ARM} per arm are needed for a test)`;
  }
  if (d.kind === 'rate') {
    const x = d.control.successes + d.treatment.successes;
    const n = n1 + n2;
    if (x === 0) return 'no unit converted in either arm, so there is nothing to compare';
    if (x === n) return 'every unit converted in both arms (100%), so there is nothing to compare';
    const pooled = x / n;
    const minExpected = Math.min(n1 * pooled, n1 * (1 - pooled), n2 * pooled, n2 * (1 - pooled));
    if (minExpected < MIN_EXPECTED_COUNT) {
      const what = `${MIN_EXPECTED_COUNT} expected ${pooled < 0.5 ? 'conversions' : 'non-conversions'} in an arm (${minExpected.toFixed(1)})`;
      return `fewer than ${what}, so the z-test's normal approximation is unreliable; collect more data`;
    }
  } else if (!(d.control.sd > 0) && !(d.treatment.sd > 0)) {
    return 'the metric has the same value for every unit in both arms';
  }
  return null;
}

function pair(lo: number, hi: number, scale = 1): [number, number] {
  return [lo * scale, hi * scale];
}

export function compareMetric(d: MetricData, alpha: number, direction: Direction, opts: CompareOptions | 'wald' | 'newcombe' = {}): MetricResult {
  const o: CompareOptions = typeof opts === 'string' ? { ciMethod: opts } : opts;
  const ciMethod = o.ciMethod ?? 'wald';
  const reason = untestableReason(d);
  const ratio = d.kind === 'mean' ? d.ratio : undefined;
  const base: MetricResult = {
    metric: d.name,
    kind: ratio ? 'ratio' : d.kind,
    direction,
    control_value: null,
    treatment_value: null,
    difference: null,
    relative_lift: null,
    relative_lift_ci: null,
    p_value: null,
    p_value_adjusted: null,
    significant: false,
    effect_size: null,
    effect_size_type: d.kind === 'rate' ? 'cohens_h' : 'cohens_d',
    effect_size_label: null,
    confidence_interval: null,
    control_n: d.control.n,
    treatment_n: d.treatment.n,
    control_successes: d.kind === 'rate' ? d.control.successes : null,
    treatment_successes: d.kind === 'rate' ? d.treatment.successes : null,
    test:
      d.kind === 'rate'
        ? `two-proportion z-test (pooled), ${ciMethod === 'newcombe' ? 'Newcombe hybrid score CI' : 'Wald CI (unpooled)'}, Fieller CI of the relative lift`
        : ratio
          ? 'Welch t-test on the delta-method (linearised) ratio, t-based CI of the relative lift'
          : 'Welch t-test (Welch–Satterthwaite df), t-based CI of the relative lift',
    tested: false,
    reason,
    cuped: null,
    ratio: ratio ?? null,
    bayesian: null,
  };
  // Descriptive values are shown even when no test runs (an empty arm has none).
  if (d.kind === 'rate') {
    const p1 = d.control.n > 0 ? d.control.successes / d.control.n : null;
    const p2 = d.treatment.n > 0 ? d.treatment.successes / d.treatment.n : null;
    base.control_value = p1 === null ? null : p1 * 100;
    base.treatment_value = p2 === null ? null : p2 * 100;
    if (p1 !== null && p2 !== null) {
      base.difference = (p2 - p1) * 100;
      base.relative_lift = p1 > 0 ? (p2 / p1 - 1) * 100 : null;
    }
    if (reason) {
      // The z-test is withheld, but an interval still says how large the difference may be:
      // Newcombe's score interval keeps its coverage with few conversions, where Wald's fails.
      if (d.control.n > 0 && d.treatment.n > 0) {
        const nc = newcombeDiffCI(d.control, d.treatment, alpha);
        base.confidence_interval = pair(nc.lower, nc.upper, 100);
        base.test = 'no test: Newcombe hybrid score CI of the difference only';
        base.reason = `no p-value: ${reason}. The ${Math.round((1 - alpha) * 100)}% Newcombe interval of the difference is shown instead`;
      }
      return base;
    }
    const z = twoProportionZTest(d.control, d.treatment);
    const ci = ciMethod === 'newcombe' ? newcombeDiffCI(d.control, d.treatment, alpha) : waldDiffCI(d.control, d.treatment, alpha);
    const h = cohensH(z.control_rate, z.treatment_rate);
    base.p_value = z.p_value;
    base.confidence_interval = pair(ci.lower, ci.upper, 100);
    base.effect_size = h;
    base.effect_size_label = effectSizeLabel(h);
    if (z.control_rate > 0) {
      const f = fiellerLift(d.control, d.treatment, alpha);
      base.relative_lift_ci = f ? pair(f.lower, f.upper, 100) : null;
      if (o.engine === 'bayesian') {
        const rl = relativeLiftProportions(d.control, d.treatment, alpha);
        base.bayesian = bayesianRow(rl.lift, rl.se, direction, alpha, o.prior);
      }
    } else base.reason = 'control rate is 0%, so the relative lift is undefined';
  } else {
    base.control_value = d.control.n > 0 ? d.control.mean : null;
    base.treatment_value = d.treatment.n > 0 ? d.treatment.mean : null;
    if (d.control.n > 0 && d.treatment.n > 0) {
      base.difference = d.treatment.mean - d.control.mean;
      base.relative_lift = d.control.mean !== 0 ? (d.treatment.mean / d.control.mean - 1) * 100 : null;
    }
    if (reason) return base;
    const w = welchTTest(d.control, d.treatment, alpha);
    base.p_value = w.p_value;
    base.confidence_interval = pair(w.ci.lower, w.ci.upper);
    const dd = cohensD(d.control, d.treatment);
    base.effect_size = dd;
    base.effect_size_label = effectSizeLabel(dd);
    if (d.control.mean !== 0) {
      // t with the Welch df, as the absolute interval: the same reference distribution (gbstats does this too).
      const lift = relativeLiftDelta(d.control.mean, d.control.sd ** 2 / d.control.n, d.treatment.mean, d.treatment.sd ** 2 / d.treatment.n, alpha, w.df);
      base.relative_lift_ci = pair(lift.ci.lower, lift.ci.upper, 100);
      if (o.engine === 'bayesian') base.bayesian = bayesianRow(lift.lift, lift.se, direction, alpha, o.prior);
    }
    const cupedOf = d.cupedInput ?? d.cupedMoments;
    if (cupedOf) {
      // The adjusted test replaces the raw one: same estimand (randomization keeps it unbiased), smaller variance.
      const c = d.cupedInput
        ? cuped(d.cupedInput.control, d.cupedInput.treatment, alpha)
        : cupedFromMoments(d.cupedMoments!.control, d.cupedMoments!.treatment, alpha);
      base.cuped = {
        covariate: cupedOf.covariate,
        theta: c.theta,
        variance_reduction: c.variance_reduction,
        difference: c.test.difference,
        confidence_interval: pair(c.test.ci.lower, c.test.ci.upper),
        p_value: c.test.p_value,
      };
      base.p_value = c.test.p_value;
      base.confidence_interval = pair(c.test.ci.lower, c.test.ci.upper);
      base.test = `Welch t-test on CUPED-adjusted values (covariate ${cupedOf.covariate})`;
    }
  }
  base.tested = true;
  base.significant = (base.p_value as number) < alpha;
  reconcile(base);
  return base;
}

function bayesianRow(lift: number, se: number, direction: Direction, alpha: number, prior?: GaussianPrior): NonNullable<MetricResult['bayesian']> {
  const b = gaussianEffectPosterior(lift, se, prior, alpha);
  // For a lower-is-better metric the treatment "wins" when the effect is negative (gbstats' inverse).
  const up = direction === 'higher_is_better';
  return {
    chance_to_win: up ? b.chance_to_win : 1 - b.chance_to_win,
    expected_lift: b.expected * 100,
    credible_interval: [b.ci.lower * 100, b.ci.upper * 100],
    risk_control: (up ? b.risk_control : b.risk_treatment) * 100,
    risk_treatment: (up ? b.risk_treatment : b.risk_control) * 100,
    prior: prior?.proper
      ? `normal prior on the relative lift, mean ${prior.mean * 100}%, sd ${Math.sqrt(prior.variance) * 100}%`
      : 'flat (improper) prior on the relative lift',
  };
}

/**
 * The significance call and the intervals shown next to it must agree: a difference is called
 * significant only when its interval(s) exclude 0 too. They can disagree at the margin because the
 * pooled z-test and the unpooled interval use different variances; then the call is withheld and
 * the reason says why (issue: a read-out said "significant" beside an interval crossing 0).
 */
export function reconcile(m: MetricResult): void {
  if (!m.significant) return;
  const crosses = (ci: [number, number] | null) => ci !== null && ci[0] <= 0 && ci[1] >= 0;
  const ci = m.cuped ? m.cuped.confidence_interval : m.confidence_interval;
  const liftCrosses = !m.cuped && crosses(m.relative_lift_ci);
  if (crosses(ci) || liftCrosses) {
    m.significant = false;
    m.reason =
      `borderline: p = ${(m.p_value as number).toPrecision(3)} is below alpha, ` +
      `but the ${liftCrosses ? 'relative-lift' : 'difference'} interval includes 0, so the result is not called significant`;
  }
}

/** +1 when the observed change is an improvement, −1 when it is a deterioration, 0 when flat. */
export function changeSign(m: MetricResult): number {
  const d = m.cuped ? m.cuped.difference : m.difference;
  if (d === null || d === 0) return 0;
  const s = Math.sign(d);
  return m.direction === 'higher_is_better' ? s : -s;
}
