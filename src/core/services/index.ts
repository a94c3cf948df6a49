import fs from 'node:fs';
import { contract, IafaError, isCallName, type CallName, type CallOutput, type ProgressEvent } from '../../shared/contract';
import { openDatabase } from '../db';
import { appPaths, dataPaths } from '../paths';
import { sweepStaging } from '../staging';
import { defaultSecretStore, type SecretStore } from '../secrets';
import { migratePlainSecrets, readSettings } from './settings';
import { limitGroupOf, RouteLimiter } from '../limits';
import type { AppContext, CallContext, Handlers } from './context';
import { assistHandlers } from './assist';
import { narratedHandlers } from './narrated';
import { datasetHandlers } from './datasets';
import { experimentHandlers } from './experiments';
import { warehouseConnect } from './warehouse-connect';
import { warehouseSave } from './warehouse-datasets';
import { funnelHandlers } from './funnels';
import { llmHandlers } from './llm';
import { importHandlers } from './imports';
import { insightsHandlers } from './insights';
import { reportHandlers } from './reports';
import type { PdfPrinter } from '../reports';
import { settingsHandlers } from './settings';
import { systemHandlers } from './system';

export type { AppContext, CallContext, Handlers } from './context';

export interface Engine {
  app: AppContext;
  handlers: Handlers;
  /** Validate, run and validate again: the single entry every shell uses. */
  dispatch<K extends CallName>(name: K, rawInput: unknown, opts?: DispatchOptions): Promise<CallOutput<K>>;
  close(): void;
}

export interface DispatchOptions {
  /** Client-chosen id; `ops:cancel` with it aborts the call. */
  opId?: string;
  signal?: AbortSignal;
  onProgress?: (ev: ProgressEvent) => void;
  /** Calls made by another call (a report's narration) skip the route limits: the outer call holds the slot. */
  unlimited?: boolean;
  /**
   * Runs the validated call instead of this engine's handler (`iafa serve` hands heavy calls to
   * its worker pool). Validation, the route limits, ops:cancel and the output check stay here.
   */
  run?: (name: CallName, rawInput: unknown, ctx: CallContext) => Promise<unknown>;
}

export interface EngineOptions {
  dataDir: string;
  migrationsFolder?: string;
  env?: NodeJS.ProcessEnv;
  /** Electron passes a webContents.printToPDF printer; the server and CLI use headless Chromium. */
  printPdf?: PdfPrinter;
  /** Electron passes a safeStorage-backed store; the server and CLI use the OS secret store or a 0600 file. */
  secrets?: SecretStore;
}

/**
 * The data folder holds the user's data and maybe a key file: only the user may enter it (0700),
 * and the database and its WAL files are 0600 (SQLite gives the WAL files the database's mode).
 */
function makePrivate(paths: ReturnType<typeof dataPaths>): void {
  fs.mkdirSync(paths.root, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  try {
    fs.chmodSync(paths.root, 0o700);
    fs.closeSync(fs.openSync(paths.db, 'a', 0o600));
    for (const f of [paths.db, `${paths.db}-wal`, `${paths.db}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
  } catch {
    // A folder we do not own (e.g. shared on purpose) keeps its mode.
  }
}

export function createEngine(opts: EngineOptions): Engine {
  const paths = dataPaths(opts.dataDir);
  makePrivate(paths);
  sweepStaging(paths.tmp);
  const database = openDatabase(paths.db, opts.migrationsFolder ?? appPaths.migrations());
  const env = opts.env ?? process.env;
  const secrets = opts.secrets ?? defaultSecretStore(opts.dataDir, env);
  const app: AppContext = { db: database.db, dataDir: opts.dataDir, startedAt: Date.now(), env, secrets };
  migratePlainSecrets(app);
  const running = new Map<string, AbortController>();
  const limiter = new RouteLimiter(() => readSettings(app).limits);

  const handlers: Handlers = {
    ...systemHandlers(app),
    ...settingsHandlers(app),
    ...datasetHandlers(app),
    ...funnelHandlers(app),
    ...experimentHandlers(app),
    ...llmHandlers(app),
    ...importHandlers(app),
    ...assistHandlers(app),
    ...insightsHandlers(app),
    // A report's own narration runs inside the report's slot, not in a second queue.
    ...reportHandlers(app, (name, input, o) => dispatch(name, input, { ...o, unlimited: true }), opts.printPdf),
    'limits:status': () => limiter.status(app.env),
    'warehouse:connect': (input, ctx) => warehouseConnect(app, input, ctx),
    'warehouse:save': (input, ctx) => warehouseSave(app, input, ctx),
    'ops:cancel': ({ opId }) => {
      const c = running.get(opId);
      c?.abort();
      return { cancelled: Boolean(c) };
    },
  };
  // The seed's analysis endpoints get grounded model prose on top of their computed result.
  Object.assign(handlers, narratedHandlers(app, { ...handlers }));

  async function dispatch<K extends CallName>(name: K, rawInput: unknown, o: DispatchOptions = {}): Promise<CallOutput<K>> {
    if (!isCallName(name)) throw new IafaError('not_found', `Unknown call "${String(name)}".`);
    const def = contract[name];
    const parsed = def.input.safeParse(rawInput ?? {});
    if (!parsed.success) throw IafaError.from(parsed.error);
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort();
    o.signal?.addEventListener('abort', onOuterAbort, { once: true });
    if (o.signal?.aborted) controller.abort();
    if (o.opId) running.set(o.opId, controller);
    const ctx: CallContext = { signal: controller.signal, progress: o.onProgress ?? (() => {}) };
    try {
      const run = o.run;
      const handler = run ? () => run(name, rawInput, ctx) : (handlers[name] as (input: unknown, ctx: CallContext) => unknown);
      const group = o.unlimited ? null : limitGroupOf(name);
      const out = group
        ? await limiter.run(
            group,
            controller.signal,
            (n) => ctx.progress({ phase: 'queued', queuePosition: n, message: `waiting for a free ${group} slot` }),
            async () => handler(parsed.data, ctx),
          )
        : await handler(parsed.data, ctx);
      if (controller.signal.aborted) throw new IafaError('cancelled', 'The operation was cancelled.');
      // Outputs are validated too: a handler that drifts from the contract fails loudly here
      // rather than in a renderer far away.
      const checked = def.output.safeParse(out);
      if (!checked.success) throw new IafaError('internal', `Output of ${name} does not match the contract: ${checked.error.message}`);
      return checked.data as CallOutput<K>;
    } catch (err) {
      throw IafaError.from(err);
    } finally {
      if (o.opId) running.delete(o.opId);
      o.signal?.removeEventListener('abort', onOuterAbort);
    }
  }

  return { app, handlers, dispatch, close: () => database.close() };
}
