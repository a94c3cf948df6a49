import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/core/services';
import { createEngineHost, type EngineHost } from '../../src/server/host';
import { lendSecrets } from '../../src/server/pool-parent';
import type { SecretStore } from '../../src/core/secrets';
import { BENCH_STEPS, writeBenchLog } from '../../bench/funnel-data';

/**
 * The engine host the desktop app's main process runs (src/main/index.ts): heavy calls go to
 * worker threads, so a quick call answers while funnels run, and a cancel (the renderer's
 * iafa:cancel, which dispatches ops:cancel) stops the running funnel's thread.
 */
const EVENTS = Number(process.env.IAFA_HOST_TEST_EVENTS ?? 1_000_000);

let dir: string;
let datasetId: string;
let host: EngineHost;
const printed: { paper: string; html: string }[] = [];
/** The shell's own secret store (safeStorage in the app): only this thread can read it. */
const shellSecrets = new Map<string, string>();
const store: SecretStore = {
  kind: 'electron-safe-storage',
  warning: null,
  get: (name) => shellSecrets.get(name) ?? '',
  set: (name, value) => void (value ? shellSecrets.set(name, value) : shellSecrets.delete(name)),
};

function heavy(i: number) {
  return { datasetId, definition: { steps: BENCH_STEPS.map((event) => ({ event })), window: `${i}d`, breakdown: 'country' } };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-host-'));
  const csv = path.join(dir, 'events.csv');
  writeBenchLog(csv, EVENTS, Math.round(EVENTS / 12));
  const dataDir = path.join(dir, 'data');
  const engine = createEngine({ dataDir, env: {} });
  datasetId = (await engine.dispatch('datasets:import', { path: csv })).id;
  engine.close();
  fs.rmSync(csv);
  host = createEngineHost({
    dataDir,
    env: {},
    secrets: store,
    printPdf: async (html, { paper }) => {
      printed.push({ paper, html });
      return Buffer.from('%PDF-1.4 printed by the shell\n');
    },
    pool: { size: 1, queue: 8 },
  });
}, 300_000);

afterAll(async () => {
  await host?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

describe('desktop engine host (worker threads behind IPC)', () => {
  it('answers a quick call while funnels run, and ops:cancel stops the running one', async () => {
    const settled: string[] = [];
    const track = <T>(name: string, p: Promise<T>) => p.finally(() => settled.push(name));
    const a = track('a', host.dispatch('funnels:compute', heavy(1), { opId: 'op-a' }));
    const b = track('b', host.dispatch('funnels:compute', heavy(2), { opId: 'op-b' }));
    const c = track('c', host.dispatch('funnels:compute', heavy(3), { opId: 'op-c' }));
    a.catch(() => {});
    await until(() => host.status()?.running === 1, 'the first funnel to start');
    expect(host.status()).toMatchObject({ running: 1, waiting: 2 });

    // The quick call runs on the calling thread: it answers while the pool is busy.
    const list = await host.dispatch('datasets:list', {});
    expect(list.datasets.map((d) => d.id)).toContain(datasetId);
    expect(settled).toEqual([]);

    // What the renderer's Cancel does: iafa:cancel → ops:cancel with the call's op id.
    expect(await host.dispatch('ops:cancel', { opId: 'op-a' })).toEqual({ cancelled: true });
    await expect(a).rejects.toMatchObject({ kind: 'cancelled' });
    // Its thread was terminated (a funnel pass never looks at its signal): nothing is running and
    // the replacement worker is not ready yet, so the other two still wait.
    expect(host.status()).toMatchObject({ running: 0, waiting: 2, workers: 0 });

    // The replacement worker takes the queue: the other funnels complete.
    const [rb, rc] = await Promise.all([b, c]);
    for (const r of [rb, rc]) {
      expect(r.stages.map((s) => s.stage_name)).toEqual(BENCH_STEPS);
      expect(r.stages[0].users).toBeGreaterThan(0);
    }
    expect(rb.definition.window).toBe('2d');
    expect(host.status()).toMatchObject({ running: 0, waiting: 0, workers: 1 });
  }, 300_000);

  it('a waiting call cancelled by the renderer leaves the queue without running', async () => {
    const a = host.dispatch('funnels:compute', heavy(4), { opId: 'op-d' });
    const b = host.dispatch('funnels:compute', heavy(5), { opId: 'op-e' });
    b.catch(() => {});
    await until(() => host.status()?.running === 1, 'the funnel to start');
    await host.dispatch('ops:cancel', { opId: 'op-e' });
    await expect(b).rejects.toMatchObject({ kind: 'cancelled' });
    expect((await a).definition.window).toBe('4d');
  }, 300_000);

  it('a reloaded or closed window cancels what it asked for (cancelAll), running and waiting', async () => {
    const a = host.dispatch('funnels:compute', heavy(7));
    const b = host.dispatch('funnels:compute', heavy(8));
    a.catch(() => {});
    b.catch(() => {});
    await until(() => host.status()?.running === 1, 'the funnel to start');
    expect(host.cancelAll()).toBe(2);
    await expect(a).rejects.toMatchObject({ kind: 'cancelled' });
    await expect(b).rejects.toMatchObject({ kind: 'cancelled' });
    expect(host.status()).toMatchObject({ running: 0, waiting: 0 });
    // The host keeps serving the next page.
    await until(() => host.status()?.workers === 1, 'the replacement worker');
    expect((await host.dispatch('funnels:compute', heavy(9))).definition.window).toBe('9d');
  }, 300_000);

  it('a report made on a worker is printed by the shell (its Chromium in the app)', async () => {
    const out = await host.dispatch('reports:generate', {
      datasetId,
      definition: heavy(6).definition,
      format: 'pdf',
      provider: 'none',
      audience: 'executive',
      paper: 'Letter',
    });
    expect(out.report_metadata).toMatchObject({ format: 'pdf', paper: 'Letter' });
    expect(printed).toHaveLength(1);
    expect(printed[0].paper).toBe('Letter');
    expect(printed[0].html).toMatch(/<html[\s>]/i);

    // Settings > Limits shows the pool in the app too.
    const limits = await host.dispatch('limits:status', {});
    expect(limits.pool).toMatchObject({ workers: 1, queue: 8 });
  }, 300_000);

  it("a worker reads and writes the shell's secrets through the main thread", async () => {
    const shell = new Map([['openai-api-key', 'sk-shell']]);
    const lent = lendSecrets({
      kind: 'electron-safe-storage',
      warning: null,
      get: (name) => {
        if (name === 'unreadable') throw new Error('The keychain is locked.');
        return shell.get(name) ?? '';
      },
      set: (name, value) => void shell.set(name, value),
    });
    // The worker is TypeScript: loaded through tsx's loader, as the pool loads its own.
    const api = createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs');
    const entry = pathToFileURL(path.join(__dirname, '../helpers/secret-worker.ts')).href;
    const code = `import(${JSON.stringify(pathToFileURL(api).href)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
    const worker = new Worker(code, { eval: true, workerData: { link: lent.link }, transferList: [lent.link.port] });
    try {
      const got = await new Promise<{ kind: string; before: string; error: string }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(got).toEqual({ kind: 'electron-safe-storage', before: 'sk-shell', error: 'The keychain is locked.' });
      expect(shell.get('warehouse-ds-1')).toBe('pw-from-worker');
    } finally {
      lent.close();
      await worker.terminate();
    }
  });
});
