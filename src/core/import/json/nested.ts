import { IafaError, type ImportMapping, type SourceShape } from '../../../shared/contract';
import { CsvScanner } from '../csv';
import type { EventLogBuilder } from '../event-builder';
import { detectDelimiter } from '../source';
import { headOf, openContainer, sniff, sniffFile, type ByteMember, type Container } from '../containers/open';
import { parquetBatches } from '../containers/parquet';
import { guessShape, type SampleRecord, type ShapeGuess } from '../shapes/shapes';
import { Fields, PathTable, Scratch } from './fields';
import { readRecords } from './records';
import { INCOMPLETE, JsonFlattener, JsonSyntaxError } from './scan';
import { RecordSink } from './sink';
import { readNdjsonKernel, readNdjsonParallel } from './parallel';
import { kernelCanReadJson } from './ndjson-kernel';
import type { Worker } from 'node:worker_threads';

type MemberFormat = 'json' | 'csv' | 'parquet';

/** A file read through the nested path: any container, JSON, CSV with JSON-object columns, or Parquet. */
export interface NestedSource {
  path: string;
  size: number;
  container: Container | 'parquet';
  format: 'json' | 'ndjson' | 'csv' | 'parquet';
  members: ByteMember[];
  memberFormat: MemberFormat;
  /** CSV only: the delimiter and the columns holding JSON objects. */
  delim?: string;
  jsonColumns?: string[];
  sample: SampleRecord[];
  shape: ShapeGuess;
  notes: string[];
}

const SAMPLE = 2000;

function firstByte(head: Buffer): number {
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && (head[i] === 32 || head[i] === 10 || head[i] === 13 || head[i] === 9)) i++;
  return head[i];
}

function toSample(paths: PathTable, f: Fields): SampleRecord {
  const r: SampleRecord = new Map();
  for (let i = 0; i < f.n; i++) if (!r.has(paths.names[f.path[i]])) r.set(paths.names[f.path[i]], f.text(i));
  return r;
}

async function* one(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

async function sampleJson(head: Buffer, complete: boolean, name: string, objectStrings: string[] = []): Promise<SampleRecord[]> {
  const paths = new PathTable();
  const flat = new JsonFlattener(paths);
  flat.setObjectStrings(objectStrings);
  const out: SampleRecord[] = [];
  // The head stops mid-record when the file is longer: what was read before it is the sample.
  await readRecords(
    one(head),
    flat,
    () => {
      out.push(toSample(paths, flat.fields));
      return out.length < SAMPLE;
    },
    name,
    { partial: !complete },
  );
  return out;
}

/**
 * Reads CSV rows from a stream, flattening the columns that hold JSON objects into dotted
 * properties (a warehouse or PostHog dump's `properties` column). Rows are reported as fields.
 */
async function readCsvRecords(
  chunks: AsyncIterable<Buffer>,
  delim: string,
  jsonColumns: Set<string>,
  paths: PathTable,
  onRow: (f: Fields, line: number) => boolean | void,
  signal?: AbortSignal,
): Promise<string[]> {
  const sc = new CsvScanner(delim.charCodeAt(0));
  const flat = new JsonFlattener(paths);
  const fields = flat.fields;
  const scratch = flat.scratch;
  let header: string[] | null = null;
  let colPath: number[] = [];
  let isJson: boolean[] = [];
  let carry: Buffer | null = null;
  let stop = false;
  const it = chunks[Symbol.asyncIterator]();
  for (;;) {
    if (signal?.aborted) {
      await it.return?.();
      throw new IafaError('cancelled', 'The import was cancelled.');
    }
    const next = await it.next();
    const final = Boolean(next.done);
    const buf: Buffer = final ? (carry ?? Buffer.alloc(0)) : carry ? Buffer.concat([carry, next.value]) : next.value;
    carry = null;
    const start = header === null && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    const consumed = sc.scan(buf, start, buf.length, final, (line) => {
      if (stop) return;
      if (header === null) {
        header = [];
        for (let i = 0; i < sc.nFields; i++) header.push(sc.text(buf, i).trim() || `column_${i + 1}`);
        colPath = header.map((h) => paths.childString(0, h));
        isJson = header.map((h) => jsonColumns.has(h));
        return;
      }
      fields.n = 0;
      scratch.reset();
      for (let i = 0; i < sc.nFields && i < colPath.length; i++) {
        let b: Uint8Array = buf;
        let s = sc.fieldStart[i];
        let e = sc.fieldEnd[i];
        if (s === e) continue;
        if (sc.fieldQuote[i] === 2) [b, s, e] = scratch.write(sc.text(buf, i));
        if (isJson[i] && b[s] === 123) {
          const before = fields.n;
          try {
            flat.append(b, s, e, colPath[i]);
            continue;
          } catch (err) {
            // Not a whole JSON object after all: kept as its text.
            if (err !== INCOMPLETE && !(err instanceof JsonSyntaxError)) throw err;
            fields.n = before;
          }
        }
        fields.push(colPath[i], b, s, e);
      }
      if (onRow(fields, line) === false) stop = true;
    });
    if (sc.unterminatedQuoteLine)
      throw new IafaError('validation', `A quoted field opened at line ${sc.unterminatedQuoteLine} is never closed.`, {
        reason: 'unterminated_quote',
        line: sc.unterminatedQuoteLine,
      });
    if (stop || final) break;
    // A copy: the chunk's buffer may be reused for the next read.
    if (consumed < buf.length) carry = Buffer.from(buf.subarray(consumed));
  }
  if (stop) await it.return?.();
  return header ?? [];
}

async function sampleCsv(head: Buffer, delim: string, jsonColumns: Set<string>): Promise<SampleRecord[]> {
  const paths = new PathTable();
  const out: SampleRecord[] = [];
  await readCsvRecords(one(head), delim, jsonColumns, paths, (f) => {
    out.push(toSample(paths, f));
    return out.length < SAMPLE;
  });
  // The head's last row may be cut short.
  if (out.length > 1 && out.length < SAMPLE) out.pop();
  return out;
}

/** Columns of a CSV whose sampled cells are (mostly) JSON objects. */
function jsonColumnsOf(recs: SampleRecord[]): string[] {
  const counts = new Map<string, number>();
  for (const r of recs) for (const [k, v] of r) if (v.startsWith('{') && v.endsWith('}')) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].filter(([k]) => recs.filter((r) => r.has(k)).length * 0.8 <= (counts.get(k) ?? 0)).map(([k]) => k);
}

