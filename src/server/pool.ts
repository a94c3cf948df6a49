import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { IafaError, type ErrorPayload, type ProgressEvent } from '../shared/contract';
import type { CallContext } from '../core/services';
import { workerScript } from '../core/worker-script';
import { lendSecrets, type ParentServices, type SecretLink } from './pool-parent';

/**
 * The calls `iafa serve` and the desktop app (host.ts) run on the worker pool: the ones that scan a
 * dataset, parse a file or wait on a model. Everything else (health, settings, lists, ops:cancel)
 * is answered by the thread that serves HTTP or IPC, so it stays quick while the heavy work runs.
 */
export const POOLED_CALLS: ReadonlySet<string> = new Set([
  'funnels:compute',
  'analytics:recommendations',
  'analytics:hypotheses',
  'analytics:ask',
  'reports:generate',
  'experiment:analyze',
  'experiment:causal',
  'experiment:design',
  'datasets:import',
  'datasets:preview',
  // These scan a stored dataset or read whole files too.
  'datasets:suggest-funnel',
  'datasets:join-preview',
]);

/**
 * What a shell holding the pool (`iafa serve`, the desktop host) gives dispatch for one call: the
 * pool's `run` for a heavy call, nothing (this thread) for the rest; and `limits:status` also
 * shows the pool, which only that shell knows.
 */
export function poolDispatch(pool: WorkerPool | null) {
  const run = pool ? pool.run.bind(pool) : undefined;
  return {
    runFor: (name: string) => (run && POOLED_CALLS.has(name) ? run : undefined),
    withStatus: <T>(name: string, out: T): T => (pool && name === 'limits:status' ? (Object.assign(out as object, { pool: pool.status() }) as T) : out),
  };
}

/**
 * Calls whose work is one synchronous pass (the local funnel: its backend checks the signal only
 * before the pass): waiting for them to notice a cancel is pointless, so their worker is replaced at once.
 */
const SYNCHRONOUS_CALLS: ReadonlySet<string> = new Set(['funnels:compute']);

export interface PoolWorkerData {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** The packaged desktop app's resources folder (setAppRoot does not reach other threads). */
  appRoot?: string;
  /** Secrets looked up in the starting thread (see ParentServices). */
  secrets?: SecretLink;
  /** PDFs printed by the starting thread. */
  pdf?: boolean;
}

export type PoolRequest =
  | { type: 'run'; id: number; name: string; input: unknown }
  | { type: 'cancel'; id: number }
  | { type: 'pdf-done'; pid: number; pdf?: Uint8Array; error?: ErrorPayload };

export type PoolReply =
  | { type: 'ready' }
  | { type: 'progress'; id: number; event: ProgressEvent }
  | { type: 'result'; id: number; output: unknown }
  | { type: 'error'; id: number; error: ErrorPayload }
  | { type: 'pdf'; pid: number; html: string; paper: 'A4' | 'Letter' };

export interface PoolOptions extends Pick<PoolWorkerData, 'dataDir' | 'env' | 'appRoot'> {
  /** What the workers borrow from this thread (the desktop app's secrets and PDF printer). */
  lend?: ParentServices;
  /** Worker threads; default: the cores, at least 2. */
  size?: number;
  /** Calls that may wait for a free worker; past that, 503 with Retry-After. */
  queue?: number;
  /** How long a cancelled call may take to notice before its worker is replaced (not for SYNCHRONOUS_CALLS). */
  graceMs?: number;
}

export interface PoolStatus {
  /** Workers started and ready to take a call. */
  workers: number;
  running: number;
  waiting: number;
  queue: number;
}

/**
 * Default sizes, overridable by IAFA_WORKERS and IAFA_QUEUE (and `iafa serve --workers/--queue`).
 * 0 workers means no pool: every call runs on the thread that answers HTTP.
 */
export function poolSizes(env: NodeJS.ProcessEnv): { size: number; queue: number } {
  const pick = (v: string | undefined, min: number, fallback: number) => {
    const n = Number(v);
    return v !== undefined && v !== '' && Number.isInteger(n) && n >= min ? n : fallback;
  };
  return { size: pick(env.IAFA_WORKERS, 0, Math.max(2, os.availableParallelism())), queue: pick(env.IAFA_QUEUE, 0, 256) };
}

