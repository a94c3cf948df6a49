import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server';
import { DETERMINISTIC, SHEET } from '../fakes/facts';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama-server';
import { tempEngine } from '../helpers/engine';
import { apiFetch, serverFor } from '../helpers/http';

let fake: FakeOllama;
let env: ReturnType<typeof tempEngine>;
let server: RunningServer;

beforeAll(async () => {
  fake = await startFakeOllama({ models: ['llama3.2:3b'] });
  env = tempEngine({ OLLAMA_HOST: fake.url });
  await env.engine.dispatch('settings:update', { llm: { provider: 'ollama', timeoutMs: 60_000 } });
  server = await serverFor(env.engine);
});
afterAll(async () => {
  await server.close();
  env.cleanup();
  await fake.close();
});

const body = (i: number) =>
  JSON.stringify({
    task: 'insights',
    facts: SHEET,
    deterministic: DETERMINISTIC.insights,
    scope: { funnel_id: `fn_${i}` },
    options: { provider: 'ollama', refresh: true },
  });

async function until(f: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('timed out waiting');
}

describe('model-backed routes have a bounded queue', () => {
  it('defaults are visible in the API', async () => {
    const r = await apiFetch(server, 'GET', '/api/v1/limits');
    expect(r.status).toBe(200);
    const names = r.json.groups.map((g: { name: string }) => g.name);
    expect(names).toEqual(['ask', 'reports', 'narration']);
    for (const g of r.json.groups) {
      expect(g.concurrent).toBeGreaterThan(0);
      expect(g.queue).toBeGreaterThanOrEqual(0);
      expect(g).toMatchObject({ running: 0, waiting: 0 });
    }
    expect(r.json.groups.find((g: { name: string }) => g.name === 'ask').calls).toContain('analytics:ask');
  });

  it('past the queue a call gets 429 with Retry-After; the queue shows in /limits; the limits are settings', async () => {
    const set = await apiFetch(server, 'PATCH', '/api/v1/settings', { limits: { narration: { concurrent: 1, queue: 1 } } });
    expect(set.status).toBe(200);
    expect(set.json.limits.narration).toEqual({ concurrent: 1, queue: 1 });
    fake.reply({ stall: true });
    const aborts = [new AbortController(), new AbortController()];
    const held = aborts.map((a, i) =>
      fetch(`${server.url}/api/v1/llm/narrate`, {
        method: 'POST',
        signal: a.signal,
        body: body(i),
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      }).catch(() => null),
    );
    try {
      await until(async () => {
        const g = (await apiFetch(server, 'GET', '/api/v1/limits')).json.groups.find((x: { name: string }) => x.name === 'narration');
        return g.running === 1 && g.waiting === 1;
      });
      const third = await fetch(`${server.url}/api/v1/llm/narrate`, {
        method: 'POST',
        body: body(3),
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      });
      expect(third.status).toBe(429);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const err = (await third.json()).error;
      expect(err.kind).toBe('rate_limited');
      expect(err.message).toMatch(/Settings/);
      // A client asking for a stream is refused the same way, before any stream opens.
      const streamed = await fetch(`${server.url}/api/v1/llm/narrate`, {
        method: 'POST',
        body: body(4),
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      });
      expect(streamed.status).toBe(429);
      expect(streamed.headers.get('retry-after')).toMatch(/^\d+$/);
      await streamed.text();
      // Another group is not affected.
      const ask = (await apiFetch(server, 'GET', '/api/v1/limits')).json.groups.find((x: { name: string }) => x.name === 'ask');
      expect(ask).toMatchObject({ running: 0, waiting: 0 });
    } finally {
      aborts.forEach((a) => a.abort());
      await Promise.all(held);
    }
    // Cancelled work leaves the queue.
    await until(async () => {
      const g = (await apiFetch(server, 'GET', '/api/v1/limits')).json.groups.find((x: { name: string }) => x.name === 'narration');
      return g.running === 0 && g.waiting === 0;
    });
    fake.reply({ content: '{}' });
  });

  it('refuses nonsense limits (400)', async () => {
    for (const limits of [{ ask: { concurrent: 0, queue: 1 } }, { ask: { concurrent: 1, queue: -1 } }, { nope: { concurrent: 1, queue: 1 } }]) {
      expect((await apiFetch(server, 'PATCH', '/api/v1/settings', { limits })).status).toBe(400);
    }
  });
});
