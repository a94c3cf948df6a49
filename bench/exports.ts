import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { csvToMixpanel, gzipFile, parquetFile, zipFile } from './export-data';
import { bundle, child } from './funnel';
import { writeBenchLog } from './funnel-data';
import { medianRun, seconds, type DuckRun, type OursRun, type ReopenRun } from './results';

const s = seconds;
const key = (b: Record<string, number[]>) => JSON.stringify(Object.entries(b).sort());

/**
 * The bench log as a Mixpanel raw export (NDJSON, nested properties, unix-second times, an
 * $insert_id per event), then .gz, zip and Parquet copies of it: file to 7-day funnel broken down
 * by country, ours vs DuckDB (read_ndjson_auto / read_parquet + the CSV bench's funnel SQL) in the
 * same run, each in its own process. BENCH_EXPORT_SIZES=1e6 by default (the target is 10M).
 */
export async function run(): Promise<void> {
  const sizes = (process.env.BENCH_EXPORT_SIZES ?? '1000000').split(',').map(Number);
  const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
  // BENCH_EXPORT_CASES=ndjson (or ndjson.gz, zip, parquet; comma-separated): only those.
  const only = (process.env.BENCH_EXPORT_CASES ?? '')
    .split(',')
    .filter(Boolean)
    .map((x) => x.trim().toLowerCase());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-bench-export-'));
  await bundle();
  try {
    console.log(`\nexport bench on ${os.cpus().length} cores, node ${process.version}`);
    for (const n of sizes) {
      const users = Math.round((n / 10_000_000) * 300_000);
      const csv = path.join(dir, 'events.csv');
      writeBenchLog(csv, n, users);
      const nd = path.join(dir, 'mixpanel.ndjson');
      const rows = await csvToMixpanel(csv, nd);
      fs.rmSync(csv);
      const gz = path.join(dir, 'mixpanel.ndjson.gz');
      const zip = path.join(dir, 'mixpanel.zip');
      const pq = path.join(dir, 'mixpanel.parquet');
      const wanted = (name: string) => only.length === 0 || only.includes(name);
      if (wanted('ndjson.gz')) await gzipFile(nd, gz);
      if (wanted('zip')) await zipFile(nd, zip);
      if (wanted('parquet')) await parquetFile(nd, pq);
      const size = (f: string) => (fs.existsSync(f) ? `${(fs.statSync(f).size / 1048576).toFixed(0)} MB` : 'not written');
      console.log(
        `\n${rows.toLocaleString('en-US')} events, ${users.toLocaleString('en-US')} users; Mixpanel NDJSON ${size(nd)}, .gz ${size(gz)}, zip ${size(zip)}, Parquet (zstd) ${size(pq)}; medians of ${runs} runs`,
      );
      const all: { name: string; file: string; duck: 'ndjson' | 'parquet' | null }[] = [
        { name: 'NDJSON   ', file: nd, duck: 'ndjson' },
        { name: 'NDJSON.gz', file: gz, duck: 'ndjson' },
        { name: 'zip      ', file: zip, duck: null },
        { name: 'Parquet  ', file: pq, duck: 'parquet' },
      ];
      const cases = all.filter((c) => wanted(c.name.trim().toLowerCase()));
      let reference: string | null = null;
      for (const c of cases) {
        const ours: OursRun[] = [];
        const duck: DuckRun[] = [];
        let kept = '';
        for (let r = 0; r < runs; r++) {
          const dataDir = path.join(dir, `data_${r}`);
          ours.push(child<OursRun>('ours', c.file, dataDir));
          if (c.duck) duck.push(child<DuckRun>('duckexport', c.file, c.duck));
          if (r === 0) kept = dataDir;
          else fs.rmSync(dataDir, { recursive: true, force: true });
        }
        const o = medianRun(ours);
        reference ??= key(o.bySegment);
        const same = [...ours, ...duck].every((x) => key(x.bySegment) === reference);
        let line = `  ${c.name}  IAFA ${s(o.totalMs)} (import ${s(o.importMs)}, funnel ${s(o.funnelMs)}), peak RSS ${o.peakRssMb.toFixed(0)} MB`;
        if (duck.length) {
          const d = medianRun(duck);
          line += ` | DuckDB ${s(d.totalMs)}, peak RSS ${d.peakRssMb.toFixed(0)} MB | ratio ${(d.totalMs / o.totalMs).toFixed(2)}x`;
        } else line += ' | DuckDB cannot read zip';
        console.log(`${line}; counts equal: ${same ? 'yes' : 'NO'}`);
        if (c.file === nd) {
          const re = child<ReopenRun>('reopen', kept, ours[0].datasetId);
          console.log(
            `             reopen ${s(re.reopenMs)} (+ first funnel ${s(re.firstFunnelMs)}), resident ${re.residentBytesPerEvent.toFixed(1)} bytes/event`,
          );
        }
        fs.rmSync(kept, { recursive: true, force: true });
        if (!same) throw new Error(`${c.name}: funnel counts differ`);
      }
      for (const f of [nd, gz, zip, pq]) fs.rmSync(f, { force: true });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
