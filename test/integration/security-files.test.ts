import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server';
import { tempDir, tempEngine } from '../helpers/engine';
import { apiFetch } from '../helpers/http';

/** A small event log IAFA can analyse: two steps, a few users, a property. */
function eventLog(users = 6): string {
  const lines = ['user_id,timestamp,event,platform'];
  for (let u = 0; u < users; u++) {
    lines.push(`u${u},2026-01-05T06:0${u}:00Z,view,${u % 2 ? 'iOS' : 'web'}`);
    if (u % 2 === 0) lines.push(`u${u},2026-01-05T07:0${u}:00Z,buy,${u % 2 ? 'iOS' : 'web'}`);
  }
  return lines.join('\n') + '\n';
}

let env: ReturnType<typeof tempEngine>;
let server: RunningServer;
let allowed: string;
let outside: string;
let secretFile: string;

beforeAll(async () => {
  allowed = tempDir('iafa-allowed-');
  outside = tempDir('iafa-outside-');
  secretFile = path.join(outside, 'secret.csv');
  fs.writeFileSync(secretFile, 'name,password\nroot,hunter2-top-secret\n');
  fs.writeFileSync(path.join(allowed, 'events.csv'), eventLog());
  fs.symlinkSync(secretFile, path.join(allowed, 'link.csv'));
  fs.symlinkSync(outside, path.join(allowed, 'linkdir'));
  env = tempEngine();
  server = await startServer({ engine: env.engine, port: 0, allowDirs: [allowed] });
});
afterAll(async () => {
  await server.close();
  env.cleanup();
  fs.rmSync(allowed, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

function uploadsDir(): string {
  return path.join(env.dataDir, 'tmp', 'uploads');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function upload(srv: RunningServer, name: string, body: string): Promise<{ status: number; json: any }> {
  const res = await fetch(`${srv.url}/api/v1/uploads?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${srv.token}`, 'content-type': 'application/octet-stream' },
    body,
  });
  return { status: res.status, json: await res.json() };
}

describe('iafa serve reads only files the user gave it', () => {
  it('refuses a path outside the uploads and --allow-dir folders, without quoting it or saying whether it exists', async () => {
    const before = (await apiFetch(server, 'GET', '/api/v1/datasets')).json.datasets.length;
    const secret = await apiFetch(server, 'POST', '/api/v1/datasets/preview', { path: secretFile });
    expect(secret.status).toBe(400);
    expect(JSON.stringify(secret.json)).not.toContain('hunter2');
    const missing = await apiFetch(server, 'POST', '/api/v1/datasets/preview', { path: path.join(outside, 'nope.csv') });
    const dir = await apiFetch(server, 'POST', '/api/v1/datasets/preview', { path: outside });
    // The same answer for a file, a folder and nothing at all: the refusal reveals no existence.
    const norm = (r: { status: number; json: any }) => ({ status: r.status, message: String(r.json.error.message).replace(/\S*iafa-outside-\S*/g, 'P') }); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(norm(missing)).toEqual(norm(secret));
    expect(norm(dir)).toEqual(norm(secret));
    expect(secret.json.error.message).toMatch(/outside the folders/);
    for (const p of ['/etc/passwd', '/etc/shadow']) {
      const r = await apiFetch(server, 'POST', '/api/v1/datasets/import', { path: p });
      expect(r.status).toBe(400);
      expect(JSON.stringify(r.json)).not.toMatch(/root:/);
    }
    expect((await apiFetch(server, 'GET', '/api/v1/datasets')).json.datasets.length).toBe(before);
  });

  it('resolves symlinks and .. before deciding (neither escapes the allowed folder)', async () => {
    for (const p of [
      path.join(allowed, 'link.csv'),
      path.join(allowed, 'linkdir', 'secret.csv'),
      path.join(allowed, '..', path.basename(outside), 'secret.csv'),
    ]) {
      const r = await apiFetch(server, 'POST', '/api/v1/datasets/preview', { path: p });
      expect(r.status, p).toBe(400);
      expect(JSON.stringify(r.json)).not.toContain('hunter2');
    }
  });

  it('refuses an outside file among the extra files of an import', async () => {
    const r = await apiFetch(server, 'POST', '/api/v1/datasets/import', { path: path.join(allowed, 'events.csv'), also: [{ path: secretFile }] });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.json)).not.toContain('hunter2');
  });

  it('refuses outside files given to the experiment read-out and causal checks', async () => {
    fs.writeFileSync(path.join(outside, 'arm.csv'), 'variant,converted\nA,1\nB,0\nA,0\nB,1\n');
    const arm = path.join(outside, 'arm.csv');
    for (const [route, body] of [
      ['/api/v1/experiments/analyze', { file: arm, variant_column: 'variant', control: 'A', treatment: 'B', metrics: ['converted'] }],
      ['/api/v1/experiments/analyze', { control_file: arm, treatment_file: arm, metrics: ['converted'] }],
      ['/api/v1/experiments/causal', { file: arm, variant_column: 'variant', control: 'A', treatment: 'B', metrics: ['converted'] }],
      // Read inside the engine (a report's experiment, a join preview): checked at the door too.
      [
        '/api/v1/reports',
        { audience: 'executive', format: 'html', experiment: { file: arm, variant_column: 'variant', control: 'A', treatment: 'B', metrics: ['converted'] } },
      ],
      ['/api/v1/datasets/join-preview', { paths: [arm, arm] }],
    ] as const) {
      const r = await apiFetch(server, 'POST', route, body);
      expect(r.status, route).toBe(400);
      expect(r.json.error.details?.reason, JSON.stringify(r.json)).toBe('path_not_allowed');
    }
  });

  it('refuses a GGUF model path outside the allowed folders, in Settings and per call', async () => {
    const bad = await apiFetch(server, 'PATCH', '/api/v1/settings', { llm: { embeddedModelPath: secretFile } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details?.reason).toBe('path_not_allowed');
    const model = path.join(allowed, 'tiny.gguf');
    fs.writeFileSync(model, 'GGUF');
    const good = await apiFetch(server, 'PATCH', '/api/v1/settings', { llm: { embeddedModelPath: model } });
    expect(good.status).toBe(200);
    expect(good.json.llm.embeddedModelPath).toBe(fs.realpathSync(model));
    const perCall = await apiFetch(server, 'POST', '/api/v1/llm/narrate', {
      task: 'insights',
      facts: { facts: [], generated_at: '2026-01-01T00:00:00Z' },
      deterministic: {},
      scope: { funnel_id: 'fn_x' },
      options: { provider: 'embedded', model: '/etc/hostname' },
    });
    expect(perCall.status).toBe(400);
    expect(perCall.json.error.details?.reason).toBe('path_not_allowed');
    // An Ollama model name is a name, not a path.
    expect((await apiFetch(server, 'PATCH', '/api/v1/settings', { llm: { ollamaModel: 'hf.co/org/model:Q4' } })).status).toBe(200);
    await apiFetch(server, 'PATCH', '/api/v1/settings', { llm: { embeddedModelPath: '' } });
  });

  it('reads files in an allowed folder, the sample and uploads', async () => {
    const inside = await apiFetch(server, 'POST', '/api/v1/datasets/preview', { path: path.join(allowed, 'events.csv') });
    expect(inside.status).toBe(200);
    expect(inside.json.header).toContain('platform');
    expect((await apiFetch(server, 'POST', '/api/v1/datasets/preview', { path: 'sample' })).status).toBe(200);
    const up = await upload(server, 'events.csv', eventLog(8));
    expect(up.status).toBe(200);
    expect((await apiFetch(server, 'POST', '/api/v1/datasets/preview', { path: up.json.path })).status).toBe(200);
  });

  it('takes allowed folders from IAFA_ALLOW_DIRS too', async () => {
    const other = tempEngine({ IAFA_ALLOW_DIRS: [outside, '/nonexistent-dir'].join(path.delimiter) });
    const srv = await startServer({ engine: other.engine, port: 0 });
    try {
      const r = await apiFetch(srv, 'POST', '/api/v1/datasets/preview', { path: secretFile });
      expect(r.status).toBe(200);
      expect((await apiFetch(srv, 'POST', '/api/v1/datasets/preview', { path: path.join(allowed, 'events.csv') })).status).toBe(400);
    } finally {
      await srv.close();
      other.cleanup();
    }
  });
});

describe('the API token', () => {
  it('is taken from the Authorization header only, not ?token= or X-IAFA-Token', async () => {
    const q = await fetch(`${server.url}/api/v1/health?token=${encodeURIComponent(server.token)}`);
    expect(q.status).toBe(401);
    const x = await fetch(`${server.url}/api/v1/health`, { headers: { 'x-iafa-token': server.token } });
    expect(x.status).toBe(401);
    const ok = await fetch(`${server.url}/api/v1/health`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(ok.status).toBe(200);
  });

  it('is taken from ?token= on the report download route (a plain link works)', async () => {
    const dl = await fetch(`${server.url}/api/v1/reports/rep_missing/download?token=${encodeURIComponent(server.token)}`);
    expect(dl.status).toBe(404);
    const none = await fetch(`${server.url}/api/v1/reports/rep_missing/download`);
    expect(none.status).toBe(401);
  });
});

/** A chunked upload (no Content-Length) that keeps writing until the server answers. */
function chunkedUpload(srv: RunningServer, totalBytes: number, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: srv.port,
        path: '/api/v1/uploads?name=big.csv',
        method: 'POST',
        headers: { authorization: `Bearer ${srv.token}`, 'transfer-encoding': 'chunked', ...headers },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' || (e as NodeJS.ErrnoException).code === 'EPIPE' ? undefined : reject(e)));
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = () => {
      while (sent < totalBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('uploads', () => {
  it('stop at the cap (IAFA_MAX_UPLOAD_MB) with 413, chunked or not, and keep nothing', async () => {
    const small = tempEngine({ IAFA_MAX_UPLOAD_MB: '1' });
    const srv = await startServer({ engine: small.engine, port: 0 });
    const dir = path.join(small.dataDir, 'tmp', 'uploads');
    try {
      expect(await chunkedUpload(srv, 3 * 1024 * 1024)).toBe(413);
      const declared = await fetch(`${srv.url}/api/v1/uploads?name=x.csv`, {
        method: 'POST',
        headers: { authorization: `Bearer ${srv.token}` },
        body: Buffer.alloc(1024 * 1024 + 10, 'b'),
      });
      expect(declared.status).toBe(413);
      expect((await declared.json()).error.message).toMatch(/1 MB/);
      // Give the server a moment to remove the partial file after the socket closed.
      await new Promise((r) => setTimeout(r, 100));
      expect(fs.existsSync(dir) ? fs.readdirSync(dir) : []).toEqual([]);
      // Under the cap it still works.
      expect((await upload(srv, 'ok.csv', eventLog())).status).toBe(200);
    } finally {
      await srv.close();
      small.cleanup();
    }
  });

  it('are deleted once imported', async () => {
    const up = await upload(server, 'events.csv', eventLog(10));
    expect(fs.existsSync(up.json.path)).toBe(true);
    const r = await apiFetch(server, 'POST', '/api/v1/datasets/import', { path: up.json.path });
    expect(r.status).toBe(200);
    expect(fs.existsSync(up.json.path)).toBe(false);
  });

  it('older than a day are deleted when the server starts', async () => {
    fs.mkdirSync(uploadsDir(), { recursive: true });
    const old = path.join(uploadsDir(), 'up_old-a.csv');
    const fresh = path.join(uploadsDir(), 'up_new-b.csv');
    fs.writeFileSync(old, 'x');
    fs.writeFileSync(fresh, 'y');
    const twoDaysAgo = (Date.now() - 2 * 86400_000) / 1000;
    fs.utimesSync(old, twoDaysAgo, twoDaysAgo);
    const srv = await startServer({ engine: env.engine, port: 0 });
    await srv.close();
    expect(fs.existsSync(old)).toBe(false);
    expect(fs.existsSync(fresh)).toBe(true);
  });
});
