import fs from 'node:fs';
import { IafaError } from '../../shared/contract';
import { sniff } from './containers/open';
import { CsvScanner } from './csv';
import { jsonTooDeep, locateJsonError, MAX_JSON_DEPTH } from './json-errors';

export interface CsvSource {
  format: 'csv';
  path: string;
  size: number;
  delim: string;
  /** Bytes of the UTF-8 byte-order mark to skip. */
  bom: number;
  header: string[];
  rows: string[][];
  /** Average bytes per data row in the sample, to estimate the row count for the memory budget. */
  bytesPerRow: number;
  /**
   * A line in the first megabyte ends in a bare CR (not CR LF): only the sequential reader takes
   * those, as it does quoted files (the chunk readers split lines at LF).
   */
  bareCr: boolean;
}
export interface TableSource {
  format: 'json' | 'ndjson';
  path: string;
  size: number;
  header: string[];
  rows: string[][];
  lines: number[];
}
export interface SeedSource {
  format: 'seed_json';
  path: string;
  size: number;
  seed: Record<string, unknown>;
  header: string[];
  rows: string[][];
}
export type Source = CsvSource | TableSource | SeedSource;

const HEAD_BYTES = 1 << 20;
const SAMPLE_ROWS = 2000;

function readHead(path: string, size: number): Buffer {
  const fd = fs.openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(Math.min(size, HEAD_BYTES));
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

export function statFile(path: string): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(path);
  } catch {
    throw new IafaError('not_found', `File not found: ${path}`);
  }
  if (!st.isFile()) throw new IafaError('validation', `Not a file: ${path}`);
  if (st.size === 0) throw new IafaError('validation', `The file is empty: ${path}`, { reason: 'empty_file' });
  return st.size;
}

const PACKED = { gzip: 'gzip', zip: 'zip', parquet: 'Parquet' } as const;

/** NUL bytes or many control characters mean a spreadsheet, archive or image, not text. */
function assertText(head: Buffer, path: string): void {
  // The flat readers see an archive or Parquet only when the user chose another kind (or a join):
  // the export readers take them as one event log only.
  const magic = sniff(head);
  if (magic !== 'text')
    throw new IafaError(
      'validation',
      `${path} is a ${PACKED[magic]} file, which is read only as an event log on its own: unpack or convert it to CSV or JSON to import it as a user table, a funnel summary or one of several joined files.`,
      { reason: 'packed_not_event_log', container: magic },
    );
  const n = Math.min(head.length, 65536);
  let ctrl = 0;
  for (let i = 0; i < n; i++) {
    const c = head[i];
    if (c === 0)
      throw new IafaError('validation', `This looks like a binary file, not CSV or JSON (NUL byte at offset ${i}): ${path}`, {
        reason: 'binary_file',
        offset: i,
      });
    if (c < 9 || (c > 13 && c < 32)) ctrl++;
  }
  if (ctrl > n * 0.05) throw new IafaError('validation', `This looks like a binary file, not CSV or JSON: ${path}`, { reason: 'binary_file' });
}

