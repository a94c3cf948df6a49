import { IafaError, LlmOptions, ProviderName } from '../shared/contract';
import type { CommandArgs } from './framework';

/** `--provider`, `--model` and `--refresh`, shared by every command that can use a model. */
export const LLM_OPTIONS = {
  provider: { type: 'string' },
  model: { type: 'string' },
  refresh: { type: 'boolean' },
} as const;

export const LLM_USAGE = '[--provider none|ollama|embedded|openai|auto] [--model NAME_OR_GGUF_PATH] [--refresh]';

export const LLM_DETAILS = [
  '--provider picks who writes the prose (default: Settings, normally auto = Ollama when it runs).',
  '--model is an Ollama model name, a GGUF file path (embedded) or an OpenAI-compatible model id.',
  '--refresh ignores a cached answer. Every number printed is still checked against the facts.',
];

export function llmOptionsFromArgs(values: CommandArgs['values']): LlmOptions {
  const out: LlmOptions = {};
  if (values.provider !== undefined) {
    const p = ProviderName.safeParse(values.provider);
    if (!p.success) throw new IafaError('validation', '--provider must be none, ollama, embedded, openai or auto.');
    out.provider = p.data;
  }
  if (typeof values.model === 'string') out.model = values.model;
  if (values.refresh === true) out.refresh = true;
  return out;
}
