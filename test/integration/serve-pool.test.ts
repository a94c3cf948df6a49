import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/core/services';
import { BENCH_STEPS, writeBenchLog } from '../../bench/funnel-data';
import { healthUnderLoad, loadDefinition, quantile, startServe, type Serve } from '../../bench/serve-load';

/**
 * `iafa serve` with its worker pool, in a process of its own: while 64 funnel computes with
 * different filters run, /api/v1/health keeps answering, and a cancelled funnel stops at once.
 * IAFA_POOL_TEST_WORKERS=0 runs the health test with every call on the answering thread (its
 * assertions then fail: that is the "before"; the other tests need the pool).
 */
const EVENTS = Number(process.env.IAFA_POOL_TEST_EVENTS ?? 3_000_000);
const WORKERS = Number(process.env.IAFA_POOL_TEST_WORKERS ?? 2);
const QUEUE = Number(process.env.IAFA_POOL_TEST_QUEUE ?? 24);

let dir: string;
let serve: Serve;
let datasetId: string;

/** A heavy funnel (every user, a breakdown) for the cancel tests: it must still run when the cancel comes. */
function heavy(i: number) {
  return { steps: BENCH_STEPS.map((event) => ({ event })), window: `${i}d`, breakdown: 'country' };
}

async function poolStatus(): Promise<{ workers: number; running: number; waiting: number }> {
  return (await (await serve.api('GET', '/api/v1/limits')).json()).pool;
}

