export * as schema from './schema';
export { openDatabase, applyMigrations, migrationCount, type Db, type OpenedDb } from './open';
