import fs from 'node:fs';
import type { Llama, LlamaModel } from 'node-llama-cpp';
import { llmError, mapFailure } from '../errors';
import type { GenerateRequest, GenerateResult, Health, JsonSchema, LlmProvider, ModelInfo } from './types';

// One llama.cpp runtime per process and one loaded model per file: loading costs far more than a
// generation, and the queue already serialises generations on the same model.
let llamaPromise: Promise<Llama> | null = null;
const loaded = new Map<string, Promise<LlamaModel>>();

async function getRuntime(): Promise<Llama> {
  llamaPromise ??= import('node-llama-cpp').then(({ getLlama }) => getLlama({ gpu: false, build: 'never', progressLogs: false, logLevel: 'error' as never }));
  return llamaPromise;
}

async function getModel(modelPath: string): Promise<LlamaModel> {
  let p = loaded.get(modelPath);
  if (!p) {
    p = getRuntime().then((llama) => llama.loadModel({ modelPath, gpuLayers: 0 }));
    loaded.set(modelPath, p);
    p.catch(() => loaded.delete(modelPath));
  }
  return p;
}

/** Releases loaded models (tests, app shutdown). */
export async function disposeEmbedded(): Promise<void> {
  const models = [...loaded.values()];
  loaded.clear();
  for (const m of models)
    await m.then(
      (x) => x.dispose(),
      () => undefined,
    );
}

const GBNF_KEYS = new Set([
  'type',
  'properties',
  'required',
  'items',
  'minItems',
  'maxItems',
  'enum',
  'const',
  'minLength',
  'maxLength',
  'additionalProperties',
  'description',
  'oneOf',
]);

/** node-llama-cpp's grammar builder takes a subset of JSON schema; unknown keywords are dropped. */
export function toGrammarSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toGrammarSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (!GBNF_KEYS.has(k)) continue;
    if (k === 'properties') out[k] = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([p, s]) => [p, toGrammarSchema(s)]));
    else out[k] = k === 'items' || k === 'oneOf' || k === 'additionalProperties' ? toGrammarSchema(v) : v;
  }
  return out;
}

export class EmbeddedProvider implements LlmProvider {
  readonly name = 'embedded' as const;
  readonly remote = false;
  readonly queueKey: string;
  constructor(
    readonly model: string,
    private readonly threads: number,
  ) {
    this.queueKey = `embedded:${model}`;
  }

  private async load(): Promise<LlamaModel> {
    if (!this.model) throw llmError('embedded', 'no_model', 'No GGUF model file chosen; pick one in Settings or pass --model PATH.');
    if (!fs.existsSync(this.model)) throw llmError('embedded', 'no_model', `GGUF model file not found: ${this.model}`);
    try {
      return await getModel(this.model);
    } catch (err) {
      throw llmError('embedded', 'load_failed', `Could not load ${this.model}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  // 4096 tokens holds the prompt and the answer for every task. Models trained on less (the tiny
  // test models: 2048) still run; their output degrades, and grounding is what catches that.
  private contextSize(model: LlamaModel): number {
    return Math.min(Math.max(model.trainContextSize || 4096, 4096), 4096);
  }

  async promptBudgetChars(): Promise<number | null> {
    const model = await this.load();
    // Characters per token differ by vocabulary (a 512-token vocabulary spends one per character):
    // measure on a typical slice of the data block rather than assume.
    const sample = '{"id":"stage.click.drop_off_rate","label":"Drop-off at Click","display":"42.5%"}';
    const perToken = sample.length / Math.max(1, model.tokenize(sample).length);
    return Math.floor(this.contextSize(model) * 0.55 * perToken);
  }

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    const model = await this.load();
    const { LlamaChatSession } = await import('node-llama-cpp');
    const llama = await getRuntime();
    const system = req.messages
      .filter((m) => m.role === 'system')
      .map((m) => m.content)
      .join('\n\n');
    const rest = req.messages.filter((m) => m.role !== 'system');
    const prompt = rest.map((m) => (m.role === 'assistant' ? `Your previous answer:\n${m.content}` : m.content)).join('\n\n');
    const contextSize = this.contextSize(model);
    const tokensIn = model.tokenize(system + prompt).length;
    const maxTokens = Math.max(32, Math.min(req.maxTokens, contextSize - tokensIn - 16));
    let context: Awaited<ReturnType<LlamaModel['createContext']>> | null = null;
    try {
      // Threads are explicit: llama.cpp's default of 2 ran 15-200x slower on tiny models here.
      context = await model.createContext({ contextSize, threads: this.threads });
      const grammar = await llama.createGrammarForJsonSchema(toGrammarSchema(req.schema) as JsonSchema as never);
      const session = new LlamaChatSession({ contextSequence: context.getSequence(), systemPrompt: system });
      const text = await session.prompt(prompt, {
        grammar,
        maxTokens,
        temperature: 0.2,
        // A fixed seed makes the same prompt give the same answer, as the cache already assumes.
        seed: 42,
        signal: req.signal,
        onTextChunk: (t: string) => {
          if (t) req.onToken?.(t);
        },
      });
      return { text, tokensIn, tokensOut: model.tokenize(text).length };
    } catch (err) {
      throw mapFailure(err, 'embedded', { signal: req.signal, where: this.model });
    } finally {
      await context?.dispose();
    }
  }

  async models(): Promise<ModelInfo[]> {
    if (!this.model || !fs.existsSync(this.model)) return [];
    return [{ name: this.model, size: fs.statSync(this.model).size }];
  }

  async health(): Promise<Health> {
    if (!this.model) return { available: false, detail: 'No GGUF model file chosen.', models: [] };
    if (!fs.existsSync(this.model)) return { available: false, detail: `GGUF model file not found: ${this.model}`, models: [] };
    return { available: true, detail: `GGUF model ${this.model} (in-process, ${this.threads} thread${this.threads === 1 ? '' : 's'}).`, models: [this.model] };
  }
}
