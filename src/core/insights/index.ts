/** Public API of the deterministic analyst: facts, detectors, recommendations, hypotheses, rendering. */
export { analyzeFunnel, type AnalyzeOptions } from './analyze';
export { buildHypotheses } from './hypotheses';
export { renderMarkdown, renderHypothesesMarkdown } from './markdown';
export { detectPoints, DEFAULT_DETECT, type DetectOptions, type FlaggedPoint } from './detect';
export { FactBook, cite, mag, key, type Cited } from './factbook';
export * as format from './format';
export type { AnalysisOptions } from './context';
