import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClickHouseBackend } from '../src/core/backends/clickhouse';
import { FunnelDefinition } from '../src/shared/contract';
import { CLICKHOUSE_BIN, NO_CLICKHOUSE, startCluster, type TestCluster } from '../test/helpers/clickhouse';
import { tempEngine } from '../test/helpers/engine';
import { BENCH_STEPS, writeBenchLog } from './funnel-data';

/**
 * The ClickHouse backend at scale: the bench event log loaded into a two-shard cluster (Debian's
 * clickhouse-server, started here), a funnel with breakdown through IAFA's backend beside the
 * local import + funnel of the same file, and the bytes that came back (the servers' own
 * result_bytes of every query IAFA sent). Then a larger table generated inside ClickHouse, where
 * the local engine would need several GB. Sizes: BENCH_CH_EVENTS (default 1e7) and
 * BENCH_CH_GENERATED (default 1e8; 0 skips).
 */
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function resultBytes(cluster: TestCluster, ids: string[]): Promise<{ bytes: number; rows: number }> {
  const list = ids.map((id) => `'${id}'`).join(',');
  for (let i = 0; i < 50; i++) {
    await cluster.admin('SYSTEM FLUSH LOGS');
    const [n, bytes, rows] = (
      await cluster.admin(`SELECT count(), sum(result_bytes), sum(result_rows) FROM system.query_log WHERE type = 2 AND query_id IN (${list})`)
    )
      .trim()
      .split('\t')
      .map(Number);
    if (n === ids.length) return { bytes, rows };
    await new Promise((r) => setTimeout(r, 100));
  }
  return { bytes: NaN, rows: NaN };
}

const DDL = 'user_id String, timestamp UInt32, event String, country String, platform String, plan String, tenure String';

async function createTables(cluster: TestCluster, name: string): Promise<void> {
  for (let i = 0; i < cluster.servers.length; i++) {
    await cluster.admin('CREATE DATABASE IF NOT EXISTS bench', i);
    await cluster.admin(`CREATE TABLE bench.${name}_local (${DDL}) ENGINE = MergeTree() ORDER BY (user_id, timestamp)`, i);
    await cluster.admin(`CREATE TABLE bench.${name} AS bench.${name}_local ENGINE = Distributed(iafa_test, bench, ${name}_local, rand())`, i);
  }
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, performance.now() - t0];
}

