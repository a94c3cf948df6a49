/** Public API of the statistics core: pure functions, fractions in, fractions out. */
export { normalCdf, normalSf, normalQuantile, tCdf, tSf, tQuantile, tTwoSidedP, chiSquareCdf, chiSquareSf, chiSquareQuantile } from './distributions';
export { noncentralTCdf } from './noncentral';
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
} from './proportions';
export { holm, benjaminiHochberg, adjustPValues } from './multiple';
export { summarize, welchTTest, cohensD, type SampleSummary } from './continuous';
export { srmCheck } from './srm';
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
} from './power';
export { msprt, msprtProportions } from './sequential';
export { cuped, cupedFromMoments, type CupedMoments } from './cuped';
export { gaussianEffectPosterior, normalExpectedLoss, type GaussianPrior } from './bayes';
export { summarizeRatio, ratioSummaryFromSums, ratioEstimate } from './ratio';
export { proportionPowerAt, proportionSampleSize, proportionMde, meanPowerAt, meanSampleSize, meanMde, type PlanOptions } from './plan';
