import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchChild } from './child';
import { cachedExportLikeLog } from './export-like-data';
import { seconds, type DuckRun, type OursRun, type ReopenRun } from './results';

const here = path.dirname(fileURLToPath(import.meta.url));

const { bundle, run: child } = benchChild('scale-child', 'scale-build');

interface Reopen extends ReopenRun {
  refilterTwoMs: number;
  refilterOneMs: number;
  peakRssMb: number;
}

const s = seconds;
const gb = (mb: number) => `${(mb / 1024).toFixed(2)} GB`;

function dirBytes(dir: string): number {
  let n = 0;
  for (const f of fs.readdirSync(dir)) n += fs.statSync(path.join(dir, f)).size;
  return n;
}

/**
 * The scale curve: CSV → funnel with a breakdown at growing sizes (BENCH_SCALE_SIZES, default
 * 1M, 10M, 30M and 100M events), IAFA and DuckDB side by side, each in its own process so each
 * peak RSS is its own; then the imported dataset reopened in a fresh process and re-filtered.
 * DuckDB runs up to BENCH_SCALE_DUCK_MAX events (default 30M: at 100M it wants more memory
 * than a shared machine should give it; set it to 1e8 to include it).
 */
export async function run(): Promise<void> {
  const sizes = (process.env.BENCH_SCALE_SIZES ?? '1e6,1e7,3e7,1e8').split(',').map(Number);
  const duckMax = Number(process.env.BENCH_SCALE_DUCK_MAX ?? 3e7);
  const dir = process.env.BENCH_SCALE_DIR ?? path.join(here, '.data', 'scale');
  const keep = process.env.BENCH_SCALE_KEEP !== '0';
  fs.mkdirSync(dir, { recursive: true });
  await bundle();
  console.log(`scale bench on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), ${gb(os.totalmem() / 1048576)} RAM, node ${process.version}`);
  for (const n of sizes) {
    console.log(`\n${n.toLocaleString('en-US')} events`);
    const t = performance.now();
    // Written once and kept (a 100M-event file takes many minutes to write); BENCH_SCALE_KEEP=0 removes it after.
    const { file, rows, users } = cachedExportLikeLog(dir, n);
    if (performance.now() - t > 1000) console.log(`  (file written in ${s(performance.now() - t)})`);
    const csvBytes = fs.statSync(file).size;
    const dataDir = fs.mkdtempSync(path.join(dir, 'data-'));
    try {
      const ours = child<OursRun>('ours', file, dataDir);
      const stored = dirBytes(path.join(dataDir, 'datasets', ours.datasetId));
      const reopen = child<Reopen>('reopen', dataDir, ours.datasetId);
      const duck = n <= duckMax ? child<DuckRun>('duck', file) : null;
      const same = duck ? JSON.stringify(Object.entries(ours.bySegment).sort()) === JSON.stringify(Object.entries(duck.bySegment).sort()) : null;
      console.log(
        `  ${rows.toLocaleString('en-US')} rows, ${users.toLocaleString('en-US')} users, ${(csvBytes / 1048576).toFixed(0)} MB CSV (export-like: string ids, ISO-8601 times, arrival order)`,
      );
      console.log(
        `  IAFA    end to end ${s(ours.totalMs)} (import ${s(ours.importMs)}, funnel ${s(ours.funnelMs)}), peak RSS ${gb(ours.peakRssMb)} (${((ours.peakRssMb * 1048576) / rows).toFixed(1)} bytes/event)`,
      );
      console.log(
        `  stored  ${(stored / rows).toFixed(1)} bytes/event on disk; reopen ${s(reopen.reopenMs)} (+ first funnel ${s(reopen.firstFunnelMs)}), resident ${reopen.residentBytesPerEvent.toFixed(1)} bytes/event, peak RSS ${gb(reopen.peakRssMb)}`,
      );
      console.log(`  re-filter ${reopen.refilterMs.toFixed(0)} ms, re-breakdown ${reopen.rebreakdownMs.toFixed(0)} ms (reopened dataset, in a fresh process)`);
      console.log(
        `  re-filter medians of 3: ${reopen.refilterTwoMs.toFixed(0)} ms with the helper thread, ${reopen.refilterOneMs.toFixed(0)} ms on one thread`,
      );
      if (duck)
        console.log(
          `  DuckDB  end to end ${s(duck.totalMs)}, peak RSS ${gb(duck.peakRssMb)}; ratio ${(duck.totalMs / ours.totalMs).toFixed(2)}x; counts equal: ${same ? 'yes' : 'NO'}`,
        );
      else console.log(`  DuckDB  skipped above ${duckMax.toLocaleString('en-US')} events (BENCH_SCALE_DUCK_MAX)`);
      if (same === false)
        throw new Error(`funnel counts differ from DuckDB at ${n} events:\n${JSON.stringify(ours.bySegment)}\n${JSON.stringify(duck!.bySegment)}`);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (!keep) fs.rmSync(file, { force: true });
    }
  }
}
