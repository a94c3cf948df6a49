import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server';
import { DETERMINISTIC, REPLIES, SHEET } from '../fakes/facts';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama-server';
import { tempEngine } from '../helpers/engine';
import { serverFor } from '../helpers/http';

let fake: FakeOllama;
let env: ReturnType<typeof tempEngine>;
let server: RunningServer;

beforeAll(async () => {
  fake = await startFakeOllama({ models: ['llama3.2:3b'] });
  env = tempEngine({ OLLAMA_HOST: fake.url, IAFA_MAX_REPLY_KB: '64' });
  await env.engine.dispatch('settings:update', { llm: { provider: 'ollama', timeoutMs: 60_000 } });
  server = await serverFor(env.engine);
});
afterAll(async () => {
  await server.close();
  env.cleanup();
  await fake.close();
});

interface Sse {
  event: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
}

async function narrateSse(): Promise<{ events: Sse[]; bytes: number }> {
  const res = await fetch(`${server.url}/api/v1/llm/narrate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, accept: 'text/event-stream', 'content-type': 'application/json' },
    body: JSON.stringify({
      task: 'insights',
      facts: SHEET,
      deterministic: DETERMINISTIC.insights,
      scope: { funnel_id: 'fn_x' },
      options: { provider: 'ollama', refresh: true },
    }),
  });
  const text = await res.text();
  const events = text
    .split('\n\n')
    .filter(Boolean)
    .map((b) => ({ event: /^event: (.*)$/m.exec(b)![1], data: JSON.parse(/^data: (.*)$/m.exec(b)![1]) }));
  return { events, bytes: text.length };
}

describe('streamed model text over SSE', () => {
  it('is marked unchecked in every event that carries it, and the checked result follows', async () => {
    fake.reply({ content: REPLIES.goodInsights });
    const { events } = await narrateSse();
    const drafts = events.filter((e) => e.event === 'progress' && e.data.text);
    expect(drafts.length).toBeGreaterThan(1);
    for (const d of drafts) expect(d.data.unchecked).toBe(true);
    expect(events.filter((e) => e.event === 'progress' && !e.data.text).every((e) => e.data.unchecked === undefined)).toBe(true);
    expect(events.at(-1)!.event).toBe('result');
  });

  it('stops at the reply size cap: bounded events, the computed text instead, nothing of the draft stored', async () => {
    const marker = 'INJECTED-DRAFT-MARKER ';
    fake.reply({ content: marker.repeat(Math.ceil((4 << 20) / marker.length)), chunk: 4096 });
    const { events, bytes } = await narrateSse();
    const streamed = events.filter((e) => e.event === 'progress' && e.data.text).reduce((a, e) => a + e.data.text.length, 0);
    expect(streamed).toBeLessThanOrEqual(64 * 1024 + 4096);
    expect(bytes).toBeLessThan(256 * 1024);
    const result = events.at(-1)!;
    expect(result.event).toBe('result');
    expect(result.data.generation.provider).toBe('none');
    expect(result.data.generation.banner).toMatch(/longer than 64 KB/);
    expect(result.data.narrative).toEqual(DETERMINISTIC.insights);
    // Drafts live only in the live stream: no table holds any of it.
    const tables = (env.engine.app.db.$client.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[]).map((t) => t.name);
    for (const t of tables) {
      const rows = env.engine.app.db.$client.prepare(`SELECT * FROM "${t}"`).all();
      expect(JSON.stringify(rows), t).not.toContain('INJECTED-DRAFT-MARKER');
    }
  });
});
