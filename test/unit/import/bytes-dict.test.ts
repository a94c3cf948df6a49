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
});
