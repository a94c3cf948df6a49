import { storedRows } from './stored-rows';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { SqlRunner } from '../../src/core/backends/clickhouse/funnel';
import type { ClickHouseConnection } from '../../src/core/backends/clickhouse/connection';
import { eventTable, type EventTable } from '../../src/core/backends/clickhouse/schema';

/**
 * chdb (a current ClickHouse in-process) for the modern-dialect tests: loads an imported event
 * store as a MergeTree table with the same rows as the cluster helper (user_id String, ts Int64
 * ms, every stored column as String) and returns what clickhouseFunnel needs to run on it.
 */
type Session = { query(q: string, f?: string): string; cleanup(): void };
type Chdb = { Session: new (p?: string) => Session };

export let NO_CHDB = '';
export const chdb: Chdb | null = (() => {
  try {
    return createRequire(import.meta.url)('chdb') as Chdb;
  } catch (e) {
    NO_CHDB = `chdb does not load here: ${(e as Error).message.split('\n')[0]}`;
    return null;
  }
})();

export interface ChdbTable {
  runner: SqlRunner;
  table: EventTable;
  range: { timeMin: number | null; timeMax: number | null };
}

export function chdbSession(): { session: Session; runner: SqlRunner } {
  const session = new chdb!.Session();
  const runner: SqlRunner = {
    rows: async <T>(sql: string) =>
      session
        .query(sql, 'JSONEachRow')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as T),
  };
  return { session, runner };
}

export async function loadStoreIntoChdb(session: Session, runner: SqlRunner, storeDir: string, name: string): Promise<ChdbTable> {
  const { users, time, userStart, cols } = storedRows(storeDir);
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
  const lines: string[] = [];
  for (let u = 0; u + 1 < userStart.length; u++)
    for (let j = userStart[u]; j < userStart[u + 1]; j++)
      lines.push([esc(users[u]), Math.round(time[j]), ...cols.map((c) => esc(c.dict[c.codes[j]] ?? ''))].join('\t'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-chdb-'));
  const tsv = path.join(dir, 'events.tsv');
  fs.writeFileSync(tsv, lines.join('\n') + '\n');
  const ddl = ['user_id String', 'ts Int64', ...cols.map((c) => `\`${c.name}\` String`)].join(', ');
  session.query('CREATE DATABASE IF NOT EXISTS iafa');
  session.query(`CREATE TABLE iafa.\`${name}\` (${ddl}) ENGINE = MergeTree ORDER BY (user_id, ts)`);
  session.query(`INSERT INTO iafa.\`${name}\` SELECT * FROM file('${tsv}', 'TabSeparated', '${ddl.replace(/`/g, '')}')`);
  fs.rmSync(dir, { recursive: true, force: true });
  const conn = { ...runner, target: { database: 'iafa', table: name, host: 'chdb', port: 0, user: 'default', tls: false } } as unknown as ClickHouseConnection;
  const columns = (await runner.rows<{ name: string; type: string }>(`DESCRIBE TABLE iafa.\`${name}\``)).map((r) => ({ name: r.name, type: r.type }));
  const table = await eventTable(conn, columns, {});
  const r = await runner.rows<{ lo: string; hi: string }>(`SELECT min(${table.timeMs}) AS lo, max(${table.timeMs}) AS hi FROM ${table.from}`);
  return { runner, table, range: { timeMin: Number(r[0].lo), timeMax: Number(r[0].hi) } };
}
