/** Public API of the deterministic analyst: facts, detectors, recommendations, hypotheses, rendering. */
export { analyzeFunnel } from './analyze';
export { buildHypotheses } from './hypotheses';
export { renderMarkdown, renderHypothesesMarkdown } from './markdown';
export { detectPoints } from './detect';
export { FactBook, cite, mag } from './factbook';
export * as format from './format';
