export * as schema from './schema';
export { openDatabase, migrationCount, type Db, type OpenedDb } from './open';
