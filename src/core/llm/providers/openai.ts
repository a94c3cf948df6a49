import { llmError, mapFailure } from '../errors';
import type { GenerateRequest, GenerateResult, Health, LlmProvider, ModelInfo } from './types';

interface Completion {
  choices?: { message?: { content?: string | null }; delta?: { content?: string | null } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

/** OpenAI's strict mode rejects JSON-schema keywords it does not know; these it accepts everywhere. */
function strictSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _drop, ...rest } = schema;
  return rest;
}

/** Works with api.openai.com and with local servers speaking the same API (LM Studio, llama.cpp, vLLM). */
export class OpenAiProvider implements LlmProvider {
  readonly name = 'openai' as const;
  readonly queueKey: string;
  constructor(
    readonly baseUrl: string,
    readonly model: string,
    private readonly apiKey: string,
    readonly remote: boolean,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.queueKey = `openai:${this.baseUrl}:${model}`;
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
    if (this.apiKey) h.Authorization = `Bearer ${this.apiKey}`;
    return h;
  }

  private async check(res: Response): Promise<void> {
    if (res.ok) return;
    let msg = `HTTP ${res.status}`;
    try {
      const body = (await res.json()) as { error?: { message?: string } | string };
      msg = typeof body.error === 'string' ? body.error : (body.error?.message ?? msg);
    } catch {
      // A non-JSON error page: the status says enough.
    }
    if (res.status === 404 && /model/i.test(msg))
      throw llmError('openai', 'model_missing', `The server at ${this.baseUrl} has no model "${this.model}": ${msg}`, 404);
    if (res.status === 401 || res.status === 403)
      throw llmError('openai', 'http_error', `The server at ${this.baseUrl} refused the API key (HTTP ${res.status}); check it in Settings.`, res.status);
    if (res.status === 429) throw llmError('openai', 'rate_limited', `The server at ${this.baseUrl} is rate limiting requests: ${msg}`, 429);
    throw llmError('openai', 'http_error', `The server at ${this.baseUrl} answered HTTP ${res.status}: ${msg}`, res.status);
  }

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    const stream = Boolean(req.onToken);
    const body = {
      model: this.model,
      messages: req.messages,
      temperature: 0.2,
      max_tokens: req.maxTokens,
      response_format: { type: 'json_schema', json_schema: { name: 'iafa_output', strict: true, schema: strictSchema(req.schema) } },
      stream,
      ...(stream ? { stream_options: { include_usage: true } } : {}),
    };
    try {
      const res = await fetch(`${this.baseUrl}/chat/completions`, { method: 'POST', headers: this.headers(), body: JSON.stringify(body), signal: req.signal });
      await this.check(res);
      if (!stream) {
        const json = (await res.json()) as Completion;
        return {
          text: json.choices?.[0]?.message?.content ?? '',
          tokensIn: json.usage?.prompt_tokens ?? null,
          tokensOut: json.usage?.completion_tokens ?? null,
        };
      }
      return await this.readSse(res, req);
    } catch (err) {
      throw mapFailure(err, 'openai', { signal: req.signal, where: this.baseUrl });
    }
  }

  private async readSse(res: Response, req: GenerateRequest): Promise<GenerateResult> {
    if (!res.body) throw llmError('openai', 'http_error', `The server at ${this.baseUrl} sent an empty stream.`);
    const decoder = new TextDecoder();
    let buffer = '';
    let text = '';
    let usage: Completion['usage'] = null;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]') return { text, tokensIn: usage?.prompt_tokens ?? null, tokensOut: usage?.completion_tokens ?? null };
        const event = JSON.parse(data) as Completion;
        const piece = event.choices?.[0]?.delta?.content;
        if (piece) {
          text += piece;
          req.onToken?.(piece);
        }
        if (event.usage) usage = event.usage;
      }
    }
    return { text, tokensIn: usage?.prompt_tokens ?? null, tokensOut: usage?.completion_tokens ?? null };
  }

  /** Local OpenAI-compatible servers often run 4k-8k contexts; a remote model gains nothing from more. */
  async promptBudgetChars(): Promise<number> {
    return 12_000;
  }

  async models(signal: AbortSignal): Promise<ModelInfo[]> {
    try {
      const res = await fetch(`${this.baseUrl}/models`, { headers: this.headers(), signal });
      await this.check(res);
      const json = (await res.json()) as { data?: { id: string }[] };
      return (json.data ?? []).map((m) => ({ name: m.id, size: null }));
    } catch (err) {
      throw mapFailure(err, 'openai', { signal, where: this.baseUrl });
    }
  }

  async health(signal: AbortSignal): Promise<Health> {
    try {
      const models = (await this.models(signal)).map((m) => m.name);
      return { available: true, detail: `OpenAI-compatible API at ${this.baseUrl}.`, models };
    } catch (err) {
      return { available: false, detail: err instanceof Error ? err.message : String(err), models: [] };
    }
  }
}
