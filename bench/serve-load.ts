import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_STEPS } from './funnel-data';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const COUNTRIES = ['US', 'DE', 'FR', 'BR', 'IN', 'JP', 'GB', 'CA'];
const PLATFORMS = ['ios', 'android', 'web'];

export interface Serve {
  base: string;
  token: string;
  api(method: string, p: string, body?: unknown, headers?: Record<string, string>, signal?: AbortSignal): Promise<Response>;
  stop(): Promise<void>;
}

/** `iafa serve` (from the sources, through tsx) in a process of its own on `dataDir`. */
export async function startServe(dataDir: string, workers: number, queue: number): Promise<Serve> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'src/cli/index.ts'), 'serve', '--port', '0', '--json', '--workers', String(workers), '--queue', String(queue)],
    {
      cwd: ROOT,
      env: { ...process.env, IAFA_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.once('exit', (code) => reject(new Error(`iafa serve exited (${code})`)));
  });
  const { url: base, token } = JSON.parse(line) as { url: string; token: string };
  const api: Serve['api'] = (method, p, body, headers = {}, signal) =>
    fetch(base + p, {
      method,
      signal,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
  // Measured once the workers have started and the server has answered once: a warm server.
  for (let i = 0; workers > 0 && i < 600; i++) {
    const pool = ((await (await api('GET', '/api/v1/limits')).json()) as { pool: { workers: number } }).pool;
    if (pool.workers >= workers) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await (await api('GET', '/api/v1/health')).json();
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  };
  return { base, token, api, stop };
}

/** The i-th of the load's funnels: each with its own filter and window. */
export function loadDefinition(i: number) {
  return {
    steps: BENCH_STEPS.map((event) => ({ event })),
    window: `${i + 1}d`,
    include: { country: [COUNTRIES[i % 8]], platform: [PLATFORMS[i % 3]] },
    breakdown: i % 2 ? 'plan' : undefined,
  };
}

export interface LoadResult {
  seconds: number;
  /** Milliseconds per /api/v1/health answer, in order. */
  latencies: number[];
  results: { status: number; busy: number; body: { stages?: unknown[] } }[];
}

/** `n` funnel computes at once (each retried after Retry-After on 503) while health is polled every 25 ms. */
export async function healthUnderLoad(serve: Serve, datasetId: string, n: number): Promise<LoadResult> {
  const start = performance.now();
  const latencies: number[] = [];
  let running = true;
  const sampler = (async () => {
    while (running) {
      const t0 = performance.now();
      await (await serve.api('GET', '/api/v1/health')).json();
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  const compute = async (i: number) => {
    let busy = 0;
    for (;;) {
      const res = await serve.api('POST', '/api/v1/funnels/compute', { datasetId, definition: loadDefinition(i) });
      if (res.status !== 503) return { status: res.status, busy, body: (await res.json()) as LoadResult['results'][number]['body'] };
      busy++;
      const after = Number(res.headers.get('retry-after'));
      await res.body?.cancel();
      await new Promise((r) => setTimeout(r, Math.max(1, after) * 1000));
    }
  };
  const results = await Promise.all(Array.from({ length: n }, (_, i) => compute(i)));
  running = false;
  await sampler;
  return { seconds: (performance.now() - start) / 1000, latencies, results };
}

export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))];
}
