import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { IafaError } from '../shared/contract';
import type { Engine } from '../core/services';
import { dataPaths } from '../core/paths';
import { newId } from '../core/ids';

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
