import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { HTTP_STATUS, IafaError, type ProgressEvent } from '../shared/contract';
import type { Engine } from '../core/services';
import { buildRoutes, matchRoute } from './routes';
import { allowedHosts, checkOrigin, tokenMatches } from './security';
import { serveStatic } from './static';
import { extraRoutes, removeImportedUploads, sweepUploads, uploadsDir, type ExtraRoute } from './extra';
import { checkCallPaths, checkModelPaths, folderAccess } from '../core/file-access';
import { readSettings } from '../core/services/settings';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../core/import/json-errors';
import { poolDispatch, WorkerPool, type PoolOptions } from './pool';

export interface ServerOptions {
  engine: Engine;
  host?: string;
  port?: number;
  token?: string;
  rendererDir?: string;
  maxBodyBytes?: number;
  /**
   * Folders whose files the API may read besides its uploads (`--allow-dir`); IAFA_ALLOW_DIRS in
   * the engine's environment adds more (separated like PATH).
   */
  allowDirs?: string[];
  /**
   * Run heavy calls (POOLED_CALLS) on a pool of worker threads, each with its own engine on the
   * same data folder, so this thread keeps answering. `iafa serve` turns it on; without it every
   * call runs on this thread.
   */
  pool?: Pick<PoolOptions, 'size' | 'queue' | 'graceMs'>;
}

/** --allow-dir folders plus IAFA_ALLOW_DIRS. */
export function allowedDirs(opts: Pick<ServerOptions, 'allowDirs'>, env: NodeJS.ProcessEnv): string[] {
  const fromEnv = (env.IAFA_ALLOW_DIRS ?? '')
    .split(path.delimiter)
    .map((d) => d.trim())
    .filter(Boolean);
  return [...(opts.allowDirs ?? []), ...fromEnv].map((d) => path.resolve(d));
}

export interface RunningServer {
  url: string;
  /** The URL to open in a browser: carries the per-launch token once. */
  openUrl: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const API_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, API_HEADERS).end(JSON.stringify(body));
}

