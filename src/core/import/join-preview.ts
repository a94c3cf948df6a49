import fs from 'node:fs';
import { IafaError, type JoinPreview } from '../../shared/contract';
import { parseCsv } from '../experiments/table';
import { resolveInputPath } from './importer';

/** Joining reads whole files into memory as text: bigger files are imported with the CLI's --also. */
const MAX_BYTES = 256 * 1048576;

/**
 * Before two files are imported as one dataset (leads + closed deals): how many ids of each file
 * the first file has too, so a wrong key column or a mismatched pair shows before anything is stored.
 */
export function previewJoin(paths: readonly string[], key: string): JoinPreview {
  const sets: Set<string>[] = [];
  const rows: number[] = [];
  for (const p of paths) {
    const file = resolveInputPath(p);
    if (!fs.existsSync(file)) throw new IafaError('not_found', `No file at ${p}.`);
    if (fs.statSync(file).size > MAX_BYTES)
      throw new IafaError('validation', `${p} is over ${MAX_BYTES / 1048576} MB: preview the join with the CLI (iafa import --also) instead.`);
    const table = parseCsv(fs.readFileSync(file, 'utf8'));
    const col = table.columns[key] ?? Object.entries(table.columns).find(([k]) => k.trim() === key)?.[1];
    if (!col) throw new IafaError('validation', `The column "${key}" is not in ${p.split(/[\\/]/).pop()} (columns: ${Object.keys(table.columns).join(', ')}).`);
    const ids = new Set<string>();
    for (const v of col) if (v !== null && String(v).trim() !== '') ids.add(String(v).trim());
    sets.push(ids);
    rows.push(col.length);
  }
  const first = sets[0];
  const files = sets.map((ids, i) => {
    let matched = 0;
    const unmatched: string[] = [];
    for (const id of ids) {
      if (first.has(id)) matched++;
      else if (unmatched.length < 3) unmatched.push(id);
    }
    return { path: paths[i], rows: rows[i], ids: ids.size, matched, unmatchedSample: unmatched };
  });
  let inAll = 0;
  for (const id of first) if (sets.every((s) => s.has(id))) inAll++;
  return { key, files, inAll };
}
