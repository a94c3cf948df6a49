import type { CallName, CallOutput } from '../shared/contract';
import { createEngine, type DispatchOptions, type Engine, type EngineOptions } from '../core/services';
import { appRoot } from '../core/paths';
import { poolDispatch, poolSizes, WorkerPool, type PoolOptions, type PoolStatus } from './pool';

/**
 * The desktop app's engine: the same worker pool as `iafa serve`, run from Electron's main
 * process. Heavy calls (POOLED_CALLS: funnels, imports, analyses, reports) run on worker
 * threads, each with its own engine on the same data folder; everything else (settings, lists,
 * ops:cancel) answers on the calling thread at once. A cancelled call's worker is stopped, and
 * replaced when its work does not notice in time. Plain Node: no electron here, so the tests run
 * exactly what the app runs.
 */
interface EngineHostOptions extends EngineOptions {
  /** Sizes; default poolSizes(env) (IAFA_WORKERS, IAFA_QUEUE). size 0: every call on this thread. */
  pool?: Pick<PoolOptions, 'size' | 'queue' | 'graceMs'>;
}

export interface EngineHost {
  /** The calling thread's engine (for what needs it directly, e.g. the data folder). */
  engine: Engine;
  /** engine.dispatch, with heavy calls handed to the pool. */
  dispatch<K extends CallName>(name: K, rawInput: unknown, opts?: Omit<DispatchOptions, 'run'>): Promise<CallOutput<K>>;
  status(): PoolStatus | null;
  /** Cancels every call still running or waiting: the window that asked for them is gone or reloaded. */
  cancelAll(): number;
  close(): Promise<void>;
}

export function createEngineHost(opts: EngineHostOptions): EngineHost {
  const engine = createEngine(opts);
  const env = engine.app.env;
  const sizes = poolSizes(env);
  const size = opts.pool?.size ?? sizes.size;
  // The workers borrow what only this thread has: the shell's secret store and PDF printer.
  const pool =
    size > 0
      ? new WorkerPool({
          size,
          queue: opts.pool?.queue ?? sizes.queue,
          graceMs: opts.pool?.graceMs,
          dataDir: opts.dataDir,
          env,
          appRoot: appRoot(),
          lend: { secrets: opts.secrets, printPdf: opts.printPdf },
        })
      : null;
  const { runFor, withStatus } = poolDispatch(pool);
  const inFlight = new Set<AbortController>();

  return {
    engine,
    async dispatch(name, rawInput, o = {}) {
      const mine = new AbortController();
      const signal = o.signal ? AbortSignal.any([o.signal, mine.signal]) : mine.signal;
      inFlight.add(mine);
      try {
        // Settings > Limits shows the pool, which only the host knows (as in `iafa serve`).
        return withStatus(name, await engine.dispatch(name, rawInput, { ...o, signal, run: runFor(name) }));
      } finally {
        inFlight.delete(mine);
      }
    },
    status: () => pool?.status() ?? null,
    cancelAll() {
      const n = inFlight.size;
      for (const c of inFlight) c.abort();
      inFlight.clear();
      return n;
    },
    async close() {
      await pool?.close();
      engine.close();
    },
  };
}
