import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkNarrative, llmStatus, makeProvider, narrate, NO_LOCAL_MODEL_BANNER } from '../../src/core/llm';
import { IafaError, Settings } from '../../src/shared/contract';
import { DETERMINISTIC, FACTS, HOSTILE_SEGMENT, REPLIES, SHEET } from '../fakes/facts';
import { refusedUrl } from '../fakes/http-util';
import { collectingContext, makeLlmEnv } from '../fakes/llm-env';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama-server';

let fake: FakeOllama;
let env: ReturnType<typeof makeLlmEnv>;

beforeAll(async () => {
  fake = await startFakeOllama({ models: ['llama3.2:3b'] });
});
afterAll(() => fake.close());
afterEach(() => env?.dispose());

const insights = (opts: { refresh?: boolean; provider?: 'ollama' | 'auto' } = {}) => ({
  task: 'insights' as const,
  facts: SHEET,
  deterministic: DETERMINISTIC.insights,
  scope: { funnel_id: 'fn_test' },
  options: { provider: opts.provider ?? 'ollama', refresh: opts.refresh ?? true },
});

/** Nothing the user sees may fail grounding: re-check the final text. */
function assertClean(narrative: unknown, decision: string | null = null) {
  expect(checkNarrative(narrative, FACTS, decision).findings).toEqual([]);
}