/**
 * Opens a file for the nested path, or returns null when the flat readers should take it (a plain
 * CSV without JSON columns; JSON that is not an event log: user tables, funnel summaries).
 */
export async function openNested(path: string, size: number, expandBudget: number, forced: ImportMapping = {}): Promise<NestedSource | null> {
  const magic = sniffFile(path);
  if (magic === 'parquet') {
    const sample: SampleRecord[] = [];
    const paths = new PathTable();
    const fields = new Fields();
    const scratch = new Scratch();
    for await (const batch of parquetBatches(path, paths, scratch, { maxRows: SAMPLE })) {
      for (let r = 0; r < batch.rows && sample.length < SAMPLE; r++) {
        fields.n = 0;
        scratch.reset();
        batch.row(r, fields);
        sample.push(toSample(paths, fields));
      }
    }
    if (!sample.length) throw new IafaError('validation', `The Parquet file ${path} has no rows.`, { reason: 'empty_file' });
    const shape = guessShape(sample, forced);
    return { path, size, container: 'parquet', format: 'parquet', members: [], memberFormat: 'parquet', sample, shape, notes: [] };
  }
  const opened = openContainer(path, magic, expandBudget);
  let first: { fmt: MemberFormat; sample: SampleRecord[]; shape: ShapeGuess; delim?: string; json?: string[]; name: string } | null = null;
  const notes: string[] = [];
  const members: ByteMember[] = [];
  for (const m of opened.members) {
    const head = await headOf(m);
    if (!head.length) continue;
    const complete = head.length < 1 << 20;
    const c = firstByte(head);
    let fmt: MemberFormat;
    let sample: SampleRecord[];
    let delim: string | undefined;
    let json: string[] | undefined;
    if (c === 123 || c === 91) {
      fmt = 'json';
      sample = await sampleJson(head, complete, m.name);
      json = jsonColumnsOf(sample);
      if (json.length) sample = await sampleJson(head, complete, m.name, json);
    } else {
      if (head.subarray(0, 65536).includes(0)) {
        if (opened.container === 'zip') {
          notes.push(
            sniff(head) === 'parquet'
              ? `"${m.name}" is a Parquet file, which is read on its own, not inside a zip: left out.`
              : `"${m.name}" is not text (CSV or JSON): left out.`,
          );
          continue;
        }
        throw new IafaError('validation', `${m.name} holds binary data once decompressed, not CSV or JSON.`, { reason: 'binary_file' });
      }
      fmt = 'csv';
      delim = forced.delimiter ?? detectDelimiter(head.toString('utf8', 0, Math.min(head.length, 65536)));
      const plain = await sampleCsv(head, delim, new Set());
      json = jsonColumnsOf(plain);
      sample = json.length ? await sampleCsv(head, delim, new Set(json)) : plain;
    }
    if (!sample.length) continue;
    const shape = guessShape(sample, forced);
    if (
      first &&
      (first.fmt !== fmt ||
        first.shape.tool !== shape.tool ||
        first.shape.mapping.user !== shape.mapping.user ||
        first.shape.mapping.time !== shape.mapping.time ||
        first.shape.mapping.event !== shape.mapping.event)
    ) {
      throw new IafaError(
        'validation',
        `The zip archive ${path} mixes shapes: "${first.name}" is ${describe(first.fmt, first.shape)} but "${m.name}" is ${describe(fmt, shape)}. Put one export per archive.`,
        { reason: 'mixed_shapes', members: [first.name, m.name] },
      );
    }
    first ??= { fmt, sample, shape, delim, json, name: m.name };
    members.push(m);
  }
  // Say why: every member was left out (not text, a Parquet file) or held no record.
  if (!first) throw new IafaError('validation', `${path} holds no records${notes.length ? `: ${notes.join(' ')}` : '.'}`, { reason: 'empty_file' });
  if (opened.skipped.length) notes.push(`Left out of the archive: ${opened.skipped.join(', ')}.`);
  const nested = opened.container !== 'plain' || first.fmt === 'json' ? true : Boolean(first.json?.length);
  // Plain files the flat readers already handle stay with them (they are faster for flat CSV).
  if (opened.container === 'plain' && (!nested || first.shape.notEvents)) return null;
  if (first.shape.notEvents)
    throw new IafaError(
      'validation',
      `${path}: no user, time and event fields were found in the records, so this is not an event log. Unpack it to import a user table or a funnel summary.`,
      { reason: 'wrong_kind' },
    );
  const firstC = firstByte(await headOf(members[0], 4096));
  const format = first.fmt === 'csv' ? 'csv' : firstC === 91 ? 'json' : 'ndjson';
  return {
    path,
    size,
    container: opened.container,
    format,
    members,
    memberFormat: first.fmt,
    delim: first.delim,
    jsonColumns: first.json,
    sample: first.sample,
    shape: first.shape,
    notes: [...notes, ...first.shape.notes],
  };
}

