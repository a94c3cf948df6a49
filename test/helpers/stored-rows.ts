import fs from 'node:fs';
import path from 'node:path';
import { ColumnStore } from '../../src/core/import';

/**
 * A stored event log's rows as the local engine reads them (the time column decoded, id-like
 * columns folded), for loading the same rows into ClickHouse or chdb.
 */
export function storedRows(dir: string): {
  users: string[];
  time: Float64Array;
  userStart: Uint32Array;
  cols: { name: string; codes: ArrayLike<number>; dict: string[] }[];
} {
  const store = ColumnStore.open(dir);
  const users = JSON.parse(fs.readFileSync(path.join(dir, 'users.json'), 'utf8')) as string[];
  const cols = store.manifest.columns.map((c) => ({ name: c.name, ...store.column(c.name) }));
  return { users, time: store.time, userStart: store.userStart, cols: cols.map((c) => ({ name: c.name, codes: c.codes, dict: c.dict })) };
}