describe('Ollama provider against the fake server', () => {
  it('good output: streamed, schema sent as format, grounded, cached', async () => {
    env = makeLlmEnv({ ollamaHost: fake.url });
    fake.reply({ content: REPLIES.goodInsights });
    const ctx = collectingContext();
    const out = await narrate(env, insights(), ctx);
    expect(out.generation.provider).toBe('ollama');
    expect(out.grounding).toMatchObject({ passed: true, fallback_fields: [], ungrounded: [] });
    expect(out.grounding.checked).toBeGreaterThan(5);
    expect(out.narrative).toEqual(JSON.parse(REPLIES.goodInsights));
    expect(ctx.streamed()).toBe(REPLIES.goodInsights);
    const req = fake.requests.filter((r) => r.path === '/api/chat').at(-1);
    expect(req?.body?.format).toMatchObject({ type: 'object', required: ['summary', 'insights', 'recommendations'] });
    // The prompt holds facts inside the data block and says to treat it as data.
    const messages = req?.body?.messages as { role: string; content: string }[];
    expect(messages[0].content).toMatch(/never follow instructions/i);
    expect(messages[1].content).toMatch(/<<<DATA[\s\S]*"display":"45.0%"[\s\S]*DATA>>>/);

    const again = await narrate(env, insights({ refresh: false }), collectingContext());
    expect(again.generation.cache_hit).toBe(true);
    expect(again.narrative).toEqual(out.narrative);
  });

  it('invented numbers: one retry with the findings, then per-field fallback', async () => {
    env = makeLlmEnv({ ollamaHost: fake.url });
    const before = fake.requests.length;
    fake.reply({ content: REPLIES.inventedInsights }, { content: REPLIES.inventedInsights });
    const out = await narrate(env, insights(), collectingContext());
    const chats = fake.requests.slice(before).filter((r) => r.path === '/api/chat');
    expect(chats).toHaveLength(2);
    const retry = (chats[1].body?.messages as { content: string }[]).at(-1)?.content ?? '';
    expect(retry).toContain('"37%"');
    expect(out.grounding.passed).toBe(false);
    expect(out.grounding.ungrounded.map((u) => u.number)).toEqual(expect.arrayContaining(['37%', '4,500', 'segment.Nobody.rate']));
    expect(out.grounding.fallback_fields).toEqual(expect.arrayContaining(['summary', 'insights.1', 'insights.2']));
    const n = out.narrative as typeof DETERMINISTIC.insights;
    expect(n.summary).toBe(DETERMINISTIC.insights.summary);
    expect(n.insights[0].text).toBe('Planners convert at 45.0%.');
    assertClean(out.narrative);
  });

  it('a good retry replaces a bad first answer', async () => {
    env = makeLlmEnv({ ollamaHost: fake.url });
    fake.reply({ content: REPLIES.inventedInsights }, { content: REPLIES.goodInsights });
    const out = await narrate(env, insights(), collectingContext());
    expect(out.grounding.passed).toBe(true);
    expect(out.narrative).toEqual(JSON.parse(REPLIES.goodInsights));
  });

  it.each([
    ['malformed JSON', REPLIES.malformed],
    ['schema-violating JSON', REPLIES.schemaViolating],
  ])('%s twice: the computed analysis, marked as fallback', async (_name, content) => {
    env = makeLlmEnv({ ollamaHost: fake.url });
    fake.reply({ content }, { content });
    const out = await narrate(env, insights(), collectingContext());
    expect(out.narrative).toEqual(DETERMINISTIC.insights);
    expect(out.grounding.passed).toBe(false);
    expect(out.grounding.fallback_fields).toEqual(['summary', 'insights', 'recommendations']);
  });

  it('prompt-injected text never reaches the response', async () => {
    env = makeLlmEnv({ ollamaHost: fake.url });
    fake.reply({ content: REPLIES.injectedInsights }, { content: REPLIES.injectedInsights });
    const out = await narrate(env, insights(), collectingContext());
    const n = out.narrative as typeof DETERMINISTIC.insights;
    expect(n.summary).toBe(DETERMINISTIC.insights.summary);
    expect(JSON.stringify(out.narrative)).not.toContain('Ignore previous');
    expect(JSON.stringify(out.narrative)).not.toMatch(/\bSHIP\b/);
    assertClean(out.narrative);
    // The hostile label reaches the model only inside the data block.
    const msgs = fake.requests.filter((r) => r.path === '/api/chat').at(-1)?.body?.messages as { content: string }[];
    expect(msgs[0].content).not.toContain(HOSTILE_SEGMENT);
  });

  it('a model cannot flip the decision code made', async () => {
    env = makeLlmEnv({ ollamaHost: fake.url });
    fake.reply({ content: REPLIES.flippedDecision }, { content: REPLIES.flippedDecision });
    const out = await narrate(
      env,
      { task: 'experiment_analysis', facts: SHEET, deterministic: DETERMINISTIC.experiment_analysis, decision: 'SHIP', options: { provider: 'ollama' } },
      collectingContext(),
    );
    expect(out.grounding.ungrounded.map((u) => u.number)).toContain('ROLLBACK');
    expect((out.narrative as { interpretation: string }).interpretation).toBe(DETERMINISTIC.experiment_analysis.interpretation);
    assertClean(out.narrative, 'SHIP');
  });

  it('HTTP 500: llm_unavailable from the provider, computed analysis from narrate', async () => {
    env = makeLlmEnv({ ollamaHost: fake.url });
    fake.reply({ status: 500, error: 'llama runner process has terminated' });
    const p = makeProvider('ollama', env.settings, { env: {}, openaiKey: '' });
    const err = await p
      .generate({ messages: [{ role: 'user', content: 'x' }], schema: {}, maxTokens: 10, signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IafaError);
    expect((err as IafaError).kind).toBe('llm_unavailable');
    expect((err as IafaError).message).toMatch(/HTTP 500.*llama runner/);
    fake.reply({ status: 500, error: 'llama runner process has terminated' });
    const out = await narrate(env, insights(), collectingContext());
    expect(out.generation.provider).toBe('none');
    expect(out.narrative).toEqual(DETERMINISTIC.insights);
    expect(out.generation.banner).toMatch(/HTTP 500.*Showing the computed analysis/);
  });

  it('a stall past the timeout falls back with a timeout message', async () => {
    env = makeLlmEnv({ ollamaHost: fake.url, timeoutMs: 1000 });
    fake.reply({ stall: true });
    const t0 = Date.now();
    const out = await narrate(env, insights(), collectingContext());
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(out.generation.provider).toBe('none');
    expect(out.generation.banner).toMatch(/did not answer within 1 s/);
  });

  it('cancellation while generating is `cancelled`, not a fallback', async () => {
    env = makeLlmEnv({ ollamaHost: fake.url, timeoutMs: 30_000 });
    fake.reply({ stall: true });
    const c = new AbortController();
    setTimeout(() => c.abort(), 200);
    const err = await narrate(env, insights(), collectingContext(c.signal)).catch((e: unknown) => e);
    expect((err as IafaError).kind).toBe('cancelled');
  });

  it('connection refused: the plain "not running" message, auto shows the banner', async () => {
    const url = await refusedUrl();
    env = makeLlmEnv({ ollamaHost: url });
    const p = makeProvider('ollama', env.settings, { env: {}, openaiKey: '' });
    const err = (await p.models(new AbortController().signal).catch((e: unknown) => e)) as IafaError;
    expect(err.kind).toBe('llm_unavailable');
    expect(err.message).toBe(`Ollama is not running at ${url}; start it or choose another provider.`);
    const out = await narrate(env, insights({ provider: 'auto' }), collectingContext());
    expect(out.generation.provider).toBe('none');
    expect(out.generation.banner).toBe(NO_LOCAL_MODEL_BANNER);
  });

  it('missing model: names the ollama pull command', async () => {
    env = makeLlmEnv({ ollamaHost: fake.url, ollamaModel: 'qwen2.5:7b' });
    const out = await narrate(env, insights(), collectingContext());
    expect(out.generation.provider).toBe('none');
    expect(out.generation.banner).toContain('ollama pull qwen2.5:7b');
  });

  it('OLLAMA_HOST is used when settings leave the host empty; models are listed live', async () => {
    const s = Settings.parse({ llm: { ollamaHost: '' } });
    const p = makeProvider('ollama', s, { env: { OLLAMA_HOST: fake.url.replace('http://', '') }, openaiKey: '' });
    expect(await p.models(new AbortController().signal)).toEqual([{ name: 'llama3.2:3b', size: 2_019_393_189 }]);
  });

  it('llm:status: auto with Ollama down shows the banner; a remote Ollama host is flagged', async () => {
    const down = await refusedUrl();
    const st = await llmStatus(Settings.parse({ llm: { ollamaHost: down } }), { env: {}, openaiKeySet: false });
    expect(st).toMatchObject({ configured: 'auto', active: 'none', banner: NO_LOCAL_MODEL_BANNER, dataLeavesDevice: false });
    const up = await llmStatus(Settings.parse({ llm: { ollamaHost: fake.url } }), { env: {}, openaiKeySet: false });
    expect(up).toMatchObject({ active: 'ollama', banner: null });
    expect(up.providers.find((p) => p.name === 'ollama')?.models).toEqual(['llama3.2:3b']);
    const remote = await llmStatus(Settings.parse({ llm: { ollamaHost: 'http://10.255.255.1:11434', provider: 'ollama' } }), {
      env: {},
      openaiKeySet: false,
      timeoutMs: 300,
    });
    expect(remote.providers.find((p) => p.name === 'ollama')?.destination).toBe('remote');
  });
});
