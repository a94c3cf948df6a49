import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IafaError } from '../../src/shared/contract';
import { createEngine, type Engine } from '../../src/core/services';
import { noopContext } from '../../src/core/services/context';
import { WorkerPool } from '../../src/server/pool';
import { writeBenchLog } from '../../bench/funnel-data';

/** The pool on its own: one worker, a queue of one; imports are the slow, cancellable calls. */
let dir: string;
let csv: string;
let engine: Engine;
let pool: WorkerPool;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-pool-q-'));
  csv = path.join(dir, 'events.csv');
  writeBenchLog(csv, 400_000, 30_000);
  // The server's engine migrates the database before the workers open it.
  engine = createEngine({ dataDir: path.join(dir, 'data'), env: {} });
  pool = new WorkerPool({ dataDir: engine.app.dataDir, env: {}, size: 1, queue: 1 });
  for (let i = 0; i < 600 && pool.status().workers < 1; i++) await new Promise((r) => setTimeout(r, 50));
}, 120_000);

afterAll(async () => {
  await pool?.close();
  engine?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<IafaError> {
  return p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: IafaError) => e,
  );
}

describe('worker pool queue and cancel', () => {
  it('queues one call, refuses the next as busy, and a cancel empties the queue and stops the running call', async () => {
    expect(pool.status()).toMatchObject({ workers: 1, running: 0, waiting: 0, queue: 1 });
    const a = new AbortController();
    const b = new AbortController();
    const events: string[] = [];
    const ctx = (c: AbortController) => ({ ...noopContext(c.signal), progress: (ev: { phase: string }) => events.push(ev.phase) });
    const first = failure(pool.run('datasets:import', { path: csv }, ctx(a)));
    const second = failure(pool.run('datasets:import', { path: csv }, ctx(b)));
    expect(pool.status()).toMatchObject({ running: 1, waiting: 1 });
    expect(events).toEqual(['running', 'queued']);
    const third = await failure(pool.run('datasets:import', { path: csv }, noopContext()));
    expect(third.kind).toBe('rate_limited');
    expect(third.details).toMatchObject({ reason: 'busy' });
    expect((third.details as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);

    b.abort();
    expect((await second).kind).toBe('cancelled');
    expect(pool.status()).toMatchObject({ running: 1, waiting: 0 });

    await new Promise((r) => setTimeout(r, 200));
    a.abort();
    expect((await first).kind).toBe('cancelled');
    expect(pool.status().running).toBe(0);
    // Nothing half-imported was stored.
    expect((await engine.dispatch('datasets:list', {})).datasets).toHaveLength(0);
  }, 120_000);

  it('an error crosses the thread as the same IafaError; an import on a worker is seen by the server', async () => {
    const err = await failure(pool.run('funnels:compute', { datasetId: 'ds_missing', definition: { steps: [{ event: 'a' }, { event: 'b' }] } }, noopContext()));
    expect(err).toBeInstanceOf(IafaError);
    expect(err.kind).toBe('not_found');
    const ds = (await pool.run('datasets:import', { path: csv }, noopContext())) as { id: string; rowCount: number };
    expect(ds.rowCount).toBeGreaterThan(300_000);
    expect((await engine.dispatch('datasets:list', {})).datasets.map((d) => d.id)).toEqual([ds.id]);
  }, 120_000);

  it('a pool whose workers cannot start says so instead of restarting them forever', async () => {
    // A data folder inside a file: every worker's engine fails as it opens it.
    const broken = new WorkerPool({ dataDir: path.join(csv, 'data'), env: {}, size: 2, queue: 4 });
    try {
      const err = await failure(broken.run('funnels:compute', { datasetId: 'x' }, noopContext()));
      expect(err.kind).toBe('internal');
      expect(err.message).toMatch(/could not start/);
      expect((await failure(broken.run('datasets:preview', { path: csv }, noopContext()))).message).toMatch(/could not start/);
      expect(broken.status().workers).toBe(0);
    } finally {
      await broken.close();
    }
  }, 120_000);
});
