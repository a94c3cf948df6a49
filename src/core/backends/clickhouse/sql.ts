import { IafaError } from '../../../shared/contract';

/**
 * The only ways a value or a name enters the SQL IAFA sends to ClickHouse. ClickHouse 18.16 (what
 * Debian packages) has no query parameters, so values are inlined: every string goes through
 * `str`, every number through `num`, every column, table or database name through `ident`.
 * Nothing else builds SQL from user input.
 */

const ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\0': '\\0', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** A string literal: quotes and backslashes escaped, control characters as \xHH; Unicode kept as UTF-8. */
export function str(value: string): string {
  if (typeof value !== 'string') throw new IafaError('validation', 'Internal: a non-string value reached the SQL string escaper.');
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value)) {
    throw new IafaError('validation', 'A value contains an unpaired UTF-16 surrogate and cannot be sent as UTF-8.', { reason: 'bad_unicode' });
  }
  let out = "'";
  for (const ch of value) {
    const e = ESCAPES[ch];
    if (e !== undefined) out += e;
    else {
      const c = ch.codePointAt(0)!;
      out += c < 0x20 || c === 0x7f ? '\\x' + c.toString(16).padStart(2, '0') : ch;
    }
  }
  return out + "'";
}

/** A finite number as a literal; anything else is refused (NaN, Infinity, a string in disguise). */
export function num(value: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new IafaError('validation', `Internal: ${String(value)} is not a finite number for SQL.`);
  if (Number.isInteger(value)) return Math.abs(value) <= Number.MAX_SAFE_INTEGER ? value.toFixed(0) : value.toExponential();
  // toString gives the shortest round-trip form; ClickHouse parses it back to the same double.
  return String(value);
}

/**
 * A quoted identifier. Names come from the table's own DESCRIBE (columns) or the connection URL
 * (database, table); they are still checked here: no control characters, at most 255 bytes, and
 * backquotes and backslashes escaped inside the quotes.
 */
export function ident(name: string): string {
  if (typeof name !== 'string' || name.length === 0)
    throw new IafaError('validation', 'An empty name cannot be used as a column or table.', { reason: 'bad_identifier' });
  if (Buffer.byteLength(name, 'utf8') > 255)
    throw new IafaError('validation', `The name "${name.slice(0, 40)}…" is longer than 255 bytes.`, { reason: 'bad_identifier' });
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name))
    throw new IafaError('validation', `The name ${JSON.stringify(name)} contains control characters.`, { reason: 'bad_identifier' });
  str(name); // the same Unicode check
  return '`' + name.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`';
}

/** A list of string literals for IN (...). */
export function strList(values: readonly string[]): string {
  if (values.length === 0) throw new IafaError('validation', 'Internal: an empty value list reached the SQL builder.');
  return values.map(str).join(', ');
}

/** A query id the server can KILL by: random, safe to inline. */
export function newQueryId(): string {
  return `iafa-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