interface Job {
  id: number;
  name: string;
  input: unknown;
  ctx: CallContext;
  resolve: (v: unknown) => void;
  reject: (e: IafaError) => void;
  slot?: Slot;
  started?: number;
  graceTimer?: NodeJS.Timeout;
  onAbort: () => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job?: Job;
  /** Stops answering this worker's secret lookups once it is gone. */
  unlend?: () => void;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Job[] = [];
  private readonly size: number;
  private readonly maxQueue: number;
  private readonly graceMs: number;
  private nextId = 1;
  private closed = false;
  /** Workers that died before they were ready, in a row; past 3 the pool stops restarting them. */
  private startFailures = 0;
  private broken: IafaError | null = null;
  /** Smoothed seconds per call, for Retry-After. */
  private avgSeconds = 1;

  constructor(private readonly opts: PoolOptions) {
    const defaults = poolSizes(opts.env);
    this.size = opts.size ?? defaults.size;
    this.maxQueue = opts.queue ?? defaults.queue;
    this.graceMs = opts.graceMs ?? 100;
    for (let i = 0; i < this.size; i++) this.slots.push(this.spawn());
  }

  status(): PoolStatus {
    return {
      workers: this.slots.filter((s) => s.ready).length,
      running: this.slots.filter((s) => s.job).length,
      waiting: this.waiting.length,
      queue: this.maxQueue,
    };
  }

  /** Runs one call on a worker; the input is the raw one, which the worker's engine validates again. */
  run(name: string, input: unknown, ctx: CallContext): Promise<unknown> {
    if (this.closed) return Promise.reject(new IafaError('cancelled', 'The server is shutting down.'));
    if (ctx.signal.aborted) return Promise.reject(new IafaError('cancelled', 'The operation was cancelled.'));
    if (this.broken) return Promise.reject(this.broken);
    const free = this.slots.find((s) => s.ready && !s.job);
    if (!free && this.waiting.length >= this.maxQueue) {
      const retryAfterSeconds = Math.max(1, Math.ceil((this.avgSeconds * (this.waiting.length + 1)) / this.size));
      return Promise.reject(
        new IafaError(
          'rate_limited',
          `The server is busy: ${this.size} calls running and ${this.waiting.length} waiting (IAFA_QUEUE). Try again in ${retryAfterSeconds} s.`,
          { retryAfterSeconds, reason: 'busy' },
        ),
      );
    }
    return new Promise<unknown>((resolve, reject) => {
      const job: Job = { id: this.nextId++, name, input, ctx, resolve, reject, onAbort: () => this.cancel(job) };
      ctx.signal.addEventListener('abort', job.onAbort, { once: true });
      if (free) this.start(free, job);
      else {
        this.waiting.push(job);
        this.announce(job, this.waiting.length);
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.waiting.splice(0)) this.finish(job, new IafaError('cancelled', 'The server is shutting down.'));
    await Promise.all(
      this.slots.map((s) => {
        if (s.job) this.finish(s.job, new IafaError('cancelled', 'The server is shutting down.'));
        return s.worker.terminate();
      }),
    );
  }

  private spawn(): Slot {
    const script = workerScript(import.meta.url, 'pool-worker');
    if (!script) throw new IafaError('internal', `The worker script pool-worker.js is missing next to ${fileURLToPath(import.meta.url)}; rebuild IAFA.`);
    const lent = this.opts.lend?.secrets ? lendSecrets(this.opts.lend.secrets) : undefined;
    const workerData: PoolWorkerData = {
      dataDir: this.opts.dataDir,
      env: this.opts.env,
      appRoot: this.opts.appRoot,
      secrets: lent?.link,
      pdf: Boolean(this.opts.lend?.printPdf),
    };
    const worker = new Worker(script.code, { eval: script.eval, workerData, transferList: lent ? [lent.link.port] : [] });
    const slot: Slot = { worker, ready: false, unlend: lent?.close };
    worker.on('message', (msg: PoolReply) => this.onMessage(slot, msg));
    worker.on('error', (err) => this.onExit(slot, IafaError.from(err)));
    worker.on('exit', (code) => this.onExit(slot, new IafaError('internal', `A worker thread stopped (exit code ${code}).`)));
    return slot;
  }

  private onMessage(slot: Slot, msg: PoolReply): void {
    if (msg.type === 'ready') {
      slot.ready = true;
      this.startFailures = 0;
      this.pump();
      return;
    }
    if (msg.type === 'pdf') return this.print(slot, msg);
    const job = slot.job;
    if (!job || job.id !== msg.id) return;
    if (msg.type === 'progress') job.ctx.progress(msg.event);
    else {
      slot.job = undefined;
      this.finish(job, msg.type === 'error' ? IafaError.fromPayload(msg.error) : undefined, msg.type === 'result' ? msg.output : undefined);
      this.pump();
    }
  }

  /** A worker that died (or was terminated) takes its call with it and is replaced. */
  private onExit(slot: Slot, err: IafaError): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    slot.unlend?.();
    if (slot.job) this.finish(slot.job, err);
    slot.job = undefined;
    if (this.closed) return;
    // A worker that cannot even start (a broken install, an unreadable data folder) would be
    // restarted forever: after a few tries the pool gives up and says why.
    if (!slot.ready && ++this.startFailures >= 3) {
      this.broken = new IafaError('internal', `The worker threads could not start: ${err.message}`);
      for (const job of this.waiting.splice(0)) this.finish(job, this.broken);
      return;
    }
    this.slots.push(this.spawn());
  }

  private start(slot: Slot, job: Job): void {
    slot.job = job;
    job.slot = slot;
    job.started = performance.now();
    // Without a message, so the interface keeps whatever note it shows; clients see the work start.
    job.ctx.progress({ phase: 'running' });
    slot.worker.postMessage({ type: 'run', id: job.id, name: job.name, input: job.input } satisfies PoolRequest);
  }

  /** A worker's report asks for a PDF: this thread prints it (the desktop app's Chromium) and sends it back. */
  private print(slot: Slot, msg: Extract<PoolReply, { type: 'pdf' }>): void {
    const printer = this.opts.lend?.printPdf;
    const reply = (r: Omit<Extract<PoolRequest, { type: 'pdf-done' }>, 'type' | 'pid'>) => {
      if (this.slots.includes(slot)) slot.worker.postMessage({ type: 'pdf-done', pid: msg.pid, ...r } satisfies PoolRequest);
    };
    if (!printer) return reply({ error: new IafaError('internal', 'This pool prints no PDFs.').toPayload() });
    printer(msg.html, { paper: msg.paper, signal: slot.job?.ctx.signal ?? new AbortController().signal }).then(
      (pdf) => reply({ pdf: new Uint8Array(pdf) }),
      (err) => reply({ error: IafaError.from(err).toPayload() }),
    );
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (!this.waiting.length) return;
      if (slot.ready && !slot.job) this.start(slot, this.waiting.shift()!);
    }
    this.waiting.forEach((job, i) => this.announce(job, i + 1));
  }

