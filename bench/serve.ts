import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../src/core/services';
import { writeBenchLog } from './funnel-data';
import { healthUnderLoad, quantile, startServe } from './serve-load';

/**
 * `iafa serve` responsiveness (issue 13): /api/v1/health latency while 64 funnel computes with
 * different filters run, with the worker pool and, as the reference in the same run, with every
 * call on the answering thread (--workers 0). BENCH_SERVE_EVENTS sets the size (default 3M).
 */
export async function run(): Promise<void> {
  const events = Number(process.env.BENCH_SERVE_EVENTS ?? 3_000_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-bench-serve-'));
  try {
    const csv = path.join(dir, 'events.csv');
    writeBenchLog(csv, events, Math.round(events / 12));
    const dataDir = path.join(dir, 'data');
    const engine = createEngine({ dataDir, env: {} });
    const datasetId = (await engine.dispatch('datasets:import', { path: csv })).id;
    engine.close();
    console.log(`\n## iafa serve: health while 64 funnel computes run (${events.toLocaleString('en-US')} events)\n`);
    console.log('| workers | computes (s) | health p50 (ms) | p95 (ms) | max (ms) | 503 retries | target |');
    console.log('|---|---|---|---|---|---|---|');
    for (const workers of [Math.max(2, os.availableParallelism()), 0]) {
      const serve = await startServe(dataDir, workers, 256);
      try {
        const { seconds, latencies, results } = await healthUnderLoad(serve, datasetId, 64);
        const p95 = quantile(latencies, 0.95);
        const max = Math.max(...latencies);
        const ok = p95 <= 100 && max <= 500 && results.every((r) => r.status === 200);
        console.log(
          `| ${workers || '0 (answering thread)'} | ${seconds.toFixed(1)} | ${quantile(latencies, 0.5).toFixed(1)} | ${p95.toFixed(1)} | ${max.toFixed(1)} | ${results.reduce((s, r) => s + r.busy, 0)} | ${ok ? 'met' : 'missed'} |`,
        );
      } finally {
        await serve.stop();
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
