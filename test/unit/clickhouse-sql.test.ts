import { describe, expect, it } from 'vitest';
import { ident, num, str, strList } from '../../src/core/backends/clickhouse/sql';
import { parseClickHouseUrl, targetLabel, urlWithMapping } from '../../src/core/backends/clickhouse/connection';

/**
 * An independent reading of a ClickHouse string literal (the server's escape rules: backslash
 * escapes \\ \' \0 \n \r \t \b \f \xHH, everything else literal), so the escaper is checked by
 * decoding its output, not by comparing with a string it produced.
 */
function decodeLiteral(sql: string): string {
  expect(sql.startsWith("'") && sql.endsWith("'")).toBe(true);
  const body = sql.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === "'") throw new Error(`unescaped quote at ${i} in ${sql}`);
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const e = body[++i];
    if (e === 'x') {
      out += String.fromCharCode(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else
      out +=
        ({ '\\': '\\', "'": "'", '0': '\0', n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' } as Record<string, string>)[e] ??
        (() => {
          throw new Error(`unknown escape \\${e}`);
        })();
  }
  return out;
}

const ATTACKS = [
  "O'Brien",
  "x' OR '1'='1",
  "'; DROP TABLE events; --",
  'back\\slash\\',
  "\\'; SELECT 1; --",
  'tab\tnew\nline\rcr',
  'nul\0byte',
  '`backtick`',
  '/* comment */ -- line',
  'semi;colon;',
  'ünïcødé — 日本語 🎉',
  '\u0001\u001f\u007f',
  '',
];

describe('str: the one way a value enters the SQL', () => {
  it.each(ATTACKS)('round-trips %j and stays one literal', (v) => {
    const lit = str(v);
    expect(decodeLiteral(lit)).toBe(v);
    // No raw quote, newline or NUL survives outside an escape.
    expect(lit.slice(1, -1).replace(/\\./g, '')).not.toMatch(/['\n\r\0]/);
  });

  it('refuses what cannot be sent as UTF-8 and non-strings', () => {
    expect(() => str('a\uD800b')).toThrow(/surrogate/);
    expect(() => str(42 as unknown as string)).toThrow();
  });

  it('lists values for IN, and refuses an empty list', () => {
    expect(strList(["a'b", 'c']).split(', ').map(decodeLiteral)).toEqual(["a'b", 'c']);
    expect(() => strList([])).toThrow();
  });
});

describe('num and ident', () => {
  it('inlines only finite numbers', () => {
    expect(num(604800000)).toBe('604800000');
    expect(Number(num(0.1 + 0.2))).toBe(0.1 + 0.2);
    for (const bad of [NaN, Infinity, -Infinity, '1; DROP' as unknown as number]) expect(() => num(bad)).toThrow();
  });

  it('quotes names with backquotes, escaping backquotes and backslashes', () => {
    expect(ident('user_id')).toBe('`user_id`');
    expect(ident('we`ird\\name')).toBe('`we\\`ird\\\\name`');
    expect(ident('event name; DROP')).toBe('`event name; DROP`');
    for (const bad of ['', 'a\0b', 'new\nline', 'x'.repeat(256)]) expect(() => ident(bad)).toThrow();
  });
});

describe('clickhouse:// URLs', () => {
  it('parses user, host, port, database and table, with TLS defaults', () => {
    expect(parseClickHouseUrl('clickhouse://analyst@ch.local:8123/prod/events')).toEqual({
      tls: false,
      host: 'ch.local',
      port: 8123,
      user: 'analyst',
      database: 'prod',
      table: 'events',
      mapping: {},
    });
    expect(parseClickHouseUrl('clickhouses://db.example.com/a/b')).toMatchObject({ tls: true, port: 8443, user: 'default' });
    expect(parseClickHouseUrl('clickhouse://h:9/my%20db/t%60x')).toMatchObject({ database: 'my db', table: 't`x' });
  });

  it('takes a database without a table only where asked (listing tables)', () => {
    expect(() => parseClickHouseUrl('clickhouse://h:1/db')).toThrow(/database\/table/);
    expect(parseClickHouseUrl('clickhouse://h:1/db', { tableOptional: true })).toMatchObject({ database: 'db', table: '' });
  });

  it('carries column roles as query options', () => {
    expect(parseClickHouseUrl('clickhouse://h:1/d/t?user_col=who%20am%20i&event_col=what').mapping).toEqual({ user: 'who am i', event: 'what' });
    expect(() => parseClickHouseUrl('clickhouse://h:1/d/t?password=x')).toThrow(/Unknown option "password"/);
    const u = urlWithMapping('clickhouse://h:1/d/t?time_col=ts', { user: 'a&b' });
    expect(parseClickHouseUrl(u).mapping).toEqual({ user: 'a&b', time: 'ts' });
  });

  it('refuses a password in the URL and malformed URLs, and never labels with a secret', () => {
    expect(() => parseClickHouseUrl('clickhouse://u:secret@h:8123/d/t')).toThrow(/IAFA_CLICKHOUSE_PASSWORD/);
    for (const bad of ['clickhouse://h:8123/d', 'http://h/d/t', 'clickhouse://h:99999/d/t']) expect(() => parseClickHouseUrl(bad)).toThrow();
    expect(targetLabel(parseClickHouseUrl('clickhouse://bob@h:1/d/t'))).toBe('clickhouse://bob@h:1/d/t');
  });
});