  /**
   * No `queuePosition`: the interface reads a position as a place in the model's queue. A
   * message alone reads right wherever progress is shown.
   */
  private announce(job: Job, position: number): void {
    job.ctx.progress({ phase: 'queued', message: `Waiting for a free worker: position ${position} in the queue.` });
  }

  /**
   * A waiting call leaves the queue. A running one is asked to stop; code that checks its signal
   * answers within the grace, and a worker still busy after it (a synchronous scan) is terminated
   * and replaced, so the work really stops.
   */
  private cancel(job: Job): void {
    const queued = this.waiting.indexOf(job);
    if (queued >= 0) {
      this.waiting.splice(queued, 1);
      this.finish(job, new IafaError('cancelled', 'The operation was cancelled.'));
      return;
    }
    const slot = job.slot;
    if (!slot || slot.job !== job) return;
    slot.worker.postMessage({ type: 'cancel', id: job.id } satisfies PoolRequest);
    job.graceTimer = setTimeout(
      () => {
        if (slot.job !== job) return;
        this.finish(job, new IafaError('cancelled', 'The operation was cancelled.'));
        slot.job = undefined;
        const i = this.slots.indexOf(slot);
        if (i >= 0) this.slots.splice(i, 1);
        slot.unlend?.();
        void slot.worker.terminate();
        if (!this.closed) this.slots.push(this.spawn());
      },
      SYNCHRONOUS_CALLS.has(job.name) ? 0 : this.graceMs,
    );
  }

  private finish(job: Job, err?: IafaError, output?: unknown): void {
    clearTimeout(job.graceTimer);
    job.ctx.signal.removeEventListener('abort', job.onAbort);
    if (job.started !== undefined) this.avgSeconds = 0.7 * this.avgSeconds + 0.3 * ((performance.now() - job.started) / 1000);
    if (err) job.reject(err);
    else job.resolve(output);
  }
}
