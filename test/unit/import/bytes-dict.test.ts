import { describe, expect, it } from 'vitest';
import { ByteDict } from '../../../src/core/import/bytes-dict';

describe('ByteDict', () => {
  it('gives each distinct byte string one code, in first-seen order, 0 being the empty value', () => {
    const d = new ByteDict(16);
    const codes = ['b', 'a', 'b', '', 'a-much-longer-value-than-eight-bytes', 'a'].map((v) => d.addString(v));
    expect(codes).toEqual([1, 2, 1, 0, 3, 2]);
    expect(d.values()).toEqual(['', 'b', 'a', 'a-much-longer-value-than-eight-bytes']);
  });

  it('keeps values apart that share their last 8 bytes or their hash bucket, through rehashing', () => {
    const d = new ByteDict(16);
    const vals = Array.from({ length: 5000 }, (_, i) => `prefix-${i}-common-tail`);
    const codes = vals.map((v) => d.addString(v));
    expect(new Set(codes).size).toBe(5000);
    expect(vals.map((v) => d.addString(v))).toEqual(codes);
  });

  it('finds values appended unhashed (appendNew) once a lookup rebuilds its table', () => {
    const d = new ByteDict(16);
    d.addString('a');
    const b = Buffer.from('bbb|cc');
    expect(d.appendNew(b, 0, 3)).toBe(2);
    expect(d.appendNew(b, 4, 6)).toBe(3);
    expect(d.addString('cc')).toBe(3);
    expect(d.addString('bbb')).toBe(2);
    expect(d.addString('a')).toBe(1);
    expect(d.addString('new')).toBe(4);
    expect(d.values()).toEqual(['', 'a', 'bbb', 'cc', 'new']);
  });

  it('writes its values as the same JSON as JSON.stringify, hostile bytes included', () => {
    const d = new ByteDict(16);
    for (const v of ['123', 'quote"d', 'back\\slash', 'tab\there', 'nl\nx', 'Zürich', '東京', '</script>', 'plain']) d.addString(v);
    // Bytes that are not UTF-8: JSON.stringify sees them as U+FFFD, and so must toJson.
    const bad = Buffer.from([0x61, 0xff, 0xfe, 0x62]);
    d.add(bad, 0, bad.length);
    expect(d.toJson().toString('utf8')).toBe(JSON.stringify(d.values()));
    const plain = new ByteDict(16);
    for (let i = 0; i < 1000; i++) plain.addString(String(100000 + i));
    expect(JSON.parse(plain.toJson().toString('utf8'))).toEqual(plain.values());
  });

  it("appends another dictionary's values at once (appendAll), found afterwards by lookups as appendNew's are", () => {
    const src = new ByteDict(16);
    const vals = ['x', 'a-value-longer-than-eight-bytes', 'é', '12345678', '123456789'];
    for (const v of vals) src.addString(v);
    const d = new ByteDict(16);
    d.addString('first');
    const map = d.appendAll(src.raw());
    expect(Array.from(map)).toEqual([0, 2, 3, 4, 5, 6]);
    expect(d.values()).toEqual(['', 'first', ...vals]);
    expect(vals.map((v) => d.addString(v))).toEqual([2, 3, 4, 5, 6]);
    expect(d.addString('first')).toBe(1);
    expect(d.addString('12345679')).toBe(7);
  });

  it('keeps appended dictionaries where they are until needed: values, packing and lookups see them all', () => {
    const a = new ByteDict(16);
    const b = new ByteDict(16);
    const av = ['id-1', 'é-2', ''.padEnd(300, 'x')];
    const bv = ['id-3', 'id-1'];
    for (const v of av) a.addString(v);
    for (const v of bv) b.addString(v);
    const d = new ByteDict(16);
    d.addString('own');
    expect(Array.from(d.appendAll(a.raw()))).toEqual([0, 2, 3, 4]);
    expect(Array.from(d.appendAll(b.raw()))).toEqual([0, 5, 6]);
    expect(d.size).toBe(7);
    // Read where they are (no copy yet), then packed as bytes and lengths wide enough for 300.
    expect([1, 2, 3, 4, 5, 6].map((c) => d.value(c))).toEqual(['own', ...av, ...bv]);
    const packed = d.packed()!;
    expect(packed.lens).toBeInstanceOf(Uint16Array);
    expect(Array.from(packed.lens)).toEqual([0, 3, ...[...av, ...bv].map((v) => Buffer.byteLength(v))]);
    expect(Buffer.concat(packed.bytes).toString('utf8')).toBe(['own', ...av, ...bv].join(''));
    // A lookup copies them in: an appended value is found, not added again (ids repeat across chunks).
    expect(d.addString('id-3')).toBe(5);
    expect(d.values()).toEqual(['', 'own', ...av, ...bv]);
    expect(Array.from(d.packed()!.lens)).toEqual(Array.from(packed.lens));
  });

  it('does not pack values that are not back to back (the writer then writes JSON), and still reads them', () => {
    const d = new ByteDict(16);
    const pool = Buffer.from('..ab..cd');
    const map = d.appendAll({ pool, offs: Int32Array.from([0, 2, 6]), lens: Int32Array.from([0, 2, 2]) });
    expect(Array.from(map)).toEqual([0, 1, 2]);
    expect(d.packed()).toBeNull();
    expect(d.values()).toEqual(['', 'ab', 'cd']);
    expect(JSON.parse(d.toJson().toString('utf8'))).toEqual(['', 'ab', 'cd']);
  });
});
