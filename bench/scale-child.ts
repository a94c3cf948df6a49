/**
 * One measurement per process for bench/scale.ts, so each peak RSS is its own:
 *   ours <file> <dataDir>          import + funnel with a breakdown by country
 *   reopen <dataDir> <datasetId>   reopen in a fresh process, then re-filter and re-breakdown
 *   duck <file>                    DuckDB on the same file (string ids, ISO-8601 times)
 */
import { LocalDatasets } from '../src/core/backends/local';
import { importFiles } from '../src/core/import';
import { splitLimits } from '../src/core/helper-thread';
import { FunnelDefinition, type FunnelDefinitionInput, type FunnelResult } from '../src/shared/contract';
import { duckdbExportLikeSource, duckdbFunnel } from './duckdb-funnel';
import { reopenFigures } from './reopen';
import { EXPORT_LIKE_STEPS } from './export-like-data';

const [mode, a, b] = process.argv.slice(2);
// BENCH_SCALE_ONE_THREAD=1: the reopened dataset's funnels without the helper thread (to compare).
if (process.env.BENCH_SCALE_ONE_THREAD === '1') splitLimits.minRows = Infinity;
const def = (d: Partial<FunnelDefinitionInput>) => FunnelDefinition.parse({ steps: EXPORT_LIKE_STEPS.map((event) => ({ event })), window: '7d', ...d });
const mb = () => process.resourceUsage().maxRSS / 1024;
const counts = (r: FunnelResult) => Object.fromEntries(Object.entries(r.segment_breakdown!).map(([k, v]) => [k, v.stages.map((s) => s.users)]));

async function main(): Promise<unknown> {
  if (mode === 'ours') {
    const t0 = performance.now();
    const out = await importFiles(
      { path: a },
      { dataDir: b, budgetBytes: Number(process.env.BENCH_SCALE_BUDGET_MB ?? 8192) * 1048576, signal: new AbortController().signal, progress: () => {} },
    );
    const t1 = performance.now();
    // As the app does: the import hands its in-memory store to the local backend's first funnel.
    const local = new LocalDatasets();
    if (out.store) local.adopt(out.id, out.store);
    const res = await local.backend(out.id, out.dir).funnel(def({ breakdown: 'country' }));
    const t2 = performance.now();
    return { datasetId: out.id, rows: out.rowCount, importMs: t1 - t0, funnelMs: t2 - t1, totalMs: t2 - t0, peakRssMb: mb(), bySegment: counts(res) };
  }
  if (mode === 'reopen') {
    const { backend, figures } = await reopenFigures(a, b, def);
    // Re-filters with the helper thread and on this thread alone, alternated (medians of 3),
    // so the machine's load falls on both alike.
    const limit = splitLimits.minRows;
    const two: number[] = [];
    const one: number[] = [];
    for (let r = 0; r < 3; r++) {
      for (const [xs, min, k] of [
        [two, limit, 2 * r],
        [one, Infinity, 2 * r + 1],
      ] as const) {
        splitLimits.minRows = min;
        const t = performance.now();
        // Each call a different filter from the call before: the same one would reuse its pass.
        await backend.funnel(def({ breakdown: 'country', include: { platform: [['ios', 'web', 'android'][k % 3]] } }));
        xs.push(performance.now() - t);
      }
    }
    splitLimits.minRows = limit;
    const med = (xs: number[]) => xs.sort((x, y) => x - y)[1];
    return { ...figures, refilterTwoMs: med(two), refilterOneMs: med(one), peakRssMb: mb() };
  }
  if (mode === 'duck') {
    const r = await duckdbFunnel(a, EXPORT_LIKE_STEPS, 7 * 86_400_000, 'country', duckdbExportLikeSource(a, 'country'));
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
