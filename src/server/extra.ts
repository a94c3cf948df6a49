import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { IafaError } from '../shared/contract';
import type { Engine } from '../core/services';
import { dataPaths } from '../core/paths';
import { newId } from '../core/ids';
import { reportFile } from '../core/reports';

/**
 * Routes that move raw bytes rather than JSON, so they sit beside the contract: the browser
 * cannot hand the server a file path, so it uploads the file first and imports the saved copy.
 */
export interface ExtraRoute {
  method: string;
  pattern: RegExp;
  handle(req: IncomingMessage, res: ServerResponse, match: RegExpExecArray, url: URL): Promise<void>;
}

const MAX_UPLOAD = 4 * 1024 * 1024 * 1024;

export function extraRoutes(engine: Engine): ExtraRoute[] {
  return [
    {
      // A stored report's bytes; `?token=` is accepted on GET so a plain link or <a download> works.
      method: 'GET',
      pattern: /^\/api\/v1\/reports\/([^/]+)\/download\/?$/,
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
        const name = path.basename(url.searchParams.get('name') || 'upload.csv').replace(/[^\w.\- ]+/g, '_').slice(0, 120);
        const declared = Number(req.headers['content-length'] ?? 0);
        if (declared > MAX_UPLOAD) throw new IafaError('validation', `File is larger than ${MAX_UPLOAD} bytes.`);
        const dir = path.join(dataPaths(engine.app.dataDir).tmp, 'uploads');
        fs.mkdirSync(dir, { recursive: true });
        const file = path.join(dir, `${newId('up')}-${name}`);
        try {
          await pipeline(req, fs.createWriteStream(file));
        } catch (e) {
          fs.rmSync(file, { force: true });
          throw e;
        }
        const bytes = fs.statSync(file).size;
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
          .end(JSON.stringify({ path: file, name, bytes }));
      },
    },
  ];
}