function sendError(res: ServerResponse, err: unknown, statusOverride?: number): void {
  const e = IafaError.from(err);
  const details = e.details as { retryAfterSeconds?: number; reason?: string } | undefined;
  const retry = e.kind === 'rate_limited' ? Number(details?.retryAfterSeconds) : NaN;
  if (Number.isFinite(retry)) res.setHeader('retry-after', String(retry));
  // A full worker-pool queue is the whole server being busy (503), not one route's limit (429).
  const busy = e.kind === 'rate_limited' && details?.reason === 'busy';
  sendJson(res, statusOverride ?? (busy ? 503 : HTTP_STATUS[e.kind]), { error: e.toPayload() });
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new IafaError('validation', `Request body is larger than ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The local HTTP API: the same contract as Electron's IPC, for the browser mode and scripts.
 * Loopback only, a per-launch token on every API call, and Host/Origin checks on every request.
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    throw new IafaError('validation', `Refusing to listen on ${host}: IAFA's server binds to 127.0.0.1 only.`);
  }
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const routes = buildRoutes();
  const maxBody = opts.maxBodyBytes ?? 10 * 1024 * 1024;
  let hosts = new Set<string>();
  const extras: ExtraRoute[] = extraRoutes(opts.engine);
  const uploads = uploadsDir(opts.engine.app.dataDir);
  sweepUploads(uploads);
  const files = folderAccess(
    [uploads, ...allowedDirs(opts, opts.engine.app.env)],
    'Upload the file, or start `iafa serve` with --allow-dir FOLDER (or IAFA_ALLOW_DIRS) to read files in place.',
  );
  const pool = opts.pool ? new WorkerPool({ ...opts.pool, dataDir: opts.engine.app.dataDir, env: opts.engine.app.env }) : null;
  // /api/v1/limits also shows the pool, which only the server knows.
  const { runFor, withStatus: withPool } = poolDispatch(pool);

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) sendError(res, err);
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refused = checkOrigin(req, hosts);
    if (refused) return sendJson(res, 403, { error: { kind: 'validation', message: refused } });
    const url = new URL(req.url ?? '/', 'http://internal');
    const method = (req.method ?? 'GET').toUpperCase();
    if (!url.pathname.startsWith('/api/')) {
      if (method !== 'GET' && method !== 'HEAD') return sendJson(res, 405, { error: { kind: 'validation', message: 'Method not allowed.' } });
      if (!opts.rendererDir) return sendJson(res, 404, { error: { kind: 'not_found', message: 'No interface is served here.' } });
      return serveStatic(opts.rendererDir, url.pathname, res);
    }
    const extra = extras.find((e) => e.method === method && e.pattern.test(url.pathname));
    const queryToken = extra?.tokenInQuery ? url.searchParams.get('token') : null;
    if (!tokenMatches(req, token, queryToken)) {
      return sendJson(res, 401, {
        error: {
          kind: 'validation',
          message: 'Missing or wrong API token: send it as "Authorization: Bearer <token>" (the URL printed by `iafa serve` hands it to the page).',
        },
      });
    }
    if (extra) return extra.handle(req, res, extra.pattern.exec(url.pathname)!, url);
    const matched = matchRoute(routes, method, url.pathname);
    if (!matched) return sendJson(res, 404, { error: { kind: 'not_found', message: `No API route ${method} ${url.pathname}.` } });
    if ('methodNotAllowed' in matched) return sendJson(res, 405, { error: { kind: 'validation', message: `${method} is not allowed on ${url.pathname}.` } });

    let input: Record<string, unknown> = {};
    if (method === 'GET' || method === 'DELETE') {
      for (const [k, v] of url.searchParams) if (k !== 'token') input[k] = v;
    } else {
      const raw = await readBody(req, maxBody);
      if (raw.trim() !== '') {
        // Parsing deep JSON is fine, but whatever later stringifies it (a cache key, a prompt's
        // context) recurses and overflows the stack: refuse it here, as file imports do.
        if (jsonTooDeep(raw) >= 0)
          throw new IafaError('validation', `The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep.`, { reason: 'too_deep' });
        let body: unknown;
        try {
          body = JSON.parse(raw);
        } catch (e) {
          throw new IafaError('validation', `Malformed JSON body: ${(e as Error).message}`);
        }
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new IafaError('validation', 'The JSON body must be an object.');
        input = body as Record<string, unknown>;
      }
    }
    Object.assign(input, matched.params);
    input = checkCallPaths(matched.route.name, input, files) as Record<string, unknown>;
    input = checkModelPaths(matched.route.name, input, readSettings(opts.engine.app).llm.provider, files) as Record<string, unknown>;
    const done = () => {
      if (matched.route.name === 'datasets:import') removeImportedUploads(input, uploads);
    };

    const opId = typeof req.headers['x-iafa-op'] === 'string' ? req.headers['x-iafa-op'] : undefined;
    const abort = new AbortController();
    // A closed connection means nobody is waiting for the answer: cancel the work.
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const wantsStream = (req.headers.accept ?? '').includes('text/event-stream');
    const offload = runFor(matched.route.name);
    if (!wantsStream) {
      const out = await opts.engine.dispatch(matched.route.name, input, { opId, signal: abort.signal, run: offload });
      done();
      return sendJson(res, 200, withPool(matched.route.name, out));
    }
    // The stream opens with its first event, so a call refused at once (a full queue: 429) still
    // gets its own status.
    const send = (event: string, data: unknown) => {
      if (!res.headersSent)
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    try {
      const out = await opts.engine.dispatch(matched.route.name, input, {
        opId,
        signal: abort.signal,
        run: offload,
        onProgress: (ev: ProgressEvent) => send('progress', ev),
      });
      done();
      send('result', withPool(matched.route.name, out));
    } catch (err) {
      const e = IafaError.from(err);
      if (!res.headersSent && e.kind === 'rate_limited') return sendError(res, e);
      send('error', e.toPayload());
    }
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(host === '::1' ? '[::1]' : host, port);
  const base = `http://${host === '::1' ? '[::1]' : host}:${port}`;
  return {
    url: base,
    openUrl: `${base}/#token=${token}`,
    port,
    token,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await pool?.close();
    },
  };
}
