import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchChild } from './child';
import { cachedExportLikeLog } from './export-like-data';
import { writeBenchLog } from './funnel-data';
import { medianRun, seconds, type DuckRun, type OursRun, type ReopenRun } from './results';

const here = path.dirname(fileURLToPath(import.meta.url));

const funnelChild = benchChild('funnel-child', 'build');
/** Bundles bench/funnel-child.ts (and the workers); the exports bench uses it too. */
export const bundle = funnelChild.bundle;
export const child = funnelChild.run;

interface Ours extends OursRun {
  profile?: {
    setupMs: number;
    workers: number;
    workerMs: number;
    workerWallMs: number;
    parseMs: number;
    readMs: number;
    sortMs: number;
    mergeMs: number;
    userMergeMs: number;
    workerUserMatchMs: number;
    writeMs: number;
  };
}
interface Reopen extends ReopenRun {
  modesMs: Record<string, number>;
}

const s = seconds;

/**
 * CSV → 4-step funnel (7-day window) broken down by country, ours vs DuckDB on the same file,
 * each measured in its own process, for two files at each size: an export-like log (string ids,
 * ISO times with ms and zone offsets, arrival order; bench/export-like-data.ts, written once into
 * bench/.data and reused) and the numeric-id log (bench/funnel-data.ts). Sizes:
 * BENCH_SIZES=1e6,1e7 by default; BENCH_FILES=export-like,numeric (the default) picks the files.
 */
export async function run(): Promise<void> {
  const sizes = (process.env.BENCH_SIZES ?? '1000000,10000000').split(',').map(Number);
  const kinds = (process.env.BENCH_FILES ?? 'export-like,numeric').split(',') as FileKind[];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-bench-'));
  await bundle();
  try {
    console.log(`funnel bench on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), node ${process.version}`);
    console.log(
      process.env.BENCH_COLD_THREADS === '1'
        ? 'IAFA starts its import threads with the import (BENCH_COLD_THREADS=1)'
        : "IAFA's clock starts at the import, after the file's preview started its threads (as in the app); DuckDB's once its instance and connection exist",
    );
    for (const n of sizes) {
      for (const kind of kinds) {
        if (kind === 'export-like') {
          const f = cachedExportLikeLog(path.join(here, '.data'), n);
          measure(kind, f.file, f.rows, f.users, dir, n);
        } else if (kind === 'numeric') {
          const users = Math.round((n / 10_000_000) * 300_000);
          const file = path.join(dir, `events_${n}.csv`);
          const rows = writeBenchLog(file, n, users);
          try {
            measure(kind, file, rows, users, dir, n);
          } finally {
            fs.rmSync(file, { force: true });
          }
        } else throw new Error(`BENCH_FILES: unknown file kind ${kind as string} (export-like, numeric)`);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

type FileKind = 'export-like' | 'numeric';
const DESCRIBE: Record<FileKind, string> = {
  'export-like': 'export-like (UUID and hashed string ids, ISO times with ms and offsets, arrival order)',
  numeric: 'numeric ids (unix seconds, shuffled in blocks of users)',
};

/** Where IAFA's time went, summed over the workers' ranges (they run side by side). */
function phases(p: Ours['profile']): string {
  if (!p) return '';
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  return `\n  where   before workers ${ms(p.setupMs)}; in workers (${p.workers}, each about ${ms(p.workerMs / p.workers)}, ${ms(p.workerWallMs)} from start to hand-over): parse ${ms(p.parseMs / p.workers)} (read ${ms(p.readMs / p.workers)}), sort ${ms(p.sortMs / p.workers)}; merge ${ms(p.mergeMs)} (users ${ms(p.userMergeMs)}${p.workerUserMatchMs ? `, after ${ms(p.workerUserMatchMs)} matching the later ranges' ids in the first worker` : ''}); write ${ms(p.writeMs)}`;
}

function measure(kind: FileKind, file: string, rows: number, users: number, dir: string, n: number): void {
  const mbFile = fs.statSync(file).size / 1048576;
  // Each side runs BENCH_RUNS times (3 by default), alternating, and the medians are compared:
  // on a shared machine single runs vary by 10-20%.
  const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
  const oursRuns: Ours[] = [];
  const duckRuns: DuckRun[] = [];
  let kept = '';
  for (let r = 0; r < runs; r++) {
    const dataDir = path.join(dir, `data_${kind}_${n}_${r}`);
    oursRuns.push(child<Ours>('ours', file, dataDir));
    duckRuns.push(child<DuckRun>('duck', file, kind));
    if (r === 0) kept = dataDir;
    else fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const ours = medianRun(oursRuns);
  const duck = medianRun(duckRuns);
  const reopen = child<Reopen>('reopen', kept, oursRuns[0].datasetId);
  const same = [...oursRuns, ...duckRuns].every(
    (x) => JSON.stringify(Object.entries(x.bySegment).sort()) === JSON.stringify(Object.entries(duck.bySegment).sort()),
  );
  const range = (xs: { totalMs: number }[]) => (xs.length > 1 ? ` (runs ${xs.map((x) => s(x.totalMs)).join(', ')})` : '');
  console.log(
    `\n${DESCRIBE[kind]}: ${rows.toLocaleString('en-US')} events, ${users.toLocaleString('en-US')} users, ${mbFile.toFixed(0)} MB CSV; medians of ${runs} runs`,
  );
  console.log(
    `  IAFA    end to end ${s(ours.totalMs)} (import ${s(ours.importMs)}, funnel ${s(ours.funnelMs)}), peak RSS ${ours.peakRssMb.toFixed(0)} MB, ${Math.round(rows / (ours.totalMs / 1000)).toLocaleString('en-US')} events/s${range(oursRuns)}${phases(ours.profile)}`,
  );
  console.log(`  DuckDB  end to end ${s(duck.totalMs)}, peak RSS ${duck.peakRssMb.toFixed(0)} MB${range(duckRuns)}`);
  console.log(`  ratio   ${(duck.totalMs / ours.totalMs).toFixed(2)}x (DuckDB time / IAFA time); counts equal: ${same ? 'yes' : 'NO'}`);
  console.log(`  reopen  ${s(reopen.reopenMs)} (+ first funnel ${s(reopen.firstFunnelMs)}), resident ${reopen.residentBytesPerEvent.toFixed(1)} bytes/event`);
  console.log(`  re-filter ${reopen.refilterMs.toFixed(0)} ms, re-breakdown ${reopen.rebreakdownMs.toFixed(0)} ms`);
  const base = reopen.modesMs.default;
  console.log(
    `  modes   ${Object.entries(reopen.modesMs)
      .map(([m, ms]) => `${m} ${ms.toFixed(0)} ms${m === 'default' ? '' : ` (${(ms / base).toFixed(2)}x)`}`)
      .join(', ')} (one thread, re-filtered funnel)`,
  );
  if (!same) throw new Error(`funnel counts differ from DuckDB:\n${JSON.stringify(ours.bySegment)}\n${JSON.stringify(duck.bySegment)}`);
  fs.rmSync(kept, { recursive: true, force: true });
}
