import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkNarrative, makeProvider, narrate } from '../../src/core/llm';
import type { IafaError } from '../../src/shared/contract';
import { DETERMINISTIC, FACTS, REPLIES, SHEET } from '../fakes/facts';
import { refusedUrl } from '../fakes/http-util';
import { collectingContext, makeLlmEnv } from '../fakes/llm-env';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-server';

const KEY = 'sk-test-123';
let fake: FakeOpenAi;
let env: ReturnType<typeof makeLlmEnv>;

beforeAll(async () => {
  fake = await startFakeOpenAi({ models: ['gpt-4o-mini'], apiKey: KEY });
});
afterAll(() => fake.close());
afterEach(() => env?.dispose());

const input = (refresh = true) => ({
  task: 'insights' as const,
  facts: SHEET,
  deterministic: DETERMINISTIC.insights,
  options: { provider: 'openai' as const, refresh },
});
const local = (extra: Record<string, unknown> = {}) => makeLlmEnv({ openaiBaseUrl: fake.url, openaiModel: 'gpt-4o-mini', ...extra }, {}, KEY);

// Reaches the loopback fake (on Linux a connection to 0.0.0.0 lands on this host), but 0.0.0.0 is
// not a loopback address, so the app treats it as remote: the way to test the remote rules
// without leaving the machine.
const remoteLooking = () => fake.url.replace('127.0.0.1', '0.0.0.0');

describe('OpenAI-compatible provider against the fake server', () => {
  it('good output over SSE with response_format json_schema and the key', async () => {
    env = local();
    fake.reply({ content: REPLIES.goodInsights });
    const ctx = collectingContext();
    const out = await narrate(env, input(), ctx);
    expect(out.generation).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', tokens_in: 150, tokens_out: 70, data_left_device: false });
    expect(out.grounding.passed).toBe(true);
    expect(ctx.streamed()).toBe(REPLIES.goodInsights);
    const req = fake.requests.filter((r) => r.path === '/v1/chat/completions').at(-1);
    expect(req?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req?.body?.stream).toBe(true);
    expect(req?.body?.response_format).toMatchObject({ type: 'json_schema', json_schema: { strict: true, schema: { type: 'object' } } });
  });

  it('non-streaming JSON answers work too', async () => {
    env = local();
    fake.reply({ content: REPLIES.goodInsights });
    const p = makeProvider('openai', env.settings, { env: {}, openaiKey: KEY });
    const r = await p.generate({
      messages: [{ role: 'user', content: 'hi' }],
      schema: { type: 'object' },
      maxTokens: 50,
      signal: new AbortController().signal,
    });
    expect(r).toEqual({ text: REPLIES.goodInsights, tokensIn: 150, tokensOut: 70 });
  });

  it('invented and injected text is replaced by the computed text', async () => {
    env = local();
    fake.reply({ content: REPLIES.inventedInsights }, { content: REPLIES.injectedInsights });
    const out = await narrate(env, input(), collectingContext());
    expect(out.grounding.passed).toBe(false);
    expect(checkNarrative(out.narrative, FACTS).findings).toEqual([]);
    expect(JSON.stringify(out.narrative)).not.toMatch(/Ignore previous|SHIP|37%/);
  });

  it.each([
    ['a 500', () => fake.reply({ status: 500, error: 'upstream exploded' }), /HTTP 500: upstream exploded/, {}],
    ['a stall past the timeout', () => fake.reply({ stall: true }), /did not answer within 1 s/, { timeoutMs: 1000 }],
    ['a missing model', () => undefined, /no model "gpt-9"/, { openaiModel: 'gpt-9' }],
    ['malformed JSON twice', () => fake.reply({ content: REPLIES.malformed }, { content: REPLIES.malformed }), null, {}],
  ])('%s', async (_name, script, banner, extra) => {
    env = local(extra);
    script();
    const out = await narrate(env, input(), collectingContext());
    expect(out.narrative).toEqual(DETERMINISTIC.insights);
    if (banner) expect(out.generation.banner).toMatch(banner);
  });

  it('a rejected key says so', async () => {
    env = makeLlmEnv({ openaiBaseUrl: fake.url }, {}, 'wrong');
    const out = await narrate(env, input(), collectingContext());
    expect(out.generation.banner).toMatch(/refused the API key/);
  });

  it('connection refused', async () => {
    const url = await refusedUrl();
    env = makeLlmEnv({ openaiBaseUrl: `${url}/v1` }, {}, KEY);
    const p = makeProvider('openai', env.settings, { env: {}, openaiKey: KEY });
    const err = (await p.models(new AbortController().signal).catch((e: unknown) => e)) as IafaError;
    expect(err.kind).toBe('llm_unavailable');
    expect(err.message).toMatch(/Nothing answers at/);
  });

  it('a remote host is refused until remote providers are enabled; no request is sent', async () => {
    env = makeLlmEnv({ openaiBaseUrl: remoteLooking() }, {}, KEY);
    const before = fake.requests.length;
    const out = await narrate(env, input(), collectingContext());
    expect(fake.requests.length).toBe(before);
    expect(out.generation.provider).toBe('none');
    expect(out.generation.banner).toMatch(/remote providers are off until you enable them/);
  });

  it('enabled remote: data_left_device, cost recorded, segment names redacted on the way out and restored', async () => {
    env = makeLlmEnv({ openaiBaseUrl: remoteLooking(), remoteEnabled: true, redactSegments: true, dailyLimit: { openai: 1 } }, {}, KEY);
    fake.reply({ content: REPLIES.goodInsights.replace(/Planners/g, 'SEGMENT_1 users').replace('segment.Planner.', 'segment.SEGMENT_1.') });
    const out = await narrate(env, input(), collectingContext());
    expect(out.generation.data_left_device).toBe(true);
    const sent = JSON.stringify(fake.requests.at(-1)?.body);
    expect(sent).not.toContain('Planner');
    expect(sent).toContain('SEGMENT_');
    const text = JSON.stringify(out.narrative);
    expect(text).toContain('Planner users');
    expect(text).toContain('segment.Planner.overall_conversion_rate');
    // The daily limit of 1 is now used up: the next call does not reach the server.
    const before = fake.requests.length;
    const second = await narrate(env, input(), collectingContext());
    expect(fake.requests.length).toBe(before);
    expect(second.generation.banner).toMatch(/daily limit of 1 openai requests/);
  });

  it('fallback chain: Ollama down, the next provider in Settings answers and the note says so', async () => {
    const down = await refusedUrl();
    env = makeLlmEnv({ provider: 'ollama', ollamaHost: down, openaiBaseUrl: fake.url, fallback: ['openai'] }, {}, KEY);
    fake.reply({ content: REPLIES.goodInsights });
    const out = await narrate(env, { ...input(), options: { refresh: true } }, collectingContext());
    expect(out.generation.provider).toBe('openai');
    expect(out.generation.banner).toBe(`Ollama is not running at ${down}; start it or choose another provider. Answered by openai instead.`);
    expect(out.grounding.passed).toBe(true);
  });
});
