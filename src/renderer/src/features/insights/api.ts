import type { HypothesesReport, InsightsReport, RecommendationStatus } from '../../../../shared/contract';
import { api, type CallOptions } from '../../api/client';
import type { CallInput } from '../../../../shared/contract';

type Input = CallInput<'analytics:recommendations'>;

/**
 * The reports carry `narrative`: the model's grounded prose for the same result, or the computed
 * text when no model is active. `refresh` bypasses the generation cache (the Refresh button).
 */
const withLlm = (input: Input, refresh: boolean): Input => (refresh ? { ...input, llm: { ...input.llm, refresh: true } } : input);

export const insightsApi = {
  recommendations: (input: Input, refresh = false, opts?: CallOptions): Promise<InsightsReport> =>
    api('analytics:recommendations', withLlm(input, refresh), opts),
  hypotheses: (input: Input, refresh = false, opts?: CallOptions): Promise<HypothesesReport> => api('analytics:hypotheses', withLlm(input, refresh), opts),
  list: (input: { funnelId?: string }) => api('recommendations:list', input),
  setStatus: (id: string, status: RecommendationStatus, note?: string) => api('recommendations:set-status', note ? { id, status, note } : { id, status }),
};
