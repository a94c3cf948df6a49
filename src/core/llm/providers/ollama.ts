import { Ollama } from 'ollama';
import { llmError, mapFailure } from '../errors';
import type { GenerateRequest, GenerateResult, Health, LlmProvider, ModelInfo } from './types';

export function resolveOllamaHost(configured: string, env: NodeJS.ProcessEnv): string {
  const raw = configured || env.OLLAMA_HOST || 'http://127.0.0.1:11434';
  const trimmed = raw.replace(/\/+$/, '');
  // Ollama's own convention allows a bare host:port; any other scheme is refused, not prefixed.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) && !/^https?:\/\//i.test(trimmed)) {
    throw llmError('ollama', 'http_error', `The Ollama host must be an http(s) URL, got "${trimmed.slice(0, 100)}".`);
  }
  return /^https?:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
}

/**
 * The `ollama` client aborts only through its own controller (and not at all for GETs), so every
 * request goes through a fetch that also listens to the caller's signal.
 */
function client(host: string, signal: AbortSignal): Ollama {
  const f: typeof fetch = (input, init) => {
    const signals = [signal, init?.signal].filter((s): s is AbortSignal => Boolean(s));
    return fetch(input, { ...init, signal: AbortSignal.any(signals) });
  };
  return new Ollama({ host, fetch: f });
}

interface OllamaResponseError {
  name: string;
  status_code?: number;
  error?: string;
  message: string;
}

function isResponseError(err: unknown): err is OllamaResponseError {
  return typeof err === 'object' && err !== null && (err as { name?: string }).name === 'ResponseError';
}

export class OllamaProvider implements LlmProvider {
  readonly name = 'ollama' as const;
  readonly remote: boolean;
  readonly queueKey: string;
  constructor(
    readonly host: string,
    readonly model: string,
    remote: boolean,
  ) {
    this.remote = remote;
    this.queueKey = `ollama:${host}:${model}`;
  }

  private fail(err: unknown, signal: AbortSignal) {
    if (isResponseError(err)) {
      const msg = err.error ?? err.message;
      if (err.status_code === 404 || /model .*not found|pull/i.test(msg)) {
        return llmError(
          'ollama',
          'model_missing',
          `Ollama has no model "${this.model}"; run \`ollama pull ${this.model}\` or pick an installed model.`,
          err.status_code,
        );
      }
      return llmError('ollama', 'http_error', `Ollama at ${this.host} answered HTTP ${err.status_code ?? '?'}: ${msg}`, err.status_code);
    }
    return mapFailure(err, 'ollama', { signal, where: this.host });
  }

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    const ollama = client(this.host, req.signal);
    const base = {
      model: this.model,
      messages: req.messages,
      format: req.schema,
      // A low temperature keeps prose close to the data; it does not make numbers right (grounding does).
      // Ollama's default context (2k-4k tokens by version) silently truncates the start of a
      // long prompt, which is where the instructions are; 8k holds the data block and the answer.
      options: { temperature: 0.2, num_predict: req.maxTokens, num_ctx: 8192 },
    };
    try {
      if (!req.onToken) {
        const res = await ollama.chat({ ...base, stream: false });
        return { text: res.message.content, tokensIn: res.prompt_eval_count ?? null, tokensOut: res.eval_count ?? null };
      }
      const stream = await ollama.chat({ ...base, stream: true });
      let text = '';
      let tokensIn: number | null = null;
      let tokensOut: number | null = null;
      for await (const part of stream) {
        if (req.signal.aborted) {
          stream.abort();
          break;
        }
        if (part.message?.content) {
          text += part.message.content;
          req.onToken(part.message.content);
        }
        if (part.done) {
          tokensIn = part.prompt_eval_count ?? null;
          tokensOut = part.eval_count ?? null;
        }
      }
      if (req.signal.aborted) throw req.signal.reason ?? new DOMException('aborted', 'AbortError');
      return { text, tokensIn, tokensOut };
    } catch (err) {
      throw this.fail(err, req.signal);
    }
  }

  /** About 3.5k tokens of data: room for the instructions and the answer in an 8k context. */
  async promptBudgetChars(): Promise<number> {
    return 12_000;
  }

  async models(signal: AbortSignal): Promise<ModelInfo[]> {
    try {
      const res = await client(this.host, signal).list();
      return res.models.map((m) => ({ name: m.name, size: typeof m.size === 'number' ? m.size : null }));
    } catch (err) {
      throw this.fail(err, signal);
    }
  }

  async health(signal: AbortSignal): Promise<Health> {
    try {
      const models = (await this.models(signal)).map((m) => m.name);
      const has = models.some((m) => m === this.model || m === `${this.model}:latest`);
      return {
        available: has,
        detail: has
          ? `Ollama is running at ${this.host} with ${this.model}.`
          : `Ollama is running at ${this.host} but has no model "${this.model}"; run \`ollama pull ${this.model}\`.`,
        models,
      };
    } catch (err) {
      return { available: false, detail: err instanceof Error ? err.message : String(err), models: [] };
    }
  }
}
