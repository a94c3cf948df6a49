import type { Dataset } from '../../../shared/contract';
import { defaultsFor } from '../workspaces/experiments/analysisConfig';

/**
 * Where the Experiments analyzer keeps its setup. In localStorage, so the analyzer's settings
 * survive a reload and the next launch (issue 15).
 */
export const ANALYSIS_CONFIG_KEY = 'iafa.experiments.analysis';

/** Opens the analyzer on this dataset next time Experiments mounts (after an A/B import). */
export function presetAnalysis(d: Dataset): void {
  localStorage.setItem(ANALYSIS_CONFIG_KEY, JSON.stringify(defaultsFor(d)));
}
