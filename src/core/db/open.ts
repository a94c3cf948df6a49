import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import fs from 'node:fs';
import path from 'node:path';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export interface OpenedDb {
  db: Db;
  sqlite: Database.Database;
  path: string;
  close(): void;
}

/**
 * Opens (creating if needed) the database and applies the committed migrations. The app, the
 * server, the CLI and every test go through here, so they all run the same real schema.
 */
export function openDatabase(file: string, migrationsFolder: string): OpenedDb {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  // WAL lets the UI read while an import or a generation writes; the busy timeout covers the
  // CLI and the app touching the same data folder at once.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = drizzle(sqlite, { schema }) as Db;
  applyMigrations(db, migrationsFolder);
  return { db, sqlite, path: file, close: () => sqlite.close() };
}

export function applyMigrations(db: Db, migrationsFolder: string): void {
  if (!fs.existsSync(path.join(migrationsFolder, 'meta', '_journal.json'))) {
    throw new Error(`Database migrations not found in ${migrationsFolder}`);
  }
  migrate(db, { migrationsFolder });
}

export function migrationCount(sqlite: Database.Database): number {
  const row = sqlite.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type='table' AND name='__drizzle_migrations'").get() as { n: number };
  if (!row.n) return 0;
  return (sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n;
}
