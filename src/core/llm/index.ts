/** The LLM layer's public API: everything else in this folder is private to it. */
export { narrate, outputJsonSchema, parseOutput, type LlmEnv, type RunContext } from './narrate';
export { ask, deterministicAnswer, getConversation, matchFacts } from './ask';
export { computedAnswer } from './answer';
export { classifyQuestion, vocabulary } from './question';
export { checkNarrative, applyFallback, type GroundingFinding, type GroundingCheck } from './grounding';
export { extractNumbers, type WrittenNumber } from './numbers';
export { listPrompts, loadPrompt, resetPrompt } from './prompts';
export { llmStatus, isLocalUrl, ollamaHost } from './status';
export { makeProvider, resolveChain, NO_LOCAL_MODEL_BANNER } from './resolve';
export { saveFeedback, usageSummary } from './store';
export { disposeEmbedded } from './providers/embedded';
export { modelQueue } from './queue';
export type { LlmProvider, GenerateRequest, GenerateResult } from './providers/types';
export { analysisNarrateInput, causalNarrateInput, designNarrateInput, hypothesesNarrateInput, insightsNarrateInput, reportNarrateInput } from './adapters';
