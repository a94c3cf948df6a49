import type { GenerationInfo, GroundingReport } from '../../../../shared/contract';
import type { HypothesesReport, InsightsReport, RecommendationStatus } from '../../../../shared/contract';
import { api, type CallOptions } from '../../api/client';
import type { CallInput } from '../../../../shared/contract';

/**
 * The LLM layer may put a model's prose and its provenance next to the computed report; those
 * fields are read when present, so the panel shows "computed" or "<model> · verified".
 */
export type WithProvenance<T> = Omit<T, 'provider' | 'model_used'> & {
  provider: string;
  model_used?: string | null;
  generation?: GenerationInfo;
  grounding?: GroundingReport;
};

type Input = CallInput<'analytics:recommendations'>;

export const insightsApi = {
  recommendations: (input: Input, opts?: CallOptions): Promise<WithProvenance<InsightsReport>> => api('analytics:recommendations', input, opts),
  hypotheses: (input: Input, opts?: CallOptions): Promise<WithProvenance<HypothesesReport>> => api('analytics:hypotheses', input, opts),
  list: (input: { funnelId?: string }) => api('recommendations:list', input),
  setStatus: (id: string, status: RecommendationStatus, note?: string) => api('recommendations:set-status', note ? { id, status, note } : { id, status }),
};
