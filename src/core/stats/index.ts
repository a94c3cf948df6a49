/** Public API of the statistics core: pure functions, fractions in, fractions out. */
export { normalCdf, normalSf, normalPdf, normalQuantile, tCdf, tSf, tPdf, tQuantile, tTwoSidedP, chiSquareCdf, chiSquareSf, chiSquareQuantile } from './distributions';
export { noncentralTCdf } from './noncentral';
export { logGamma, logBeta, incompleteGamma, incompleteBeta } from './special';
export {
  twoProportionZTest,
  waldDiffCI,
  wilsonCI,
  newcombeDiffCI,
  relativeLiftDelta,
  relativeLiftProportions,
  fiellerLift,
  cohensH,
  effectSizeLabel,
  chiSquareIndependence,
  type Proportion,
  type Interval,
  type TwoProportionTest,
  type RelativeLift,
  type EffectSizeLabel,
  type ChiSquareResult,
} from './proportions';
export { holm, benjaminiHochberg, bonferroni, adjustPValues, type Correction } from './multiple';
export { summarize, welchTTest, cohensD, type SampleSummary, type WelchResult } from './continuous';
export { srmCheck, type SrmResult } from './srm';
export {
  twoProportionPower,
  twoProportionPowerUnequal,
  sampleSizeTwoProportions,
  mdeTwoProportions,
  meanPower,
  sampleSizeMeans,
  experimentDuration,
  targetRate,
  bonferroniAlpha,
  type MdeType,
  type SampleSizeResult,
  type DurationResult,
} from './power';
export { msprt, msprtProportions, type SequentialLook, type SequentialLookResult, type ArmSnapshot } from './sequential';
export { cuped, cupedFromMoments, type CupedResult, type CupedMoments } from './cuped';
export { findRoot } from './roots';
export { gaussianEffectPosterior, normalExpectedLoss, FLAT_PRIOR, type GaussianPrior, type BayesianEffect } from './bayes';
export { summarizeRatio, ratioSummaryFromSums, ratioEstimate, ratioLinearized, compareRatios, type RatioSummary, type RatioComparison } from './ratio';
export { proportionPowerAt, proportionSampleSize, proportionMde, meanPowerAt, meanSampleSize, meanMde, type PlanOptions } from './plan';
