export * as schema from './schema';
export { openDatabase, migrationCount, type Db } from './open';
