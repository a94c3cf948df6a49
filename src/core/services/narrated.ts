import type { CallName, CallOutput, CallParsedInput, LlmOptions, NarrateInput, NarrateOutput } from '../../shared/contract';
import { analysisNarrateInput, causalNarrateInput, designNarrateInput, hypothesesNarrateInput, insightsNarrateInput, narrate } from '../llm';
import type { AppContext, CallContext, Handler, Handlers } from './context';
import { llmEnv } from './llm';

/**
 * The seed's endpoints with model prose: the deterministic handler runs first (its numbers and
 * decisions are final), then the prose for the same result is generated and grounded, and attached
 * as `narrative`. With provider "none" (or no model reachable) `narrative` holds the computed text
 * and says so in its banner, so a client can always read prose from one place.
 * createEngine spreads `narratedHandlers(app, handlers)` after the base handler groups.
 */

type Narratable = 'analytics:recommendations' | 'analytics:hypotheses' | 'experiment:design' | 'experiment:analyze' | 'experiment:causal';

type WithNarrative<K extends CallName> = CallOutput<K> & { narrative: NarrateOutput | null };

const ADAPTERS: { [K in Narratable]: (out: CallOutput<K>, options: LlmOptions) => NarrateInput } = {
  'analytics:recommendations': (out, o) => insightsNarrateInput(out, o),
  'analytics:hypotheses': (out, o) => hypothesesNarrateInput(out, o),
  'experiment:design': (out, o) => designNarrateInput(out, o),
  'experiment:analyze': (out, o) => analysisNarrateInput(out, o),
  'experiment:causal': (out, o) => causalNarrateInput(out, o),
};

function optionsOf(input: unknown): LlmOptions {
  const llm = (input as { llm?: LlmOptions } | null)?.llm;
  return llm && typeof llm === 'object' ? llm : {};
}

export function narrated<K extends Narratable>(
  app: AppContext,
  name: K,
  base: Handler<K>,
): (input: CallParsedInput<K>, ctx: CallContext) => Promise<WithNarrative<K>> {
  return async (input, ctx) => {
    const out = await base(input, ctx);
    const narrative = await narrate(llmEnv(app), ADAPTERS[name](out, optionsOf(input)), ctx);
    return { ...out, narrative };
  };
}

export function narratedHandlers(
  app: AppContext,
  handlers: Pick<Handlers, Narratable>,
): { [K in Narratable]: (input: CallParsedInput<K>, ctx: CallContext) => Promise<WithNarrative<K>> } {
  return {
    'analytics:recommendations': narrated(app, 'analytics:recommendations', handlers['analytics:recommendations']),
    'analytics:hypotheses': narrated(app, 'analytics:hypotheses', handlers['analytics:hypotheses']),
    'experiment:design': narrated(app, 'experiment:design', handlers['experiment:design']),
    'experiment:analyze': narrated(app, 'experiment:analyze', handlers['experiment:analyze']),
    'experiment:causal': narrated(app, 'experiment:causal', handlers['experiment:causal']),
  };
}
