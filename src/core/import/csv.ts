const QUOTE = 34;
const LF = 10;
const CR = 13;

/**
 * RFC 4180 scanner over raw bytes. It reports field boundaries (into reusable typed arrays) rather
 * than strings, so callers can dictionary-encode bytes directly. Rows are only reported once
 * complete: `scan` returns where the first incomplete row starts, and the caller carries those
 * bytes over to the next chunk (quotes may hide newlines, so no other split point is safe).
 */
export class CsvScanner {
  fieldStart = new Int32Array(64);
  fieldEnd = new Int32Array(64);
  /** 0 plain, 1 quoted, 2 quoted with doubled quotes inside (needs unescaping). */
  fieldQuote = new Uint8Array(64);
  nFields = 0;
  /** Physical line (1-based) of the next row to be read, counting newlines inside quotes. */
  line = 1;
  /** Set when the last row of the input ended inside an open quote. */
  unterminatedQuoteLine = 0;
  /**
   * Line breaks inside quoted fields of the row just reported: legitimate in multi-line text,
   * but also what a stray quote looks like (it pairs with one lines later and merges the rows).
   */
  quotedNewlines = 0;

  constructor(readonly delim: number) {}

  /**
   * Calls onRow for each complete row in buf[pos, end). With `final`, a trailing row without a
   * newline is complete too. Returns the offset of the first byte not consumed.
   * onRow receives the row's starting line number; blank lines are skipped.
   */
  scan(buf: Buffer, pos: number, end: number, final: boolean, onRow: (line: number) => void): number {
    const delim = this.delim;
    let p = pos;
    while (p < end) {
      const rowStart = p;
      let newlines = 0;
      let quotedNewlines = 0;
      let n = 0;
      let complete = false;
      for (;;) {
        if (n === this.fieldStart.length) this.growFields();
        if (p < end && buf[p] === QUOTE) {
          p++;
          const fs = p;
          let esc = false;
          let closed = -1;
          while (p < end) {
            const c = buf[p];
            if (c === QUOTE) {
              if (p + 1 < end && buf[p + 1] === QUOTE) {
                esc = true;
                p += 2;
                continue;
              }
              if (p + 1 >= end && !final) break;
              closed = p;
              p++;
              break;
            }
            // A line break is LF, CR LF or a bare CR (old Mac files, mixed exports).
            if (c === LF || (c === CR && buf[p + 1] !== LF)) {
              newlines++;
              quotedNewlines++;
            }
            p++;
          }
          if (closed < 0) {
            if (!final) return this.incomplete(rowStart);
            // An open quote at end of input: keep the text, flag it so the importer can name the line.
            this.unterminatedQuoteLine = this.line;
            this.fieldStart[n] = fs;
            this.fieldEnd[n] = end;
            this.fieldQuote[n++] = esc ? 2 : 1;
            p = end;
            complete = true;
            break;
          }
          this.fieldStart[n] = fs;
          this.fieldEnd[n] = closed;
          this.fieldQuote[n++] = esc ? 2 : 1;
          // Stray bytes between the closing quote and the delimiter are dropped (lenient, like most readers).
          while (p < end && buf[p] !== delim && buf[p] !== LF && buf[p] !== CR) p++;
        } else {
          const fs = p;
          while (p < end) {
            const c = buf[p];
            if (c === delim || c === LF || c === CR) break;
            p++;
          }
          this.fieldStart[n] = fs;
          this.fieldEnd[n] = p;
          this.fieldQuote[n++] = 0;
        }
        if (p >= end) {
          if (!final) return this.incomplete(rowStart);
          complete = true;
          break;
        }
        if (buf[p] === delim) {
          p++;
          continue;
        }
        // The row ends at LF, CR LF or a bare CR; a CR last in an unfinished buffer may be the
        // first half of a CR LF, so the row waits for the next chunk.
        if (buf[p] === CR) {
          if (p + 1 >= end && !final) return this.incomplete(rowStart);
          p += p + 1 < end && buf[p + 1] === LF ? 2 : 1;
        } else {
          p++;
        }
        newlines++;
        complete = true;
        break;
      }
      if (!complete) break;
      this.nFields = n;
      this.quotedNewlines = quotedNewlines;
      const line = this.line;
      this.line += newlines;
      if (!(n === 1 && this.fieldEnd[0] === this.fieldStart[0] && this.fieldQuote[0] === 0)) onRow(line);
    }
    return p;
  }

  private incomplete(rowStart: number): number {
    return rowStart;
  }

  private growFields(): void {
    const n = this.fieldStart.length * 2;
    const a = new Int32Array(n);
    a.set(this.fieldStart);
    this.fieldStart = a;
    const b = new Int32Array(n);
    b.set(this.fieldEnd);
    this.fieldEnd = b;
    const q = new Uint8Array(n);
    q.set(this.fieldQuote);
    this.fieldQuote = q;
  }

  /** Field i of the current row as a string (unescaped). For previews and slow paths only. */
  text(buf: Buffer, i: number): string {
    const s = buf.toString('utf8', this.fieldStart[i], this.fieldEnd[i]);
    return this.fieldQuote[i] === 2 ? s.replace(/""/g, '"') : s;
  }

  /** Field i's bytes with doubled quotes collapsed, in `scratch` when unescaping was needed. */
  bytes(buf: Buffer, i: number, scratch: { buf: Buffer }): [Buffer, number, number] {
    const s = this.fieldStart[i];
    const e = this.fieldEnd[i];
    if (this.fieldQuote[i] !== 2) return [buf, s, e];
    if (scratch.buf.length < e - s) scratch.buf = Buffer.allocUnsafe((e - s) * 2);
    let o = 0;
    for (let j = s; j < e; j++) {
      scratch.buf[o++] = buf[j];
      if (buf[j] === QUOTE && buf[j + 1] === QUOTE) j++;
    }
    return [scratch.buf, 0, o];
  }
}

/** Parses a whole string (previews, tests). */
export function parseCsvText(text: string, delim: string): string[][] {
  const buf = Buffer.from(text, 'utf8');
  const sc = new CsvScanner(delim.charCodeAt(0));
  const rows: string[][] = [];
  sc.scan(buf, 0, buf.length, true, () => {
    const r: string[] = [];
    for (let i = 0; i < sc.nFields; i++) r.push(sc.text(buf, i));
    rows.push(r);
  });
  return rows;
}