function describe(fmt: MemberFormat, s: ShapeGuess): string {
  return `${fmt === 'csv' ? 'CSV' : 'JSON'} (${s.label}, user "${s.mapping.user ?? '?'}", event "${s.mapping.event ?? '?'}")`;
}

export function shapeInfo(src: NestedSource): SourceShape {
  return {
    container: src.container,
    ...(src.container === 'zip' ? { members: src.members.map((m) => m.name) } : {}),
    tool: src.shape.tool,
    label: src.shape.label,
    confidence: src.shape.confidence,
    userReason: src.shape.userReason,
    timeUnit: src.shape.mapping.timeFormat ?? 'iso',
  };
}

export interface NestedProgress {
  signal: AbortSignal;
  report(rows: number): void;
  /** Worker threads for a plain NDJSON file (none: this thread reads it). */
  workers?: Worker[];
  /** NDJSON through the WebAssembly kernel where it can (the default; false: JavaScript only). */
  kernel?: boolean;
}

/** Streams every member into the builder through one sink (one dataset). */
export async function readNested(
  src: NestedSource,
  b: EventLogBuilder,
  m: ImportMapping,
  p: NestedProgress,
): Promise<{ duplicates: number; skippedCalls: number }> {
  const paths = new PathTable();
  const flat = new JsonFlattener(paths);
  if (src.memberFormat === 'json') flat.setObjectStrings(src.jsonColumns ?? []);
  const sink = new RecordSink(b, paths, m, flat.scratch);
  if (m.event && b.rows === 0) b.eventName = m.event;
  let line = 0;
  if (p.kernel !== false && src.memberFormat === 'json' && src.format === 'ndjson' && kernelCanReadJson(m, src.jsonColumns ?? [])) {
    const workers = p.workers ?? [];
    p = { ...p, workers: [] };
    if (await readNdjsonKernel(src, b, m, workers, p.signal, (rows) => p.report(rows))) {
      p.report(b.rows);
      return { duplicates: 0, skippedCalls: 0 };
    }
  }
  if (p.workers?.length && src.container === 'plain' && src.format === 'ndjson') {
    const dropped = await readNdjsonParallel(src.path, src.size, b, m, p.workers, p.signal, src.jsonColumns ?? []);
    p.report(b.rows);
    return { duplicates: dropped, skippedCalls: 0 };
  }
  for (const w of p.workers ?? []) void w.terminate();
  if (src.memberFormat === 'parquet') {
    for await (const batch of parquetBatches(src.path, paths, flat.scratch)) {
      if (p.signal.aborted) throw new IafaError('cancelled', 'The import was cancelled.');
      for (let r = 0; r < batch.rows; r++) {
        flat.fields.n = 0;
        flat.scratch.reset();
        batch.row(r, flat.fields);
        sink.add(flat.fields, ++line);
      }
      p.report(b.rows);
    }
  } else {
    for (const mem of src.members) {
      if (src.memberFormat === 'json') {
        await readRecords(mem.open(), flat, (rec) => sink.add(flat.fields, line + rec), mem.name, { signal: p.signal, report: () => p.report(b.rows) }).then(
          (n) => (line += n),
        );
      } else {
        let rows = 0;
        await readCsvRecords(
          mem.open(),
          src.delim ?? ',',
          new Set(src.jsonColumns),
          paths,
          (f, l) => {
            rows = l;
            sink.add(f, line + l);
          },
          p.signal,
        );
        line += rows;
        p.report(b.rows);
      }
    }
  }
  return { duplicates: sink.duplicates, skippedCalls: sink.skippedCalls };
}
