import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseBackend } from '../../src/core/backends/clickhouse';
import type { ClickHouseConnection } from '../../src/core/backends/clickhouse/connection';
import { clickhouseCausal, clickhouseExperiment } from '../../src/core/backends/clickhouse/experiment';
import { runAnalysis, runCausal, type Table } from '../../src/core/experiments';
import { AnalyzeInput, CausalInput } from '../../src/shared/contract/experiments';
import { chdb, chdbSession, NO_CHDB } from '../helpers/chdb';
import { ANALYST_PASSWORD, CLICKHOUSE_BIN, NO_CLICKHOUSE, loadCsvTable, startCluster, type TestCluster } from '../helpers/clickhouse';
import { runCliCaptured } from '../helpers/cli';
import { tempEngine } from '../helpers/engine';
import { PARITY_CASES, cookieCatsAbn, expectClose, toCsv } from '../helpers/experiment-parity';
import { HAS_SHARED_DATA, NO_SHARED_DATA, sharedData } from '../helpers/shared';

/**
 * The experiment read-out of a ClickHouse table (A/B, A/B/n, ratio metrics, CUPED, causal) from
 * aggregates computed on the server, against the local read-out of the same rows: p-values,
 * intervals and decisions equal within 1e-9 relative, on the two-shard 18.16 cluster and on the
 * current ClickHouse chdb embeds. No query returns more than a few hundred rows.
 */
if (!CLICKHOUSE_BIN) console.warn(`skipping ClickHouse experiment tests: ${NO_CLICKHOUSE}`);
if (!HAS_SHARED_DATA) console.warn(`skipping ClickHouse experiment tests: ${NO_SHARED_DATA}`);

const now = () => new Date('2026-01-01T00:00:00Z');
const REL = 1e-9;
const tables = new Map<string, Table>();
const tableOf = (c: (typeof PARITY_CASES)[number]) => {
  if (!tables.has(c.file)) tables.set(c.file, c.table());
  return tables.get(c.file)!;
};

/**
 * A table has no row order, so segment values of equal size come back ordered by value where a
 * file keeps its order: the fact lists are compared as sets (by id), everything else as is.
 */
function canon<T>(x: T): T {
  if (Array.isArray(x)) return x.map(canon) as T;
  if (!x || typeof x !== 'object') return x;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x))
    out[k] = k === 'facts' && Array.isArray(v) ? [...v].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map(canon) : canon(v);
  return out as T;
}

function expected(c: (typeof PARITY_CASES)[number]) {
  const table = tableOf(c);
  return c.causal ? runCausal(CausalInput.parse(c.input), { table }, { now }) : runAnalysis(AnalyzeInput.parse(c.input), { table }, { now });
}

