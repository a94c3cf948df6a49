import fs from 'node:fs';
import { contract, IafaError, isCallName, type CallName, type CallOutput, type ProgressEvent } from '../../shared/contract';
import { openDatabase } from '../db';
import { appPaths, dataPaths } from '../paths';
import type { AppContext, CallContext, Handlers } from './context';
import { narratedHandlers } from './narrated';
import { datasetHandlers } from './datasets';
import { experimentHandlers } from './experiments';
import { warehouseConnect } from './warehouse-connect';
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
}

export interface EngineOptions {
  dataDir: string;
  migrationsFolder?: string;
  env?: NodeJS.ProcessEnv;
  /** Electron passes a webContents.printToPDF printer; the server and CLI use headless Chromium. */
  printPdf?: PdfPrinter;
}

export function createEngine(opts: EngineOptions): Engine {
  const paths = dataPaths(opts.dataDir);
  fs.mkdirSync(paths.root, { recursive: true });
  const database = openDatabase(paths.db, opts.migrationsFolder ?? appPaths.migrations());
  const app: AppContext = { db: database.db, database, sqlite: database.sqlite, dataDir: opts.dataDir, startedAt: Date.now(), env: opts.env ?? process.env };
  const running = new Map<string, AbortController>();

  const handlers: Handlers = {
    ...systemHandlers(app),
    ...settingsHandlers(app),
    ...datasetHandlers(app),
    ...funnelHandlers(app),
    ...experimentHandlers(app),
    ...llmHandlers(app),
    ...importHandlers(app),
    ...insightsHandlers(app),
    ...reportHandlers(app, (name, input, o) => dispatch(name, input, o), opts.printPdf),
    'warehouse:connect': (input, ctx) => warehouseConnect(app, input, ctx),
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
      const handler = handlers[name] as (input: unknown, ctx: CallContext) => unknown;
      const out = await handler(parsed.data, ctx);
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
