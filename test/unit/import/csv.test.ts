import { describe, expect, it } from 'vitest';
import { CsvScanner, parseCsvText } from '../../../src/core/import/csv';
import { detectDelimiter } from '../../../src/core/import/source';

describe('RFC 4180 scanner', () => {
  it('handles quotes, doubled quotes, embedded newlines and CRLF', () => {
    const text = 'a,b,c\r\n1,"x, y","he said ""hi"""\r\n2,"multi\r\nline",\r\n3,,last';
    expect(parseCsvText(text, ',')).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'he said "hi"'],
      ['2', 'multi\r\nline', ''],
      ['3', '', 'last'],
    ]);
  });

  it('skips blank lines and counts physical lines across quoted newlines', () => {
    const buf = Buffer.from('h1,h2\n\n"a\nb",1\nc,2\n');
    const sc = new CsvScanner(44);
    const lines: number[] = [];
    sc.scan(buf, 0, buf.length, true, (line) => lines.push(line));
    expect(lines).toEqual([1, 3, 5]);
  });

  it('gives the same rows whatever the chunk boundaries', () => {
    const text = 'id;name;note\n1;"semi;colon";"q""q"\n2;plain;"new\nline"\n3;"";x\n';
    const whole = parseCsvText(text, ';');
    const buf = Buffer.from(text);
    for (let chunk = 1; chunk < buf.length; chunk += 3) {
      const sc = new CsvScanner(59);
      const rows: string[][] = [];
      let carry = Buffer.alloc(0);
      for (let off = 0; off < buf.length; off += chunk) {
        const piece = Buffer.concat([carry, buf.subarray(off, off + chunk)]);
        const final = off + chunk >= buf.length;
        const used = sc.scan(piece, 0, piece.length, final, () => rows.push(Array.from({ length: sc.nFields }, (_, i) => sc.text(piece, i))));
        carry = Buffer.from(piece.subarray(used));
      }
      expect(rows).toEqual(whole);
    }
  });

  it('ends rows at LF, CR LF and bare CR alike, whatever the chunk boundaries (a CR LF split in two included)', () => {
    const text = 'a,b\r1,x\r\n2,"y\rz"\n3,w\r\r4,"v"\r5,u';
    const expected = [
      ['a', 'b'],
      ['1', 'x'],
      ['2', 'y\rz'],
      ['3', 'w'],
      ['4', 'v'],
      ['5', 'u'],
    ];
    expect(parseCsvText(text, ',')).toEqual(expected);
    const buf = Buffer.from(text);
    for (let chunk = 1; chunk < buf.length; chunk++) {
      const sc = new CsvScanner(44);
      const rows: string[][] = [];
      const lines: number[] = [];
      let carry = Buffer.alloc(0);
      for (let off = 0; off < buf.length; off += chunk) {
        const piece = Buffer.concat([carry, buf.subarray(off, off + chunk)]);
        const used = sc.scan(piece, 0, piece.length, off + chunk >= buf.length, (line) => {
          lines.push(line);
          rows.push(Array.from({ length: sc.nFields }, (_, i) => sc.text(piece, i)));
        });
        carry = Buffer.from(piece.subarray(used));
      }
      expect(rows, `chunk ${chunk}`).toEqual(expected);
      // Physical lines: the quoted bare CR and the blank line each count one.
      expect(lines, `chunk ${chunk}`).toEqual([1, 2, 3, 5, 7, 8]);
    }
  });

  it('says which rows have quoted fields running over lines', () => {
    const buf = Buffer.from('a,b\n1,"x\ny"\n2,z\n');
    const sc = new CsvScanner(44);
    const spans: number[] = [];
    sc.scan(buf, 0, buf.length, true, () => spans.push(sc.quotedNewlines));
    expect(spans).toEqual([0, 1, 0]);
  });

  it('flags a quote that never closes', () => {
    const buf = Buffer.from('a,b\n1,"open\n2,3\n');
    const sc = new CsvScanner(44);
    sc.scan(buf, 0, buf.length, true, () => {});
    expect(sc.unterminatedQuoteLine).toBe(2);
  });

  it('detects comma, semicolon and tab delimiters', () => {
    expect(detectDelimiter('a,b,c\n1,2,3\n')).toBe(',');
    expect(detectDelimiter('a;b;c\n1;"2,5";3\n')).toBe(';');
    expect(detectDelimiter('a\tb\tc\n1\t2,0\t3\n')).toBe('\t');
  });
});
