import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, migrationCount } from '../../src/core/db';
import { appPaths } from '../../src/core/paths';
import { tempDir } from '../helpers/engine';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function fresh() {
  const d = tempDir();
  dirs.push(d);
  return openDatabase(path.join(d, 'iafa.sqlite'), appPaths.migrations());
}

describe('database', () => {
  it('applies every committed migration and creates the tables the app needs', () => {
    const { sqlite, close } = fresh();
    const journal = JSON.parse(fs.readFileSync(path.join(appPaths.migrations(), 'meta/_journal.json'), 'utf8'));
    expect(migrationCount(sqlite)).toBe(journal.entries.length);
    const tables = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[]).map((r) => r.name);
    for (const t of [
      'datasets',
      'funnels',
      'generations',
      'recommendations',
      'recommendation_status_history',
      'conversations',
      'messages',
      'experiments',
      'settings',
      'reports',
    ]) {
      expect(tables).toContain(t);
    }
    close();
  });

  it('runs in WAL mode with foreign keys and a busy timeout', () => {
    const { sqlite, close } = fresh();
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
    close();
  });

  it('is idempotent: reopening applies nothing twice', () => {
    const d = tempDir();
    dirs.push(d);
    const file = path.join(d, 'iafa.sqlite');
    const a = openDatabase(file, appPaths.migrations());
    const n = migrationCount(a.sqlite);
    a.close();
    const b = openDatabase(file, appPaths.migrations());
    expect(migrationCount(b.sqlite)).toBe(n);
    b.close();
  });

  it('enforces foreign keys: a funnel cannot point at a missing dataset, and deleting a dataset removes its funnels', () => {
    const { sqlite, close } = fresh();
    const now = new Date().toISOString();
    expect(() =>
      sqlite
        .prepare('INSERT INTO funnels (id, dataset_id, name, definition_json, created_at, updated_at) VALUES (?,?,?,?,?,?)')
        .run('f1', 'missing', 'x', '{}', now, now),
    ).toThrow(/FOREIGN KEY/);
    sqlite
      .prepare(
        `INSERT INTO datasets (id, name, kind, format, source_name, source_bytes, row_count, columns_json, mapping_json, store_path, created_at)
      VALUES ('d1','d','event_log','csv','a.csv',1,1,'[]','{}','d1',?)`,
      )
      .run(now);
    sqlite
      .prepare('INSERT INTO funnels (id, dataset_id, name, definition_json, created_at, updated_at) VALUES (?,?,?,?,?,?)')
      .run('f1', 'd1', 'x', '{}', now, now);
    sqlite.prepare("DELETE FROM datasets WHERE id='d1'").run();
    expect((sqlite.prepare('SELECT count(*) AS n FROM funnels').get() as { n: number }).n).toBe(0);
    close();
  });

  it('refuses to start without its migrations instead of creating an empty schema', () => {
    const d = tempDir();
    dirs.push(d);
    expect(() => openDatabase(path.join(d, 'x.sqlite'), path.join(d, 'nowhere'))).toThrow(/migrations not found/);
  });
});
