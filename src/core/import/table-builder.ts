import fs from 'node:fs';
import path from 'node:path';
import { ByteDict } from './bytes-dict';
import { allocCodes, writeTyped, type StoredColumn } from './store';

/** User-level tables: every column dictionary-encoded in file order (no time, no sorting). */
export function writeTableColumns(dir: string, header: string[], rows: string[][], roles: Map<string, string>): StoredColumn[] {
  return header.map((name, i) => {
    const dict = new ByteDict(256);
    const raw = new Uint32Array(rows.length);
    for (let r = 0; r < rows.length; r++) raw[r] = dict.addString((rows[r][i] ?? '').trim());
    const codes = allocCodes(rows.length, dict.size);
    codes.set(raw);
    const file = `c${i}.codes`;
    const dictFile = `c${i}.json`;
    writeTyped(path.join(dir, file), codes);
    fs.writeFileSync(path.join(dir, dictFile), JSON.stringify(dict.values()));
    return { name, role: roles.get(name) ?? 'segment', width: codes.BYTES_PER_ELEMENT as 1 | 2 | 4, file, dictFile, distinct: dict.size };
  });
}
