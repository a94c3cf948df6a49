import fs from 'node:fs';
import { IafaError } from '../../shared/contract';
import { appPaths } from '../../core/paths';
import { allowedDirs, startServer } from '../../server';
import { poolSizes } from '../../server/pool';
import type { Command } from '../framework';

export const serve: Command = {
  path: ['serve'],
  summary: 'Run the local HTTP API and the browser interface (loopback only).',
  usage: 'iafa serve [--port N] [--host 127.0.0.1] [--allow-dir FOLDER]... [--workers N] [--queue N]',
  details: [
    'Prints the address to open, with a per-launch access token. Nothing is opened automatically.',
    'Options:',
    '  --port N       port to listen on (default: 5174; 0 picks a free port)',
    '  --host HOST    127.0.0.1 (default), localhost or ::1; other addresses are refused',
    '  --allow-dir F  a folder whose files the API may read in place (repeatable; also',
    '                 IAFA_ALLOW_DIRS). Without it, only files uploaded through the page.',
    '  --workers N    worker threads for funnels, imports, analyses and reports (default: the',
    '                 cores, at least 2; also IAFA_WORKERS). 0 runs them on the answering thread.',
    '  --queue N      calls that may wait for a free worker before the API answers 503 with',
    '                 Retry-After (default 256; also IAFA_QUEUE)',
  ],
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'allow-dir': { type: 'string', multiple: true },
    workers: { type: 'string' },
    queue: { type: 'string' },
  },
  async run({ values }, rt) {
    const port = values.port === undefined ? 5174 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new IafaError('validation', `--port must be a number from 0 to 65535, got "${values.port}".`);
    const rendererDir = appPaths.renderer();
    if (!fs.existsSync(rendererDir)) rt.io.stderr(`note: the interface is not built (${rendererDir}); run \`npm run build\`. The API works without it.\n`);
    const allowDirs = (values['allow-dir'] as string[] | undefined) ?? [];
    for (const d of allowDirs) {
      if (!fs.statSync(d, { throwIfNoEntry: false })?.isDirectory()) throw new IafaError('validation', `--allow-dir ${d}: not a folder.`);
    }
    const sizes = poolSizes(rt.engine().app.env);
    const count = (flag: 'workers' | 'queue', fallback: number) => {
      const v = values[flag] as string | undefined;
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new IafaError('validation', `--${flag} must be a whole number, 0 or more, got "${v}".`);
      return n;
    };
    const workers = count('workers', sizes.size);
    const pool = workers > 0 ? { size: workers, queue: count('queue', sizes.queue) } : undefined;
    const server = await startServer({ engine: rt.engine(), host: (values.host as string | undefined) ?? '127.0.0.1', port, rendererDir, allowDirs, pool });
    if (rt.json) rt.io.stdout(JSON.stringify({ url: server.url, open: server.openUrl, token: server.token }) + '\n');
    else {
      rt.io.stdout(`IAFA is serving on ${server.url}\nOpen: ${server.openUrl}\n`);
      rt.io.stderr(
        `API token (send as "Authorization: Bearer <token>"): ${server.token}\nData folder: ${rt.engine().app.dataDir}\n${allowedDirs(
          { allowDirs },
          rt.engine().app.env,
        )
          .map((d) => `Reads files in: ${d}\n`)
          .join('')}Press Ctrl+C to stop.\n`,
      );
    }
    await new Promise<void>((resolve) => {
      if (rt.signal.aborted) resolve();
      rt.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await server.close();
    return 0;
  },
};
