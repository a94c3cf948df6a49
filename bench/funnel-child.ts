/**
 * One measurement per process, so each figure's peak RSS is its own:
 *   ours <file> <dataDir>          import + funnel with a breakdown, end to end
 *   reopen <dataDir> <datasetId>   reopen, then re-filter and re-breakdown on the open dataset
 *   duck <file> [export-like]      DuckDB on the same file (the export-like one: ISO times, ms)
 *   duckexport <file> <kind>       DuckDB on a Mixpanel-shaped export (ndjson, ndjson.gz or parquet)
 */
import fs from 'node:fs';
import { LocalDatasets, type LocalBackend } from '../src/core/backends/local';
import { importFiles, previewAny, reserveImportThreads } from '../src/core/import';
import { lastCsvRead } from '../src/core/import/profile';
import { FunnelDefinition, type FunnelDefinitionInput } from '../src/shared/contract';
import { BENCH_STEPS } from './funnel-data';
import { duckdbExportLikeSource, duckdbExportSource, duckdbFunnel } from './duckdb-funnel';
import { reopenFigures } from './reopen';

// The engine's import and the local backend directly (what datasets:import and funnels:compute run,
// minus one SQLite insert), so the bench does not depend on every other service loading.
const [mode, a, b] = process.argv.slice(2);
const steps = BENCH_STEPS.map((event) => ({ event }));
const def = (d: Partial<FunnelDefinitionInput>) => FunnelDefinition.parse({ steps, window: '7d', ...d });
const mb = () => process.resourceUsage().maxRSS / 1024;

const MODES: [string, Partial<FunnelDefinitionInput>][] = [
  ['default', {}],
  ['strict', { strict: true }],
  ['strict-order', { strictOrder: true }],
  ['strict-deduplication', { strictDeduplication: true }],
  ['strict-once', { strictOnce: true }],
  ['all five', { strictOrder: true, allowReentry: true, strictDeduplication: true, strictOnce: true, strict: true }],
];

/**
 * The same re-filtered funnel in each mode, the modes taken in turn for 7 rounds (so no call
 * reuses the previous one's pass, and load on the machine falls on every mode alike); medians.
 * One thread: a reopened dataset is not in shared memory.
 */
async function modeTimes(backend: LocalBackend): Promise<Record<string, number>> {
  const runs = new Map<string, number[]>(MODES.map(([name]) => [name, []]));
  for (let r = 0; r < 7; r++) {
    for (const [name, extra] of MODES) {
      const t = performance.now();
      await backend.funnel(def({ breakdown: 'country', include: { platform: [['ios', 'android', 'web'][r % 3]] }, ...extra }));
      runs.get(name)!.push(performance.now() - t);
    }
  }
  return Object.fromEntries([...runs].map(([name, xs]) => [name, xs.sort((x, y) => x - y)[3]]));
}

async function main(): Promise<unknown> {
  if (mode === 'ours') {
    // IAFA_IMPORT_PARALLEL_MIN_MB as the app reads it (to compare one thread with several).
    const minMb = Number(process.env.IAFA_IMPORT_PARALLEL_MIN_MB);
    const parallelMinBytes = process.env.IAFA_IMPORT_PARALLEL_MIN_MB && Number.isFinite(minMb) ? minMb * 1048576 : undefined;
    const local = new LocalDatasets();
    const bytes = fs.statSync(a).size;
    // As in the app, the file is previewed before it is imported (datasets:preview), which starts
    // the import's worker threads and the funnel helper thread; the user then reads the preview
    // (here: 300 ms). The clock starts when the import is asked for, as DuckDB's starts once its
    // instance and connection exist. BENCH_COLD_THREADS=1: no preview, threads started by the import.
    if (process.env.BENCH_COLD_THREADS !== '1') {
      await reserveImportThreads(await previewAny({ path: a }, 8 * 1024 ** 3), { parallelMinBytes });
      local.prepareImport(bytes);
      await new Promise((r) => setTimeout(r, 300));
    }
    const t0 = performance.now();
    const out = await importFiles(
      { path: a },
      {
        dataDir: b,
        budgetBytes: 8 * 1024 ** 3,
        signal: new AbortController().signal,
        progress: () => {},
        parallelMinBytes,
        jsonParallel: process.env.IAFA_IMPORT_JSON_PARALLEL !== '0',
        // As datasets:import does: a large file's funnel helper thread starts once its rows are read.
        onRowsRead: () => local.prepareImport(bytes),
      },
    );
    const t1 = performance.now();
    // As the app does: the import hands its in-memory store to the first funnel.
    if (out.store) local.adopt(out.id, out.store);
    const res = await local.backend(out.id, out.dir).funnel(def({ breakdown: 'country' }));
    const t2 = performance.now();
    const bySegment = Object.fromEntries(Object.entries(res.segment_breakdown!).map(([k, v]) => [k, v.stages.map((s) => s.users)]));
    const p = lastCsvRead;
    const sum = (f: (c: (typeof p.chunks)[number]) => number) => p.chunks.reduce((x, c) => x + f(c), 0);
    const profile =
      p.startAt > t0 && p.chunks.length
        ? {
            setupMs: p.startAt - t0,
            workers: p.chunks.length,
            workerMs: sum((c) => c.totalMs),
            // From the start of the ranged read to the merge: the workers' own time plus their start and hand-over.
            workerWallMs: p.doneAt - p.mergeMs - p.startAt,
            parseMs: sum((c) => c.parseMs),
            readMs: sum((c) => c.readMs),
            sortMs: sum((c) => c.sortMs),
            mergeMs: p.mergeMs,
            userMergeMs: p.userMergeMs,
            workerUserMatchMs: p.workerUserMatchMs,
            writeMs: t1 - p.doneAt,
          }
        : undefined;
    return { datasetId: out.id, rows: out.rowCount, importMs: t1 - t0, funnelMs: t2 - t1, totalMs: t2 - t0, peakRssMb: mb(), bySegment, profile };
  }
  if (mode === 'reopen') {
    const { backend, figures } = await reopenFigures(a, b, def);
    return { ...figures, modesMs: await modeTimes(backend) };
  }
  if (mode === 'duckexport') {
    const r = await duckdbFunnel(a, BENCH_STEPS, 7 * 86400, 'country', duckdbExportSource(a, b as 'ndjson' | 'parquet', 'country'));
    return { totalMs: r.ms, peakRssMb: mb(), bySegment: r.bySegment };
  }
  if (mode === 'duck' && b === 'export-like') {
    const r = await duckdbFunnel(a, BENCH_STEPS, 7 * 86400 * 1000, 'country', duckdbExportLikeSource(a, 'country'));
    return { totalMs: r.ms, peakRssMb: mb(), bySegment: r.bySegment };
  }
  if (mode === 'duck') {
    const r = await duckdbFunnel(a, BENCH_STEPS, 7 * 86400, 'country');
    return { totalMs: r.ms, peakRssMb: mb(), bySegment: r.bySegment };
  }
  throw new Error(`unknown mode ${mode}`);
}

main().then(
  (out) => process.stdout.write(JSON.stringify(out) + '\n'),
  (err) => {
    process.stderr.write(String(err?.stack ?? err) + '\n');
    process.exit(1);
  },
);
