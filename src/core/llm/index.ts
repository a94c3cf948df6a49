/** The LLM layer's public API: everything else in this folder is private to it. */
export { narrate, outputJsonSchema, parseOutput, type LlmEnv, type RunContext } from './narrate';
export { ask, getConversation } from './ask';
export { checkNarrative, applyFallback } from './grounding';
export { extractNumbers } from './numbers';
export { listPrompts, loadPrompt, resetPrompt } from './prompts';
export { llmStatus, isLocalUrl } from './status';
export { makeProvider, NO_LOCAL_MODEL_BANNER } from './resolve';
export { saveFeedback, usageSummary } from './store';
export { disposeEmbedded } from './providers/embedded';
export { analysisNarrateInput, causalNarrateInput, designNarrateInput, hypothesesNarrateInput, insightsNarrateInput } from './adapters';
