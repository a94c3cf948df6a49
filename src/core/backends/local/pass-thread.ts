import { Worker } from 'node:worker_threads';
import { workerScript } from '../../worker-script';
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
 * Starts the helper if none is kept. A job posted before it has loaded waits in its queue, so
 * nothing has to wait for it to start; calling this when a large dataset is on its way (an
 * import) hides the start (~60 ms) behind that work.
 */
export function startFunnelThread(): void {
  if (helper.has()) return;
  const script = workerScript(import.meta.url, 'pass-worker');
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