describe.skipIf(!CLICKHOUSE_BIN || !HAS_SHARED_DATA)('experiment read-outs on a two-shard ClickHouse 18.16 cluster', () => {
  let cluster: TestCluster;
  let port: number;
  const backends: ClickHouseBackend[] = [];
  const backend = (name: string) => {
    const b = new ClickHouseBackend(`clickhouse://analyst@127.0.0.1:${port}/iafa/${name}`, { password: ANALYST_PASSWORD, env: {} });
    backends.push(b);
    return b;
  };

  beforeAll(async () => {
    cluster = await startCluster(2);
    port = cluster.servers[0].http;
    for (const file of new Set(PARITY_CASES.map((c) => c.file)))
      await loadCsvTable(cluster, tableOf(PARITY_CASES.find((c) => c.file === file)!).columns, 'iafa', file);
  }, 240_000);

  afterAll(async () => {
    for (const b of backends) await Promise.race([b.close().catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    await cluster?.stop();
  }, 120_000);

  it.each(PARITY_CASES.map((c) => [c.label, c] as const))(
    '%s',
    async (_, c) => {
      const want = expected(c);
      const b = backend(c.file);
      const got = c.causal ? await b.experimentCausal(CausalInput.parse(c.input)) : await b.experimentAnalysis(AnalyzeInput.parse(c.input));
      expectClose(canon({ ...got, generated_at: null }), canon({ ...want, generated_at: null }), REL);
    },
    120_000,
  );

  it('`iafa experiment causal clickhouse://…` prints what it prints for the file (AdSmart), and A/B/n through the CLI', async () => {
    const local = tempEngine();
    try {
      const env = { IAFA_DATA_DIR: local.dataDir, IAFA_CLICKHOUSE_PASSWORD: ANALYST_PASSWORD, OLLAMA_HOST: 'http://127.0.0.1:2' };
      const url = (name: string) => `clickhouse://analyst@127.0.0.1:${port}/iafa/${name}`;
      const causal = [
        '--variant-col',
        'experiment',
        '--control',
        'control',
        '--treatment',
        'exposed',
        '--metric',
        'yes',
        '--segment-by',
        'platform_os',
        '--balance',
        'browser,platform_os',
        '--date-col',
        'date',
        '--no-save',
        '--json',
      ];
      const file = await runCliCaptured(['experiment', 'causal', sharedData('adsmart_ab_data.csv'), ...causal], env);
      const ch = await runCliCaptured(['experiment', 'causal', url('adsmart'), ...causal], env);
      expect(file.code, file.stderr).toBe(0);
      expect(ch.code, ch.stderr).toBe(0);
      const want = JSON.parse(file.stdout);
      expect(want.confounding_check.selection_bias.balance).toHaveLength(2);
      expectClose(canon({ ...JSON.parse(ch.stdout), generated_at: null }), canon({ ...want, generated_at: null }), REL);

      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-abn-'));
      const csv = path.join(dir, 'cookie_abn.csv');
      fs.writeFileSync(csv, toCsv(cookieCatsAbn()));
      const abn = [
        '--variant-col',
        'version',
        '--control',
        'gate_30',
        '--treatment',
        'gate_40,gate_40b',
        '--metric',
        'retention_7,sum_gamerounds',
        '--no-save',
        '--json',
      ];
      const fileAbn = await runCliCaptured(['experiment', 'analyze', csv, ...abn], env);
      const chAbn = await runCliCaptured(['experiment', 'analyze', url('cookie_abn'), ...abn], env);
      fs.rmSync(dir, { recursive: true, force: true });
      expect(chAbn.code, chAbn.stderr).toBe(0);
      const wantAbn = JSON.parse(fileAbn.stdout);
      expect(wantAbn.arms).toHaveLength(2);
      expectClose(canon({ ...JSON.parse(chAbn.stdout), generated_at: null }), canon({ ...wantAbn, generated_at: null }), REL);
    } finally {
      local.cleanup();
    }
  }, 180_000);

  it('only aggregates came back: every experiment query returned at most a few hundred rows', async () => {
    await cluster.admin('SYSTEM FLUSH LOGS', 0);
    const log = (
      await cluster.admin("SELECT query, result_rows FROM system.query_log WHERE type = 2 AND user = 'analyst' AND query LIKE '%iafa%' FORMAT JSONEachRow", 0)
    )
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { query: string; result_rows: string });
    expect(log.length).toBeGreaterThan(20);
    // Cookie Cats has 90,189 units, AdSmart 8,077: a per-unit row would show up here.
    for (const l of log) expect(Number(l.result_rows), l.query.slice(0, 200)).toBeLessThanOrEqual(200);
  });
});

if (!chdb) console.warn(`skipping chdb experiment tests: ${NO_CHDB}`);

describe.skipIf(!chdb || !HAS_SHARED_DATA)('experiment read-outs on a current ClickHouse (chdb)', () => {
  let session: ReturnType<typeof chdbSession>['session'];
  let runner: ReturnType<typeof chdbSession>['runner'];
  const conn = (name: string) =>
    ({ ...runner, target: { database: 'iafa', table: name, host: 'chdb', port: 0, user: 'default', tls: false } }) as unknown as ClickHouseConnection;

  beforeAll(() => {
    ({ session, runner } = chdbSession());
    session.query('CREATE DATABASE IF NOT EXISTS iafa');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-chdb-exp-'));
    for (const file of new Set(PARITY_CASES.map((c) => c.file))) {
      const t = tableOf(PARITY_CASES.find((c) => c.file === file)!);
      const names = Object.keys(t.columns);
      const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
      const n = t.columns[names[0]].length;
      const lines: string[] = [];
      for (let i = 0; i < n; i++) lines.push(names.map((k) => esc(String(t.columns[k][i] ?? ''))).join('\t'));
      const tsv = path.join(dir, `${file}.tsv`);
      fs.writeFileSync(tsv, lines.join('\n') + '\n');
      const ddl = names.map((k) => `\`${k}\` String`).join(', ');
      session.query(`CREATE TABLE iafa.${file} (${ddl}) ENGINE = MergeTree ORDER BY tuple()`);
      session.query(`INSERT INTO iafa.${file} SELECT * FROM file('${tsv}', 'TabSeparated', '${names.map((k) => `\`${k}\` String`).join(', ')}')`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  afterAll(() => session?.cleanup());

  it.each(PARITY_CASES.map((c) => [c.label, c] as const))(
    '%s',
    async (_, c) => {
      const want = expected(c);
      const cols = Object.keys(tableOf(c).columns).map((name) => ({ name, type: 'String' }));
      const got = c.causal
        ? await clickhouseCausal(conn(c.file), cols, CausalInput.parse(c.input), { file: c.file })
        : await clickhouseExperiment(conn(c.file), cols, AnalyzeInput.parse(c.input), { file: c.file });
      expectClose(canon({ ...got, generated_at: null }), canon({ ...want, generated_at: null }), REL);
    },
    60_000,
  );

  it('a segment column with a value per unit: only the 50 largest values are split, and the message says how many there are', async () => {
    const seen: { sql: string; rows: number }[] = [];
    const base = conn('cookie_cats');
    const logged = {
      ...base,
      rows: async <T>(sql: string) => {
        const r = await base.rows<T>(sql);
        seen.push({ sql, rows: r.length });
        return r;
      },
    } as unknown as ClickHouseConnection;
    const cols = Object.keys(tableOf(PARITY_CASES[0]).columns).map((name) => ({ name, type: 'String' }));
    const got = await clickhouseExperiment(
      logged,
      cols,
      AnalyzeInput.parse({ variant_column: 'version', control: 'gate_30', treatment: 'gate_40', metrics: ['retention_7'], segment_by: 'userid' }),
      { file: 'cookie_cats' },
    );
    expect(Object.keys(got.segment_analysis)).toHaveLength(50);
    expect(got.warnings).toContain('Segment column "userid" has 90189 values; only the 50 largest are analyzed.');
    expect(Math.max(...seen.map((q) => q.rows))).toBeLessThanOrEqual(100);
  });
});
