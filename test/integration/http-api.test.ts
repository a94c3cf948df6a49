import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server';
import { tempEngine } from '../helpers/engine';
import { apiFetch, serverFor } from '../helpers/http';

let env: ReturnType<typeof tempEngine>;
let server: RunningServer;

beforeAll(async () => {
  env = tempEngine();
  server = await serverFor(env.engine);
});
afterAll(async () => {
  await server.close();
  env.cleanup();
});

/** Counts rows in every table so a test can prove a rejected request wrote nothing. */
function snapshot(): Record<string, number> {
  const tables = (
    env.engine.app.db.$client.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]
  ).map((r) => r.name);
  return Object.fromEntries(tables.map((t) => [t, (env.engine.app.db.$client.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n]));
}

/** Raw request so Host and Origin can be forged the way a rebinding page would. */
function raw(path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, path, method: 'GET', headers: { authorization: `Bearer ${server.token}`, ...headers } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP API', () => {
  it('binds to loopback and refuses other addresses', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { startServer } = await import('../../src/server');
    await expect(startServer({ engine: env.engine, host: '0.0.0.0', port: 0 })).rejects.toThrow(/127\.0\.0\.1 only/);
  });

  it('round-trips a contract call (settings update then read)', async () => {
    const put = await apiFetch(server, 'PATCH', '/api/v1/settings', { llm: { provider: 'none', timeoutMs: 30000 } });
    expect(put.status).toBe(200);
    expect(put.json.llm.provider).toBe('none');
    const get = await apiFetch(server, 'GET', '/api/v1/settings');
    expect(get.json.llm).toMatchObject({ provider: 'none', timeoutMs: 30000 });
    expect(get.json.openaiApiKeySet).toBe(false);
    // A one-field patch changes that field only (defaults must not refill the others).
    const one = await apiFetch(server, 'PATCH', '/api/v1/settings', { llm: { redactSegments: true } });
    expect(one.json.llm).toMatchObject({ provider: 'none', timeoutMs: 30000, redactSegments: true });
    const health = await apiFetch(server, 'GET', '/api/v1/health');
    expect(health.json).toMatchObject({ status: 'ok', dataDir: env.dataDir });
    expect(health.json.database.migrations).toBeGreaterThan(0);
  });

  it('never returns a stored secret', async () => {
    await apiFetch(server, 'PATCH', '/api/v1/settings', { openaiApiKey: 'sk-test-secret' });
    const get = await apiFetch(server, 'GET', '/api/v1/settings');
    expect(get.json.openaiApiKeySet).toBe(true);
    expect(JSON.stringify(get.json)).not.toContain('sk-test-secret');
    await apiFetch(server, 'PATCH', '/api/v1/settings', { openaiApiKey: '' });
  });

  it('answers malformed JSON with 400 and writes nothing', async () => {
    const before = snapshot();
    const r = await apiFetch(server, 'POST', '/api/v1/funnels', '{"datasetId": ');
    expect(r.status).toBe(400);
    expect(r.json.error.kind).toBe('validation');
    expect(r.json.error.message).toMatch(/Malformed JSON/);
    expect(snapshot()).toEqual(before);
  });

  it('answers a schema-violating body with 400 and the zod message naming the field', async () => {
    const before = snapshot();
    const r = await apiFetch(server, 'POST', '/api/v1/funnels', { datasetId: 'x', name: 'n', definition: { steps: [{ event: 'only-one' }] } });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/definition\.steps/);
    const r2 = await apiFetch(server, 'PATCH', '/api/v1/settings', { llm: { provider: 'skynet' } });
    expect(r2.status).toBe(400);
    expect(r2.json.error.message).toMatch(/llm\.provider/);
    const r3 = await apiFetch(server, 'PATCH', '/api/v1/settings', { lmm: {} });
    expect(r3.status).toBe(400);
    expect(snapshot()).toEqual(before);
  });

  it('requires the token on every API call (401)', async () => {
    const before = snapshot();
    for (const [method, path] of [
      ['GET', '/api/v1/health'],
      ['GET', '/api/v1/datasets'],
      ['PATCH', '/api/v1/settings'],
    ]) {
      const res = await fetch(server.url + path, { method, body: method === 'GET' ? undefined : '{"llm":{"provider":"ollama"}}' });
      expect(res.status).toBe(401);
    }
    const wrong = await fetch(server.url + '/api/v1/health', { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(snapshot()).toEqual(before);
  });

  it('refuses foreign origins and hosts (403): other web pages and DNS rebinding', async () => {
    expect(await raw('/api/v1/health', { origin: 'http://evil.example' })).toBe(403);
    expect(await raw('/api/v1/health', { origin: `http://127.0.0.1:${server.port + 1}` })).toBe(403);
    expect(await raw('/api/v1/health', { host: `evil.example:${server.port}` })).toBe(403);
    expect(await raw('/', { host: `evil.example:${server.port}` })).toBe(403);
    expect(await raw('/api/v1/health', { origin: server.url })).toBe(200);
    expect(await raw('/api/v1/health', { host: `localhost:${server.port}` })).toBe(200);
  });

  it('answers unknown ids with 404 and unknown routes with 404', async () => {
    expect((await apiFetch(server, 'GET', '/api/v1/datasets/ds_missing')).status).toBe(404);
    expect((await apiFetch(server, 'GET', '/api/v1/funnels/fn_missing')).status).toBe(404);
    const del = await apiFetch(server, 'DELETE', '/api/v1/funnels/fn_missing');
    expect(del.status).toBe(404);
    expect(del.json.error.message).toMatch(/fn_missing/);
    expect((await apiFetch(server, 'GET', '/api/v1/nothing-here')).status).toBe(404);
    expect((await apiFetch(server, 'PUT', '/api/v1/settings', {})).status).toBe(405);
  });

  it('streams progress and the result as server-sent events when asked', async () => {
    const res = await fetch(server.url + '/api/v1/health', { headers: { authorization: `Bearer ${server.token}`, accept: 'text/event-stream' } });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await res.text();
    expect(text).toMatch(/^event: result\ndata: \{"status":"ok"/m);
  });
});