/** Reads an SSE response until `stop` says so; returns the events seen. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function readEvents(res: Response, stop: (event: string, data: any) => boolean): Promise<{ event: string; data: any }[]> {
  const seen: { event: string; data: unknown }[] = [];
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return seen;
    buf += dec.decode(value, { stream: true });
    let cut: number;
    while ((cut = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? '';
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null');
      seen.push({ event, data });
      if (stop(event, data)) {
        // Released, not cancelled: cancelling would close the request, which cancels the call.
        reader.releaseLock();
        return seen;
      }
    }
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-pool-'));
  const csv = path.join(dir, 'events.csv');
  writeBenchLog(csv, EVENTS, Math.round(EVENTS / 12));
  const dataDir = path.join(dir, 'data');
  const engine = createEngine({ dataDir, env: {} });
  datasetId = (await engine.dispatch('datasets:import', { path: csv })).id;
  engine.close();
  fs.rmSync(csv);
  serve = await startServe(dataDir, WORKERS, QUEUE);
}, 300_000);

afterAll(async () => {
  await serve?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe(`iafa serve keeps answering while funnels run (${EVENTS} events)`, () => {
  it('health answers at p95 <= 100 ms, never above 500 ms, while 64 computes run; all computes succeed', async () => {
    const { seconds, latencies, results } = await healthUnderLoad(serve, datasetId, 64);
    const p95 = quantile(latencies, 0.95);
    const worst = Math.max(...latencies);
    console.log(
      `health during 64 computes (${seconds.toFixed(1)} s, ${WORKERS} workers): ${latencies.length} samples, p50 ${quantile(latencies, 0.5).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${worst.toFixed(1)} ms; 503 retries: ${results.reduce((s, r) => s + r.busy, 0)}`,
    );
    for (const r of results) {
      expect(r.status).toBe(200);
      expect(r.body.stages).toHaveLength(4);
    }
    // Different filters give different funnels: the workers did not answer one for all.
    expect(new Set(results.map((r) => JSON.stringify(r.body.stages))).size).toBeGreaterThan(16);
    expect(latencies.length).toBeGreaterThan(10);
    expect(p95).toBeLessThanOrEqual(100);
    expect(worst).toBeLessThanOrEqual(500);
  }, 600_000);

  it.skipIf(WORKERS === 0)(
    'past the queue the API answers 503 with Retry-After',
    async () => {
      const burst = await Promise.all(
        Array.from({ length: QUEUE + 8 }, (_, i) => serve.api('POST', '/api/v1/funnels/compute', { datasetId, definition: loadDefinition(100 + i) })),
      );
      const statuses = burst.map((r) => r.status);
      await Promise.all(burst.map((r) => r.body?.cancel()));
      expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
      expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
      expect(burst.filter((r) => r.status === 503).every((r) => Number(r.headers.get('retry-after')) >= 1)).toBe(true);
      // Nothing is left running once every answer is in.
      for (let i = 0; i < 50 && (await poolStatus()).running > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect((await poolStatus()).running).toBe(0);
    },
    300_000,
  );

  it.skipIf(WORKERS === 0)(
    'the route limits still apply before the pool (429 for a full group, not 503)',
    async () => {
      const set = await serve.api('PATCH', '/api/v1/settings', { llm: { provider: 'none' }, limits: { narration: { concurrent: 1, queue: 0 } } });
      expect(set.status).toBe(200);
      const calls = await Promise.all([0, 1, 2].map((i) => serve.api('POST', '/api/v1/analytics/recommendations', { datasetId, definition: heavy(10 + i) })));
      const statuses = calls.map((r) => r.status).sort();
      const bodies = await Promise.all(calls.map((r) => r.json()));
      expect(statuses).toEqual([200, 429, 429]);
      expect(bodies.find((b) => b.error)?.error.kind).toBe('rate_limited');
      expect(bodies.find((b) => !b.error)).toBeTruthy();
    },
    120_000,
  );

  it.skipIf(WORKERS === 0)(
    'ops:cancel stops a running funnel within 100 ms',
    async () => {
      const opId = 'cancel-me';
      const res = await serve.api('POST', '/api/v1/funnels/compute', { datasetId, definition: heavy(20) }, { accept: 'text/event-stream', 'x-iafa-op': opId });
      const events = readEvents(res, (event) => event === 'result' || event === 'error');
      for (let i = 0; i < 100 && (await poolStatus()).running === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect((await poolStatus()).running).toBe(1);
      const t0 = performance.now();
      const cancel = await (await serve.api('POST', `/api/v1/ops/${opId}/cancel`)).json();
      const seen = await events;
      const ms = performance.now() - t0;
      expect(cancel.cancelled).toBe(true);
      expect(seen.at(-1)).toMatchObject({ event: 'error', data: { kind: 'cancelled' } });
      expect((await poolStatus()).running).toBe(0);
      console.log(`ops:cancel answered in ${ms.toFixed(1)} ms`);
      expect(ms).toBeLessThanOrEqual(100);
    },
    120_000,
  );

  it.skipIf(WORKERS === 0)(
    'closing the request stops a running funnel within 100 ms',
    async () => {
      const abort = new AbortController();
      const res = await serve.api('POST', '/api/v1/funnels/compute', { datasetId, definition: heavy(21) }, { accept: 'text/event-stream' }, abort.signal);
      // The stream says when a worker has taken the call.
      await readEvents(res, (event, data) => event === 'progress' && data?.phase === 'running');
      expect((await poolStatus()).running).toBe(1);
      const t0 = performance.now();
      abort.abort();
      let ms = Infinity;
      for (let i = 0; i < 100; i++) {
        if ((await poolStatus()).running === 0) {
          ms = performance.now() - t0;
          break;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      console.log(`closed request freed its worker in ${ms.toFixed(1)} ms`);
      expect(ms).toBeLessThanOrEqual(100);
      // A new worker takes the place of the one stopped, and computes.
      for (let i = 0; i < 100 && (await poolStatus()).workers < WORKERS; i++) await new Promise((r) => setTimeout(r, 50));
      expect((await poolStatus()).workers).toBe(WORKERS);
      expect((await serve.api('POST', '/api/v1/funnels/compute', { datasetId, definition: heavy(22) })).status).toBe(200);
    },
    120_000,
  );
});
