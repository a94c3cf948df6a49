import type { IafaError } from '../../../shared/contract';

export type JsonSchema = Record<string, unknown>;

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GenerateRequest {
  messages: ChatMessage[];
  /** The output must be one JSON value matching this schema. */
  schema: JsonSchema;
  maxTokens: number;
  signal: AbortSignal;
  onToken?: (text: string) => void;
}

export interface GenerateResult {
  /** Raw text as the model wrote it; parsing and validation happen in one place, not per provider. */
  text: string;
  tokensIn: number | null;
  tokensOut: number | null;
}

export interface ModelInfo {
  name: string;
  size: number | null;
}

export interface Health {
  available: boolean;
  detail: string;
  models: string[];
}

export interface LlmProvider {
  readonly name: 'ollama' | 'embedded' | 'openai';
  readonly model: string;
  /** True when prompts leave this machine. */
  readonly remote: boolean;
  /** One generation at a time per local model: the queue key. */
  readonly queueKey: string;
  generate(req: GenerateRequest): Promise<GenerateResult>;
  models(signal: AbortSignal): Promise<ModelInfo[]>;
  health(signal: AbortSignal): Promise<Health>;
  /** Prompt budget in characters, when the model's context is small. */
  promptBudgetChars?(): Promise<number | null>;
}

export type LlmFailureReason =
  'not_running' | 'model_missing' | 'http_error' | 'timeout' | 'remote_disabled' | 'rate_limited' | 'no_model' | 'load_failed' | 'invalid_output';

export interface LlmFailureDetails {
  provider: string;
  reason: LlmFailureReason;
  status?: number;
}

export function failureOf(err: IafaError): LlmFailureDetails | null {
  const d = err.details as Partial<LlmFailureDetails> | undefined;
  return d && typeof d.reason === 'string' && typeof d.provider === 'string' ? (d as LlmFailureDetails) : null;
}
