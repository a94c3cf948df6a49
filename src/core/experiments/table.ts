import { IafaError } from '../../shared/contract';
import { parseCsvText } from '../import/csv';
import { detectDelimiter } from '../import/source';

/**
 * The column-oriented table the experiment functions take. Any loader can produce one: the CSV
 * reader below (used when no imported dataset is given), an imported dataset, or inline JSON.
 */
export type Cell = string | number | boolean | null;
export interface Table {
  columns: Record<string, readonly Cell[]>;
}

export function rowCount(t: Table): number {
  const first = Object.values(t.columns)[0];
  return first ? first.length : 0;
}

export function requireColumn(t: Table, name: string, role: string): readonly Cell[] {
  const col = t.columns[name];
  if (!col) {
    throw new IafaError('validation', `The ${role} column "${name}" does not exist. Columns: ${Object.keys(t.columns).join(', ') || '(none)'}.`, {
      reason: 'unknown_column',
      column: name,
    });
  }
  return col;
}

/**
 * A CSV text as a table, read by the importer's reader (quotes, doubled quotes, CRLF or bare CR,
 * blank lines skipped) with the importer's delimiter guess, so a file reads the same here as on import.
 */
export function parseCsv(text: string): Table {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows = parseCsvText(src, detectDelimiter(src.slice(0, 65536)));
  if (rows.length === 0) throw new IafaError('validation', 'The file is empty.');
  const header = rows[0].map((h) => h.trim());
  const columns: Record<string, Cell[]> = {};
  for (const h of header) columns[h] = [];
  for (let r = 1; r < rows.length; r++) {
    header.forEach((h, j) => {
      const v = rows[r][j];
      columns[h].push(v === undefined || v.trim() === '' ? null : v);
    });
  }
  return { columns };
}

const TRUE = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0']);

/** 0/1 value of a cell, or null when it is empty or not boolean-like. */
export function toBinary(v: Cell): 0 | 1 | null {
  if (v === null) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v === 1 ? 1 : v === 0 ? 0 : null;
  const s = v.trim().toLowerCase();
  if (TRUE.has(s)) return 1;
  if (FALSE.has(s)) return 0;
  return null;
}

export function toNumber(v: Cell): number | null {
  if (v === null) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const s = v.trim();
  if (s === '') return null;
  const n = Number(s.replace(/,/g, ''));
  return Number.isFinite(n) ? n : null;
}

/**
 * toBinary/toNumber memoized on string cells: a 1M-row column has a handful of distinct strings,
 * so parsing each once keeps preparation linear with a tiny constant.
 */
export function cachedConverters(): { binary: (v: Cell) => 0 | 1 | null; number: (v: Cell) => number | null } {
  const b = new Map<string, 0 | 1 | null>();
  const n = new Map<string, number | null>();
  return {
    binary(v) {
      if (typeof v !== 'string') return toBinary(v);
      let r = b.get(v);
      if (r === undefined) b.set(v, (r = toBinary(v)));
      return r;
    },
    number(v) {
      if (typeof v !== 'string') return toNumber(v);
      let r = n.get(v);
      if (r === undefined) {
        r = toNumber(v);
        if (n.size < 100000) n.set(v, r);
      }
      return r;
    },
  };
}

export function cellKey(v: Cell): string {
  return v === null ? '(empty)' : String(v).trim();
}

/** A column is a rate when every non-empty value is boolean-like (True/False, 0/1, yes/no). */
export function columnKind(col: readonly Cell[]): 'rate' | 'mean' | 'invalid' {
  const { binary: toBin, number: toNum } = cachedConverters();
  let seen = 0;
  let binary = true;
  let numeric = true;
  for (const v of col) {
    if (v === null) continue;
    seen++;
    if (binary && toBin(v) === null) binary = false;
    if (numeric && toNum(v) === null) numeric = false;
    if (!binary && !numeric) break;
  }
  if (seen === 0) return 'invalid';
  if (binary) return 'rate';
  return numeric ? 'mean' : 'invalid';
}
