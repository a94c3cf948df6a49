import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/core/services';
import { startServer } from '../../src/server';
import { DETERMINISTIC, SHEET } from '../fakes/facts';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama-server';

let fake: FakeOllama;
let engine: Engine;
let dataDir: string;

beforeAll(async () => {
  fake = await startFakeOllama({ models: ['llama3.2:3b', 'qwen2.5:7b'] });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-llm-engine-'));
  engine = createEngine({ dataDir, env: { OLLAMA_HOST: fake.url } });
});
afterAll(async () => {
  engine.close();
  await fake.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const answer = (text: string, ids: string[]) => JSON.stringify({ answer: text, fact_ids: ids, follow_up_questions: ['How did Actors do?'] });

describe('LLM calls through the engine (the same path IPC, HTTP and the CLI take)', () => {
  it('llm:status and llm:models see the fake Ollama live', async () => {
    const status = await engine.dispatch('llm:status', {});
    expect(status).toMatchObject({ configured: 'auto', active: 'ollama', banner: null, dataLeavesDevice: false });
    const models = await engine.dispatch('llm:models', {});
    expect(models.models.map((m) => m.name)).toEqual(['llama3.2:3b', 'qwen2.5:7b']);
  });

  it('analytics:ask answers with fact references, streams, keeps history, and caches', async () => {
    fake.reply({
      content: answer('Planners convert at 45.0%, well above Actors at 25.0%.', [
        'segment.Planner.overall_conversion_rate',
        'segment.Actor.overall_conversion_rate',
      ]),
    });
    const events: string[] = [];
    const first = await engine.dispatch(
      'analytics:ask',
      { funnelId: 'fn_x', question: 'Why is Planner conversion higher?', facts: SHEET },
      { onProgress: (e) => e.text && events.push(e.text) },
    );
    expect(first.answer).toContain('45.0%');
    expect(first.supporting_data).toEqual([
      { fact_id: 'segment.Planner.overall_conversion_rate', label: 'Planner conversion', display: '45.0%' },
      { fact_id: 'segment.Actor.overall_conversion_rate', label: 'Actor conversion', display: '25.0%' },
    ]);
    expect(first.follow_up_questions).toEqual(['How did Actors do?']);
    expect(first.generation.provider).toBe('ollama');
    expect(events.join('')).toContain('Planners convert');

    fake.reply({ content: answer('Actors convert at 25.0%.', ['segment.Actor.overall_conversion_rate']) });
    const second = await engine.dispatch('analytics:ask', { funnelId: 'fn_x', question: 'And Actors?', conversationId: first.conversation_id, facts: SHEET });
    expect(second.conversation_id).toBe(first.conversation_id);
    // The earlier turn went to the model as data.
    const lastChat = fake.requests.filter((r) => r.path === '/api/chat').at(-1);
    expect(JSON.stringify(lastChat?.body)).toContain('Why is Planner conversion higher?');

    const conv = await engine.dispatch('conversations:get', { id: first.conversation_id });
    expect(conv.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(conv.messages[1].payload).toHaveProperty('supporting_data');
  });

  it('provider none answers from the facts deterministically', async () => {
    const out = await engine.dispatch('analytics:ask', {
      funnelId: 'fn_x',
      question: 'Which stage has the largest drop-off?',
      facts: SHEET,
      options: { provider: 'none' },
    });
    expect(out.answer).toBe('Drop-off at Click: 50.0%.');
    expect(out.generation).toMatchObject({ provider: 'none', banner: null });
    expect(out.grounding.passed).toBe(true);
  });

  it('llm:narrate, feedback and usage figures', async () => {
    fake.reply({ content: JSON.stringify({ ...DETERMINISTIC.insights, summary: 'Conversion is 15.0%, below the 18.0% of the previous period.' }) });
    const input = { task: 'insights' as const, facts: SHEET, deterministic: DETERMINISTIC.insights, scope: { funnel_id: 'fn_y' } };
    const a = await engine.dispatch('llm:narrate', input);
    const b = await engine.dispatch('llm:narrate', input);
    expect(a.generation.cache_hit).toBe(false);
    expect(b.generation.cache_hit).toBe(true);
    const c = await engine.dispatch('llm:narrate', { ...input, options: { refresh: true } });
    expect(c.generation.cache_hit).toBe(false);

    await engine.dispatch('llm:feedback', { generationId: a.generation.generation_id as string, itemPath: 'insights.0', helpful: true, stars: 5 });
    await engine.dispatch('llm:feedback', { generationId: a.generation.generation_id as string, itemPath: 'insights.1', helpful: false, comment: 'obvious' });
    await expect(engine.dispatch('llm:feedback', { generationId: 'gen_nope', helpful: true })).rejects.toMatchObject({ kind: 'not_found' });
    const usage = await engine.dispatch('llm:usage', {});
    expect(usage.helpful_share).toBe(0.5);
    expect(usage.average_stars).toBe(5);
    expect(usage.cache_hits).toBeGreaterThanOrEqual(1);
    expect(usage.cache_hit_rate).toBeGreaterThan(0);
    expect(usage.providers.find((p) => p.provider === 'ollama')?.requests).toBeGreaterThanOrEqual(3);
    expect(usage.remote_cost_usd).toBe(0);
  });

  it('prompts:list shows built-ins; a custom override changes the version; reset moves it aside', async () => {
    const list = await engine.dispatch('prompts:list', {});
    expect(list.prompts.map((p) => p.id)).toEqual(['insights', 'report', 'ask', 'hypotheses', 'experiment_design', 'experiment_analysis', 'causal']);
    expect(list.prompts.every((p) => !p.custom && p.version === '1')).toBe(true);
    const builtin = fs.readFileSync(list.prompts.find((p) => p.id === 'ask')?.path as string, 'utf8');
    fs.mkdirSync(list.folder, { recursive: true });
    fs.writeFileSync(path.join(list.folder, 'ask.md'), builtin.replace('at most four sentences', 'at most two sentences'));
    const custom = (await engine.dispatch('prompts:list', {})).prompts.find((p) => p.id === 'ask');
    expect(custom).toMatchObject({ custom: true, builtin_version: '1' });
    expect(custom?.version).toMatch(/^1-custom-[0-9a-f]{8}$/);
    fake.reply({ content: answer('Overall conversion is 15.0%.', ['overall.conversion_rate']) });
    const out = await engine.dispatch('analytics:ask', { funnelId: 'fn_x', question: 'Overall conversion?', facts: SHEET });
    expect(out.generation.prompt_version).toBe(custom?.version);
    const sys = (fake.requests.filter((r) => r.path === '/api/chat').at(-1)?.body?.messages as { content: string }[])[0].content;
    expect(sys).toContain('at most two sentences');
    const reset = await engine.dispatch('prompts:reset', { id: 'ask' });
    expect(reset.reset).toBe(true);
    expect(fs.existsSync(reset.backup as string)).toBe(true);
    expect((await engine.dispatch('prompts:list', {})).prompts.find((p) => p.id === 'ask')?.custom).toBe(false);
  });

  it('ask without facts on an unknown funnel is not_found', async () => {
    await expect(engine.dispatch('analytics:ask', { funnelId: 'fn_x', question: 'Hi?' })).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('HTTP: POST /api/v1/analytics/:funnelId/ask streams tokens as server-sent events, then the checked result', async () => {
    const server = await startServer({ engine, host: '127.0.0.1', port: 0, rendererDir: path.join(dataDir, 'no-renderer') });
    try {
      fake.reply({ content: answer('Overall conversion is 15.0%.', ['overall.conversion_rate']) });
      const res = await fetch(`${server.url}/api/v1/analytics/fn_http/ask`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ question: 'What is overall conversion?', facts: SHEET, options: { refresh: true } }),
      });
      const text = await res.text();
      const events = text
        .split('\n\n')
        .filter(Boolean)
        .map((block) => ({
          event: /^event: (.*)$/m.exec(block)?.[1],
          data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as Record<string, unknown>,
        }));
      const streamed = events
        .filter((e) => e.event === 'progress' && typeof e.data.text === 'string')
        .map((e) => e.data.text)
        .join('');
      expect(streamed).toContain('Overall conversion is 15.0%.');
      const result = events.find((e) => e.event === 'result')?.data;
      expect(result).toMatchObject({ answer: 'Overall conversion is 15.0%.', grounding: { passed: true } });
    } finally {
      await server.close();
    }
  });
});