export async function run(): Promise<void> {
  if (!CLICKHOUSE_BIN) {
    console.log(`clickhouse: skipped (${NO_CLICKHOUSE})`);
    return;
  }
  const events = Number(process.env.BENCH_CH_EVENTS ?? 1e7);
  const generated = Number(process.env.BENCH_CH_GENERATED ?? 1e8);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-bench-ch-'));
  const cluster = await startCluster(2);
  const local = tempEngine();
  try {
    const file = path.join(dir, 'events.csv');
    const rows = writeBenchLog(file, events, Math.round(events / 20));
    const def = FunnelDefinition.parse({ steps: BENCH_STEPS.map((event) => ({ event })), window: '7d', breakdown: 'country' });

    const [ds, importMs] = await timed(() => local.engine.dispatch('datasets:import', { path: file }));
    const [want, localMs] = await timed(() => local.engine.dispatch('funnels:compute', { datasetId: ds.id, definition: def }));

    await createTables(cluster, 'events');
    const [, loadMs] = await timed(async () => {
      const body = fs.readFileSync(file);
      const url = `http://127.0.0.1:${cluster.servers[0].http}/?user=default&insert_distributed_sync=1&query=${encodeURIComponent('INSERT INTO bench.events FORMAT CSVWithNames')}`;
      const r = await fetch(url, { method: 'POST', body });
      if (!r.ok) throw new Error(await r.text());
    });
    const shards = await Promise.all([0, 1].map((i) => cluster.admin('SELECT count() FROM bench.events_local', i).then(Number)));

    const backend = new ClickHouseBackend(`clickhouse://127.0.0.1:${cluster.servers[0].http}/bench/events`, { env: {} });
    await backend.describe();
    const before = backend.conn.sent.length;
    const [got, chMs] = await timed(() => backend.funnel(def));
    const wire = await resultBytes(cluster, backend.conn.sent.slice(before));
    const diff = firstDifference({ ...got, dataset_id: 0, computed_ms: 0 }, { ...want, dataset_id: 0, computed_ms: 0 });
    const same = diff === null;
    if (diff) console.log(`  differs at ${diff}`);
    const csvBytes = fs.statSync(file).size;
    console.log(
      `clickhouse: ${rows.toLocaleString('en-US')} events (${(csvBytes / 1e6).toFixed(0)} MB CSV), funnel ${BENCH_STEPS.join('→')} by country, 7d window`,
    );
    console.log(`  local:      import ${s(importMs)} + funnel ${s(localMs)}`);
    console.log(
      `  clickhouse: load ${s(loadMs)} (${shards.map((n) => n.toLocaleString('en-US')).join(' + ')} rows on 2 shards), funnel ${s(chMs)} through IAFA's backend`,
    );
    console.log(
      `  came back:  ${wire.rows} rows, ${wire.bytes.toLocaleString('en-US')} bytes (${((wire.bytes / csvBytes) * 100).toExponential(1)}% of the CSV); same result as local: ${same ? 'yes' : 'NO'}`,
    );
    await backend.close();

    if (generated > 0) {
      await createTables(cluster, 'big');
      const users = Math.round(generated / 20);
      // Deterministic events per user from hashes: about 60% views, then cart, checkout, purchase.
      const gen = `INSERT INTO bench.big SELECT toString(100000 + (number % ${users})) AS user_id,
        toUInt32(1767225600 + cityHash64(number, 1) % (30 * 86400)) AS timestamp,
        ['view','view','view','view','view','view','cart','cart','checkout','purchase'][1 + cityHash64(number, 2) % 10] AS event,
        ['US','DE','FR','BR','IN','JP','GB','CA'][1 + cityHash64(number % ${users}, 3) % 8] AS country,
        ['ios','android','web'][1 + cityHash64(number % ${users}, 4) % 3] AS platform,
        ['free','plus','pro','team'][1 + cityHash64(number % ${users}, 5) % 4] AS plan,
        ['new','returning','loyal'][1 + cityHash64(number % ${users}, 6) % 3] AS tenure
        FROM (SELECT number + OFFSET AS number FROM numbers(CHUNK))`;
      // In inserts of at most 10M rows: one long INSERT outlived fetch's 5-minute header timeout at 100M.
      const chunk = 10_000_000;
      const [, genMs] = await timed(async () => {
        for (let o = 0; o < generated; o += chunk)
          await cluster.admin(
            gen
              .replace(/\s+/g, ' ')
              .replace('OFFSET', String(o))
              .replace('CHUNK', String(Math.min(chunk, generated - o))),
          );
      });
      // The default limits (4 GB, spilling the per-user groups to disk past 2 GB), then a memory
      // limit a tenth of that size (BENCH_CH_SMALL_MB, default 400), which must give the same result.
      const bigRun = async (memMb: number) => {
        const big = new ClickHouseBackend(`clickhouse://127.0.0.1:${cluster.servers[0].http}/bench/big`, {
          env: { IAFA_CLICKHOUSE_MAX_MEMORY_MB: String(memMb), IAFA_CLICKHOUSE_TIMEOUT_S: '3600' },
        });
        try {
          await big.describe();
          const b0 = big.conn.sent.length;
          const [r, ms] = await timed(() => big.funnel(def));
          return { r, ms, w: await resultBytes(cluster, big.conn.sent.slice(b0)) };
        } finally {
          await big.close();
        }
      };
      const full = await bigRun(4096);
      console.log(
        `  generated in ClickHouse: ${generated.toLocaleString('en-US')} events of ${users.toLocaleString('en-US')} users in ${s(genMs)}; funnel by country ${s(full.ms)} (memory limit 4 GB), ${full.r.total_users.toLocaleString('en-US')} users at step 1, ${full.w.rows} rows / ${full.w.bytes.toLocaleString('en-US')} bytes came back`,
      );
      const smallMb = Number(process.env.BENCH_CH_SMALL_MB ?? 400);
      try {
        const small = await bigRun(smallMb);
        const d = firstDifference({ ...small.r, computed_ms: 0 }, { ...full.r, computed_ms: 0 });
        console.log(
          `  same funnel with a ${smallMb} MB memory limit (groups spilled to disk): ${s(small.ms)}, identical to the 4 GB run: ${d === null ? 'yes' : `NO (${d})`}`,
        );
      } catch (e) {
        // What does not spill (the merged users' arrays, the time-to-convert lists) still has to fit.
        console.log(`  same funnel with a ${smallMb} MB memory limit: refused (${(e as Error).message})`);
      }
    }
  } finally {
    local.cleanup();
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The path of the first value that differs between two JSON-like results, or null when equal. */
function firstDifference(a: unknown, b: unknown, at = '$'): string | null {
  if (a === b) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return `${at}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
    if (d) return d;
  }
  return null;
}
