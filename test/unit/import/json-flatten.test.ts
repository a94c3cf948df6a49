import { describe, expect, it } from 'vitest';
import { PathTable } from '../../../src/core/import/json/fields';
import { readRecords } from '../../../src/core/import/json/records';
import { JsonFlattener } from '../../../src/core/import/json/scan';
import { resolveColumnName, shortNames } from '../../../src/core/import/column-names';
import { guessShape, timeUnit, type SampleRecord } from '../../../src/core/import/shapes/shapes';
import { unsafeMemberName } from '../../../src/core/import/containers/zip';
import { sniff } from '../../../src/core/import/containers/open';

async function* chunks(text: string, size: number): AsyncGenerator<Buffer> {
  const b = Buffer.from(text);
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

/** Every record as {path: text}, read in chunks of `size` bytes (records cut anywhere). */
async function flat(text: string, size = 7): Promise<Record<string, string>[]> {
  const paths = new PathTable();
  const f = new JsonFlattener(paths);
  const out: Record<string, string>[] = [];
  await readRecords(
    chunks(text, size),
    f,
    () => {
      const r: Record<string, string> = {};
      for (let i = 0; i < f.fields.n; i++) r[paths.names[f.fields.path[i]]] = f.fields.text(i);
      out.push(r);
    },
    'test',
  );
  return out;
}

describe('the byte-level JSON flattener', () => {
  it('flattens nested objects to dotted paths, in any chunking, as JSON.parse reads them', async () => {
    const recs = [
      { event: 'a', properties: { time: 1767225600.5, distinct_id: 'u1', nested: { deep: { x: -1.5e3 } }, ok: true, no: false, nil: null, empty: '' } },
      { event: 'b "quoted" \\ \u00e9\u4e2d \ud83d\ude00', properties: { 'key with "quote"': 'line\nbreak\ttab', n: 0 } },
    ];
    const text = recs.map((r) => JSON.stringify(r)).join('\n');
    for (const size of [1, 3, 7, 64, 1 << 20]) {
      expect(await flat(text, size)).toEqual([
        {
          event: 'a',
          'properties.time': '1767225600.5',
          'properties.distinct_id': 'u1',
          'properties.nested.deep.x': '-1500',
          'properties.ok': 'true',
          'properties.no': 'false',
        },
        { event: recs[1].event, 'properties.key with "quote"': 'line\nbreak\ttab', 'properties.n': '0' },
      ]);
    }
  });

  it('reads a pretty-printed JSON array and NDJSON alike, with a BOM and CRLF', async () => {
    const objs = [
      { u: 'x', t: 1 },
      { u: 'y', t: 2 },
    ];
    expect(await flat('\ufeff' + JSON.stringify(objs, null, 2).replace(/\n/g, '\r\n'))).toEqual([
      { u: 'x', t: '1' },
      { u: 'y', t: '2' },
    ]);
    expect(await flat('\ufeff' + objs.map((o) => JSON.stringify(o)).join('\r\n') + '\r\n')).toEqual([
      { u: 'x', t: '1' },
      { u: 'y', t: '2' },
    ]);
  });

  it('turns key/value lists into one property per key (GA4), keeps other arrays as JSON text', async () => {
    const rec = {
      event_params: [
        { key: 'page', value: { string_value: '/home', int_value: null } },
        { key: 'n', value: { string_value: null, int_value: '3' } },
        { key: 'f', value: { double_value: 0.25 } },
      ],
      tags: ['a', 'b'],
      empty: [],
    };
    expect(await flat(JSON.stringify(rec))).toEqual([{ 'event_params.page': '/home', 'event_params.n': '3', 'event_params.f': '0.25', tags: '["a","b"]' }]);
  });

  it('names the record of a syntax error, a non-object record, and a cut file', async () => {
    await expect(flat('{"a":1}\n{"a":}\n')).rejects.toThrow(/malformed JSON in record 2/);
    await expect(flat('{"a":1}\n"text"\n')).rejects.toThrow(/record 2 is not a JSON object/);
    await expect(flat('{"a":1}\n{"a":')).rejects.toThrow(/ends in the middle of record 2/);
    await expect(flat('[{"a":1},')).rejects.toThrow(/never closed/);
  });
});

describe('property names, shapes and containers', () => {
  it('short names only where the last segment is unique and no column has that name', () => {
    const names = ['event', 'properties.plan', 'user_properties.country', 'event_properties.country', 'geo.city', 'city'];
    expect(Object.fromEntries(shortNames(names))).toEqual({ 'properties.plan': 'plan' });
    expect(resolveColumnName(names, 'plan')).toBe('properties.plan');
    expect(resolveColumnName(names, 'country')).toBe('country');
    expect(resolveColumnName(names, 'city')).toBe('city');
  });

  it('time units from the size of the numbers', () => {
    expect(timeUnit(['1767225600', '1767225601.25'])).toBe('unix_s');
    expect(timeUnit(['1767225600123'])).toBe('unix_ms');
    expect(timeUnit(['1767225600123456'])).toBe('unix_us');
    expect(timeUnit(['2026-01-01 10:00:00.000000'])).toBe('iso');
  });

  it('GA4 with event_timestamp as a number, and with user_id only', () => {
    const rec = (o: Record<string, string>): SampleRecord => new Map(Object.entries(o));
    const g = guessShape([rec({ event_name: 'page_view', event_timestamp: '1767225600123456', user_pseudo_id: '1.2', 'event_params.page': '/' })]);
    expect(g).toMatchObject({ tool: 'ga4', mapping: { user: 'user_pseudo_id', time: 'event_timestamp', event: 'event_name', timeFormat: 'unix_us' } });
    expect(guessShape([rec({ event_name: 'x', event_timestamp: '1', user_id: 'u' })]).mapping.user).toBe('user_id');
    // A user choice wins, and drops the tool's fallback.
    const a = guessShape(
      [
        rec({ event_type: 'x', event_time: '2026-01-01 00:00:00.000000', user_id: 'u', device_id: 'd', amplitude_id: '9' }),
        rec({ event_type: 'x', event_time: '2026-01-01 00:00:00.000000', device_id: 'd2', amplitude_id: '8' }),
      ],
      { user: 'amplitude_id' },
    );
    expect(a.mapping).toMatchObject({ user: 'amplitude_id' });
    expect(a.mapping.userFallback).toBeUndefined();
  });

  it('unsafe zip member names and magic bytes', () => {
    for (const bad of ['../x.json', 'a/../../x', '/etc/passwd', 'C:\\x.json', 'a\\..\\..\\x']) expect(unsafeMemberName(bad)).toBe(true);
    for (const ok of ['export/part-0.json', '123_2026-01-01_0#0.json.gz', 'a..b.json']) expect(unsafeMemberName(ok)).toBe(false);
    expect(sniff(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe('gzip');
    expect(sniff(Buffer.from('PK\u0003\u0004'))).toBe('zip');
    expect(sniff(Buffer.from('PAR1'))).toBe('parquet');
    expect(sniff(Buffer.from('{"a'))).toBe('text');
  });
});
