import { normalCdf, normalPdf, normalQuantile } from './distributions';
import type { Interval } from './proportions';

/**
 * Bayesian read-out of one treatment-vs-control effect, the model GrowthBook's gbstats uses by
 * default: the effect (relative lift, or absolute difference) is normal with the frequentist
 * estimate as its mean and its standard error as its sd (large-sample likelihood), combined with
 * a normal prior on the effect. With the default improper flat prior the posterior is the
 * likelihood itself, so a credible interval equals the z confidence interval; a proper prior
 * N(m, v) shrinks the estimate towards m by precision weighting.
 */
export interface GaussianPrior {
  mean: number;
  variance: number;
  /** false = flat (improper) prior: the data alone decide. */
  proper: boolean;
}

export const FLAT_PRIOR: GaussianPrior = { mean: 0, variance: 1, proper: false };

export interface BayesianEffect {
  /** Posterior mean of the effect (same scale as the estimate: a fraction for relative lifts). */
  expected: number;
  sd: number;
  /** Equal-tailed (1 − alpha) credible interval. */
  ci: Interval;
  /** P(effect > 0): the treatment beats control (before applying the metric's direction). */
  chance_to_win: number;
  /** Expected loss of keeping control: E[max(effect, 0)]. */
  risk_control: number;
  /** Expected loss of shipping the treatment: E[max(−effect, 0)]. */
  risk_treatment: number;
}

/** E[max(X, 0)] and E[max(−X, 0)] for X ~ N(mu, sigma²), in closed form. */
export function normalExpectedLoss(mu: number, sigma: number): [number, number] {
  if (!(sigma > 0)) return [Math.max(mu, 0), Math.max(-mu, 0)];
  const z = mu / sigma;
  const dens = sigma * normalPdf(z);
  return [mu * normalCdf(z) + dens, dens - mu * normalCdf(-z)];
}

export function gaussianEffectPosterior(estimate: number, se: number, prior: GaussianPrior = FLAT_PRIOR, alpha = 0.05): BayesianEffect {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (prior.proper && !(prior.variance > 0)) throw new RangeError('a proper prior needs a positive variance');
  const dataVar = se * se;
  let precision: number;
  let mean: number;
  if (dataVar > 0) {
    precision = 1 / dataVar + (prior.proper ? 1 / prior.variance : 0);
    mean = prior.proper ? (estimate / dataVar + prior.mean / prior.variance) / precision : estimate;
  } else {
    precision = prior.proper ? 1 / prior.variance : 0;
    mean = prior.proper ? prior.mean : 0;
  }
  if (!(precision > 0)) throw new RangeError('the effect has no variance and the prior is flat, so there is no posterior');
  const sd = Math.sqrt(1 / precision);
  const q = normalQuantile(1 - alpha / 2);
  const [riskControl, riskTreatment] = normalExpectedLoss(mean, sd);
  return {
    expected: mean,
    sd,
    ci: { lower: mean - q * sd, upper: mean + q * sd },
    chance_to_win: normalCdf(mean / sd),
    risk_control: riskControl,
    risk_treatment: riskTreatment,
  };
}