export function detectDelimiter(text: string): string {
  const lines = text
    .split(/\r\n?|\n/)
    .slice(0, 20)
    .filter((l) => l.trim());
  let best = ',';
  let bestScore = -1;
  for (const d of [',', ';', '\t']) {
    const counts = lines.map((l) => l.replace(/"[^"]*"/g, '').split(d).length - 1);
    if (!counts.length || counts[0] === 0) continue;
    const consistent = counts.filter((c) => c === counts[0]).length / counts.length;
    const score = consistent * 10 + Math.min(counts[0], 9) / 10;
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  }
  return best;
}

export function openSource(path: string, opts: { budgetBytes: number; delimiter?: string }): Source {
  const size = statFile(path);
  const head = readHead(path, size);
  assertText(head, path);
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  let first = bom;
  while (first < head.length && (head[first] === 32 || head[first] === 10 || head[first] === 13 || head[first] === 9)) first++;
  if (first >= head.length) throw new IafaError('validation', `The file is empty: ${path}`, { reason: 'empty_file' });
  const c = head[first];
  if (c === 0x5b || c === 0x7b) return openJson(path, size, bom, opts.budgetBytes);

  const delim = opts.delimiter ?? detectDelimiter(head.toString('utf8', bom, Math.min(head.length, 65536)));
  const sc = new CsvScanner(delim.charCodeAt(0));
  const rows: string[][] = [];
  let consumed = bom;
  const complete = head.length === size;
  try {
    sc.scan(head, bom, head.length, complete, () => {
      if (rows.length > SAMPLE_ROWS) throw new Error('enough');
      const r: string[] = [];
      for (let i = 0; i < sc.nFields; i++) r.push(sc.text(head, i));
      rows.push(r);
      consumed = sc.fieldEnd[sc.nFields - 1];
    });
  } catch {
    // stopped after enough sample rows
  }
  const header = (rows.shift() ?? []).map((h) => h.trim());
  if (!rows.length) throw new IafaError('validation', `The file has a header but no data rows: ${path}`, { reason: 'empty_file' });
  dedupeHeader(header);
  return { format: 'csv', path, size, delim, bom, header, rows, bytesPerRow: Math.max(1, (consumed - bom) / (rows.length + 1)), bareCr: hasBareCr(head) };
}

function hasBareCr(head: Buffer): boolean {
  for (let i = head.indexOf(13); i >= 0 && i + 1 < head.length; i = head.indexOf(13, i + 1)) if (head[i + 1] !== 10) return true;
  return false;
}

function dedupeHeader(header: string[]): void {
  const seen = new Set<string>();
  header.forEach((h, i) => {
    let name = h || `column_${i + 1}`;
    for (let k = 2; seen.has(name); k++) name = `${h || 'column'}_${k}`;
    seen.add(name);
    header[i] = name;
  });
}

function openJson(path: string, size: number, bom: number, budgetBytes: number): Source {
  // Whole-file JSON parsing holds the text and the objects at once: roughly 8x the file size.
  if (size * 8 > budgetBytes) {
    throw new IafaError(
      'validation',
      `The file is too large to import as JSON within the memory budget (${mb(size)} file, ${mb(budgetBytes)} budget); convert it to CSV or NDJSON lines.`,
      { reason: 'over_budget' },
    );
  }
  const text = fs.readFileSync(path, 'utf8').slice(bom ? 1 : 0);
  const deepAt = jsonTooDeep(text);
  if (deepAt >= 0) {
    const line = (text.slice(0, deepAt).match(/\n/g)?.length ?? 0) + 1;
    throw new IafaError(
      'validation',
      `The JSON is nested more than ${MAX_JSON_DEPTH} levels deep (at line ${line}); records must be objects of plain values.`,
      { reason: 'too_deep', line },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return openNdjson(path, size, text);
  }
  if (Array.isArray(parsed))
    return tableFromObjects(
      path,
      size,
      'json',
      parsed,
      parsed.map(() => 0),
    );
  if (parsed && typeof parsed === 'object') {
    const o = parsed as Record<string, unknown>;
    if (o.funnel_metrics || Array.isArray(o.stages)) return { format: 'seed_json', path, size, seed: o, header: [], rows: [] };
    return tableFromObjects(path, size, 'ndjson', [o], [1]);
  }
  throw new IafaError('validation', `Expected a JSON array of objects, NDJSON lines or a funnel_metrics object in ${path}`, { reason: 'malformed_json' });
}

function openNdjson(path: string, size: number, text: string): Source {
  const objects: unknown[] = [];
  const lines: number[] = [];
  // JSON strings cannot hold a raw CR, so a bare CR is a line end here too (old Mac files).
  const all = text.split(/\r\n?|\n/);
  for (let i = 0; i < all.length; i++) {
    const l = all[i].trim();
    if (!l) continue;
    try {
      objects.push(JSON.parse(l));
      lines.push(i + 1);
    } catch {
      // A first line that fails is a broken JSON document rather than NDJSON: point into the whole text.
      const loc = objects.length === 0 ? locateJsonError(text) : { ...locateJsonError(l), line: i + 1 };
      throw new IafaError('validation', `Malformed JSON at line ${loc.line}, column ${loc.column}: ${loc.reason}.`, {
        reason: 'malformed_json',
        line: loc.line,
        column: loc.column,
      });
    }
  }
  return tableFromObjects(path, size, 'ndjson', objects, lines);
}

function tableFromObjects(path: string, size: number, format: 'json' | 'ndjson', objects: unknown[], lines: number[]): TableSource {
  if (!objects.length) throw new IafaError('validation', `The file is empty (no records): ${path}`, { reason: 'empty_file' });
  const isRecord = (o: unknown) => Boolean(o) && typeof o === 'object' && !Array.isArray(o);
  if (!objects.some(isRecord)) {
    throw new IafaError(
      'validation',
      'No record in this JSON is an object: expected an array of objects such as {"user_id": "u1", "timestamp": "…", "event": "…"}, NDJSON lines of them, or a funnel_metrics object.',
      { reason: 'no_records' },
    );
  }
  const keys = new Map<string, number>();
  for (const o of objects) {
    if (!o || typeof o !== 'object' || Array.isArray(o)) continue;
    for (const k of Object.keys(o)) if (!keys.has(k)) keys.set(k, keys.size);
  }
  const header = [...keys.keys()];
  if (!header.length) throw new IafaError('validation', 'The JSON records have no columns (every object is empty).', { reason: 'no_columns' });
  const rows = objects.map((o) => {
    const r = new Array<string>(header.length).fill('');
    if (o && typeof o === 'object' && !Array.isArray(o)) {
      for (const [k, v] of Object.entries(o)) r[keys.get(k)!] = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
    return r;
  });
  return { format, path, size, header, rows, lines: lines.map((l, i) => l || i + 1) };
}

export function mb(n: number): string {
  return `${(n / 1048576).toFixed(n < 10485760 ? 1 : 0)} MB`;
}
