import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HelperThread, splitLimits, type Splitter } from '../../helper-thread';
import type { ColumnSource } from '../../store-types';

/**
 * The local backend's funnel helper: one worker thread per JavaScript thread that runs funnels
 * (the process, or each `iafa serve` pool worker), started on first need and then kept, unref'd.
 * A large funnel on columns in shared memory (a fresh parallel import's) hands it half of its pass
 * and the time-to-convert quantiles (funnel/pass.ts, event-funnel.ts). Reopened datasets are in
 * ordinary memory and run on one thread.
 */
const helper = new HelperThread();

/**
 * Where the worker script is: next to this module under tsx/vitest (a .ts file, which needs
 * tsx's loader in the worker, as import/read-parallel.ts does), or the `pass-worker` entry of
 * the build (electron.vite.config.ts; bench/funnel.ts bundles it too).
 */
function workerScript(): { code: string; eval: boolean } | null {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    let api: string;
    try {
      api = createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
    } catch {
      return null;
    }
    const entry = pathToFileURL(path.join(path.dirname(here), 'pass-worker.ts')).href;
    return { code: `import(${JSON.stringify(pathToFileURL(api).href)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, eval: true };
  }
  for (const p of [path.join(path.dirname(here), 'pass-worker.js'), path.join(path.dirname(here), '..', 'pass-worker.js')]) {
    if (fs.existsSync(p)) return { code: p, eval: false };
  }
  return null;
}

/**
 * Starts the helper if none is kept. A job posted before it has loaded waits in its queue, so
 * nothing has to wait for it to start; calling this when a large dataset is on its way (an
 * import) hides the start (~60 ms) behind that work.
 */
export function startFunnelThread(): void {
  if (helper.has()) return;
  const script = workerScript();
  if (!script) return;
  try {
    helper.adopt(new Worker(script.code, { eval: script.eval }));
  } catch {
    // No thread (a sandbox that forbids them): funnels run on one thread.
  }
}

/** The splitter for a funnel on `store`: the helper when the store is large and in shared memory, else none. */
export function funnelThreads(store: ColumnSource): Splitter | undefined {
  const m = store.manifest;
  if (m.kind !== 'event_log' || m.rows < splitLimits.minRows || !(store.time.buffer instanceof SharedArrayBuffer)) return undefined;
  startFunnelThread();
  return helper.has() ? helper : undefined;
}

/** Whether the funnel helper is kept (for tests: a failed job drops it). */
export function hasFunnelThread(): boolean {
  return helper.has();
}
