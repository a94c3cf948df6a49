import { storedRows } from '../helpers/stored-rows';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickhouseFunnel, type SqlRunner } from '../../src/core/backends/clickhouse/funnel';
import { eventTable, type ChColumn } from '../../src/core/backends/clickhouse/schema';
import type { ClickHouseConnection } from '../../src/core/backends/clickhouse/connection';
import { FunnelDefinition, type FunnelDefinitionInput } from '../../src/shared/contract';
import { tempEngine } from '../helpers/engine';

/**
 * The same compiled funnel SQL on a current ClickHouse (the one chdb embeds), so the dialect IAFA
 * sends works there as well as on Debian's 18.16 (clickhouse.test.ts), with the same results as
 * the local engine.
 */
type Chdb = { Session: new (p?: string) => { query(q: string, f?: string): string; cleanup(): void } };
let chdb: Chdb | null = null;
let why = '';
try {
  chdb = createRequire(import.meta.url)('chdb') as Chdb;
} catch (e) {
  why = `chdb does not load here: ${(e as Error).message.split('\n')[0]}`;
  console.warn(`skipping modern-dialect tests: ${why}`);
}

const STEPS = [{ event: 'pin_view' }, { event: 'save' }, { event: 'click' }, { event: 'purchase' }];

describe.skipIf(!chdb)('the funnel SQL on a current ClickHouse (chdb)', () => {
  let session: InstanceType<Chdb['Session']>;
  let local: ReturnType<typeof tempEngine>;
  let sampleId: string;
  let runner: SqlRunner;
  let columns: ChColumn[];
  let range: { timeMin: number | null; timeMax: number | null };
  let version = '';

  beforeAll(async () => {
    local = tempEngine();
    const ds = await local.engine.dispatch('datasets:import', { path: 'sample' });
    sampleId = ds.id;
    const dir = path.join(local.dataDir, 'datasets', ds.id);
    // Same rows as the stored dataset, written as TSV for chdb's file() table function.
    const { users, time, userStart, cols } = storedRows(dir);
    const lines: string[] = [];
    for (let u = 0; u + 1 < userStart.length; u++)
      for (let j = userStart[u]; j < userStart[u + 1]; j++)
        lines.push([users[u], Math.round(time[j]), ...cols.map((c) => c.dict[c.codes[j]] ?? '')].join('\t'));
    const tsv = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-chdb-')), 'events.tsv');
    fs.writeFileSync(tsv, lines.join('\n') + '\n');
    session = new chdb!.Session();
    const ddl = ['user_id String', 'ts Int64', ...cols.map((c) => `\`${c.name}\` String`)].join(', ');
    session.query('CREATE DATABASE IF NOT EXISTS iafa');
    session.query(`CREATE TABLE iafa.pinterest (${ddl}) ENGINE = MergeTree ORDER BY (user_id, ts)`);
    session.query(`INSERT INTO iafa.pinterest SELECT * FROM file('${tsv}', 'TabSeparated', '${ddl.replace(/`/g, '')}')`);
    fs.rmSync(path.dirname(tsv), { recursive: true, force: true });
    version = session.query('SELECT version()', 'TabSeparated').trim();
    runner = {
      rows: async <T>(sql: string) =>
        session
          .query(sql, 'JSONEachRow')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as T),
    };
    const conn = {
      ...runner,
      target: { database: 'iafa', table: 'pinterest', host: 'chdb', port: 0, user: 'default', tls: false },
    } as unknown as ClickHouseConnection;
    columns = (await runner.rows<{ name: string; type: string }>('DESCRIBE TABLE iafa.pinterest')).map((r) => ({ name: r.name, type: r.type }));
    const t = await eventTable(conn, columns, {});
    const r = await runner.rows<{ lo: string; hi: string }>(`SELECT min(${t.timeMs}) AS lo, max(${t.timeMs}) AS hi FROM ${t.from}`);
    range = { timeMin: Number(r[0].lo), timeMax: Number(r[0].hi) };
  }, 180_000);

  afterAll(() => {
    session?.cleanup();
    local?.cleanup();
  });

  const CASES: [string, Partial<FunnelDefinitionInput>][] = [
    ['any-start with breakdown and previous period', { breakdown: 'user_intent', from: '2026-01-26', to: '2026-02-22' }],
    ['first-touch strict, time zone', { mode: 'first-touch', strict: true, tz: 'Asia/Kolkata' }],
    ['unordered', { mode: 'unordered', window: '24h', breakdown: 'platform' }],
  ];

  it.each(CASES)('matches the local engine: %s', async (_, extra) => {
    expect(version.split('.')[0]).toMatch(/^\d\d$/); // a 2x.y release, not 18.16
    const conn = {
      ...runner,
      target: { database: 'iafa', table: 'pinterest', host: 'chdb', port: 0, user: 'default', tls: false },
    } as unknown as ClickHouseConnection;
    const t = await eventTable(conn, columns, {});
    const def = FunnelDefinition.parse({ steps: STEPS, ...extra });
    const want = await local.engine.dispatch('funnels:compute', { datasetId: sampleId, definition: def });
    const got = await clickhouseFunnel(runner, t, range, def, { datasetId: 'x' });
    expect({ ...got, dataset_id: null, computed_ms: null }).toEqual({ ...want, dataset_id: null, computed_ms: null });
  });
});
