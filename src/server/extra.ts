import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { IafaError } from '../shared/contract';
import type { Engine } from '../core/services';
import { dataPaths } from '../core/paths';
import { newId } from '../core/ids';
import { reportFile } from '../core/reports';
import { realPath } from '../core/file-access';
import { maxUploadBytes } from '../core/limits';

/**
 * Routes that move raw bytes rather than JSON, so they sit beside the contract: the browser
 * cannot hand the server a file path, so it uploads the file first and imports the saved copy.
 */
export interface ExtraRoute {
  method: string;
  pattern: RegExp;
  /** Whether `?token=` may stand in for the Authorization header (plain links). */
  tokenInQuery?: boolean;
  handle(req: IncomingMessage, res: ServerResponse, match: RegExpExecArray, url: URL): Promise<void>;
}

const DAY_MS = 86_400_000;

export function uploadsDir(dataDir: string): string {
  return path.join(dataPaths(dataDir).tmp, 'uploads');
}

/** Uploads are copies made for one import: any older than a day were abandoned. */
export function sweepUploads(dir: string, now = Date.now()): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const f = path.join(dir, n);
    try {
      if (now - fs.statSync(f).mtimeMs > DAY_MS) fs.rmSync(f, { force: true, recursive: true });
    } catch {
      // gone already, or not ours to remove
    }
  }
}

/** After an import the uploaded copies it read are no longer needed. */
export function removeImportedUploads(input: unknown, dir: string): void {
  const i = input as { path?: unknown; also?: { path?: unknown }[] } | null;
  const paths = [i?.path, ...(Array.isArray(i?.also) ? i.also.map((f) => f?.path) : [])];
  const real = realPath(dir);
  for (const p of paths) {
    if (typeof p === 'string' && realPath(path.dirname(p)) === real) fs.rmSync(p, { force: true });
  }
}

class TooLarge extends Error {}

/** Copies the request body to `file`, counting bytes as they arrive: chunked bodies have no Content-Length to trust. */
async function saveBody(req: IncomingMessage, file: string, cap: number): Promise<number> {
  let bytes = 0;
  const out = fs.createWriteStream(file, { mode: 0o600 });
  try {
    await pipeline(
      req,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          bytes += chunk.length;
          if (bytes > cap) throw new TooLarge();
          yield chunk;
        }
      },
      out,
    );
  } catch (e) {
    fs.rmSync(file, { force: true });
    throw e;
  }
  return bytes;
}

function tooLarge(res: ServerResponse, cap: number): void {
  const message = `The file is larger than the upload limit of ${Math.round(cap / 1048576)} MB; raise IAFA_MAX_UPLOAD_MB to allow it.`;
  // The rest of the body is not read: the connection closes once the answer is out.
  res
    .writeHead(413, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', connection: 'close' })
    .end(JSON.stringify({ error: { kind: 'validation', message, details: { reason: 'too_large', limitBytes: cap } } }));
}

export function extraRoutes(engine: Engine): ExtraRoute[] {
  return [
    {
      // A stored report's bytes; `?token=` is accepted on GET so a plain link or <a download> works.
      method: 'GET',
      pattern: /^\/api\/v1\/reports\/([^/]+)\/download\/?$/,
      tokenInQuery: true,
      async handle(_req, res, m, url) {
        let id: string;
        try {
          id = decodeURIComponent(m[1]);
        } catch {
          throw new IafaError('not_found', 'No such report.');
        }
        const { file, report, mime } = reportFile(engine.app.db, engine.app.dataDir, id);
        const inline = url.searchParams.get('inline') === '1' && report.format !== 'html';
        res.writeHead(200, {
          'content-type': mime,
          'content-length': String(fs.statSync(file).size),
          'content-disposition': `${inline ? 'inline' : 'attachment'}; filename="${report.file_name}"`,
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
          // A downloaded HTML report opened from this origin still may not run or fetch anything.
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
        });
        await pipeline(fs.createReadStream(file), res);
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/v1\/uploads\/?$/,
      async handle(req, res, _m, url) {
        const name = path
          .basename(url.searchParams.get('name') || 'upload.csv')
          .replace(/[^\w.\- ]+/g, '_')
          .slice(0, 120);
        const cap = maxUploadBytes(engine.app.env);
        const declared = Number(req.headers['content-length'] ?? 0);
        if (declared > cap) return tooLarge(res, cap);
        const dir = uploadsDir(engine.app.dataDir);
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        const file = path.join(dir, `${newId('up')}-${name}`);
        let bytes: number;
        try {
          bytes = await saveBody(req, file, cap);
        } catch (e) {
          if (e instanceof TooLarge) return tooLarge(res, cap);
          throw e;
        }
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify({ path: file, name, bytes }));
      },
    },
  ];
}
