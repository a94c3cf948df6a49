import fs from 'node:fs';
import { IafaError } from '../../shared/contract';
import { CsvScanner } from './csv';
import type { EventLogBuilder, FilePlan } from './event-builder';
import type { CsvSource } from './source';
import type { WarningLog } from './warnings';

const CHUNK = 8 << 20;
const QUOTE = 34;

export interface ReadProgress {
  signal: AbortSignal;
  report(rows: number, bytes: number): void;
  /** Called once the workers have read every row, before the merge (ImportEnv.onRowsRead). */
  rowsRead?(): void;
}

/**
 * Streams a CSV file through the byte scanner into the builder, chunk by chunk, so memory holds
 * the encoded columns and one chunk, never the file's text.
 */
export async function readCsvEvents(src: CsvSource, builder: EventLogBuilder, plan: FilePlan, p: ReadProgress): Promise<void> {
  const fh = await fs.promises.open(src.path, 'r');
  try {
    let buf = Buffer.allocUnsafe(Math.min(CHUNK, src.size + 1));
    let carry = 0;
    let filePos = src.bom;
    let headerSeen = false;
    const sc = new CsvScanner(src.delim.charCodeAt(0));
    const onRow = (line: number) => {
      if (!headerSeen) {
        headerSeen = true;
        return;
      }
      const q = sc.fieldQuote;
      for (let i = 0; i < sc.nFields; i++) if (q[i] === 2) unescapeInPlace(buf, sc, i);
      if (sc.quotedNewlines) builder.warnings.note('quoted_newline', line);
      builder.addRow(plan, buf, sc.fieldStart, sc.fieldEnd, sc.nFields, line);
    };
    for (;;) {
      if (p.signal.aborted) throw new IafaError('cancelled', 'The import was cancelled.');
      if (carry === buf.length) {
        // One row longer than the buffer (a huge quoted cell): grow rather than fail.
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, carry);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, carry, buf.length - carry, filePos);
      filePos += bytesRead;
      const end = carry + bytesRead;
      const final = bytesRead === 0 || filePos >= src.size;
      const consumed = sc.scan(buf, 0, end, final, onRow);
      if (sc.unterminatedQuoteLine) {
        throw new IafaError('validation', `A quoted field opened at line ${sc.unterminatedQuoteLine} is never closed.`, {
          reason: 'unterminated_quote',
          line: sc.unterminatedQuoteLine,
        });
      }
      carry = end - consumed;
      if (carry > 0) buf.copyWithin(0, consumed, end);
      p.report(builder.rows, filePos);
      if (final) break;
    }
  } finally {
    await fh.close();
  }
}

function unescapeInPlace(buf: Buffer, sc: CsvScanner, i: number): void {
  const s = sc.fieldStart[i];
  const e = sc.fieldEnd[i];
  let o = s;
  for (let j = s; j < e; j++) {
    buf[o++] = buf[j];
    if (buf[j] === QUOTE && buf[j + 1] === QUOTE) j++;
  }
  sc.fieldEnd[i] = o;
  sc.fieldQuote[i] = 1;
}

/** All rows of a (small) CSV as strings: aggregated exports and user tables. */
export function readCsvTable(src: CsvSource, warnings?: WarningLog): { header: string[]; rows: string[][]; lines: number[] } {
  const buf = fs.readFileSync(src.path);
  const sc = new CsvScanner(src.delim.charCodeAt(0));
  const rows: string[][] = [];
  const lines: number[] = [];
  let headerSeen = false;
  sc.scan(buf, src.bom, buf.length, true, (line) => {
    if (!headerSeen) {
      headerSeen = true;
      return;
    }
    const r: string[] = [];
    for (let i = 0; i < sc.nFields; i++) r.push(sc.text(buf, i));
    rows.push(r);
    lines.push(line);
    if (sc.quotedNewlines) warnings?.note('quoted_newline', line);
  });
  if (sc.unterminatedQuoteLine)
    throw new IafaError('validation', `A quoted field opened at line ${sc.unterminatedQuoteLine} is never closed.`, {
      reason: 'unterminated_quote',
      line: sc.unterminatedQuoteLine,
    });
  return { header: src.header, rows, lines };
}
