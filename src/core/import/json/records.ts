import { IafaError } from '../../../shared/contract/iafa-error';
import { INCOMPLETE, JsonFlattener, JsonSyntaxError } from './scan';

export interface RecordProgress {
  signal?: AbortSignal;
  /** Called after each chunk with the records so far. */
  report?(records: number): void;
  /**
   * The stream is the head of a longer file: a record cut by its end is left out, not closed
   * and read (inside a string it read as a control character: a malformed file).
   */
  partial?: boolean;
}

/**
 * Reads a stream of JSON objects (NDJSON lines, or one JSON array of objects, possibly pretty
 * printed) chunk by chunk and calls onRecord with the flattener's fields filled for each. A
 * record cut by a chunk boundary is carried over and read again once the next chunk arrives.
 * `onRecord` returns false to stop early (previews).
 */
export async function readRecords(
  chunks: AsyncIterable<Buffer>,
  flat: JsonFlattener,
  onRecord: (record: number) => boolean | void,
  where: string,
  p: RecordProgress = {},
): Promise<number> {
  // One working buffer: the carried-over bytes, then the next chunk copied after them (chunks may
  // be a reused buffer; a fresh concatenation per chunk would allocate the whole file again).
  let work = Buffer.allocUnsafe(0);
  let carryLen = 0;
  let record = 0;
  let state: 'start' | 'array' | 'lines' | 'done' = 'start';
  let stopped = false;
  const fail = (msg: string, reason = 'malformed_json'): never => {
    throw new IafaError('validation', `${where}: ${msg}`, { reason, record: record + 1 });
  };
  const iter = chunks[Symbol.asyncIterator]();
  for (;;) {
    if (p.signal?.aborted) throw new IafaError('cancelled', 'The import was cancelled.');
    const next = await iter.next();
    const final = Boolean(next.done);
    if (final && (!carryLen || p.partial)) break;
    // A closing newline lets a last record that ends the file without one complete.
    const add: Buffer = final ? Buffer.from(' \n') : next.value;
    if (carryLen + add.length > work.length) {
      const bigger = Buffer.allocUnsafe(Math.max(carryLen + add.length, work.length * 2));
      work.copy(bigger, 0, 0, carryLen);
      work = bigger;
    }
    add.copy(work, carryLen);
    const buf = work;
    const end = carryLen + add.length;
    carryLen = 0;
    let pos = 0;
    if (state === 'start' && record === 0 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
    while (pos < end) {
      const c = buf[pos];
      if (c === 32 || c === 10 || c === 13 || c === 9) {
        pos++;
        continue;
      }
      if (state === 'done') fail('unexpected text after the closing ] of the JSON array');
      if (state === 'start' && c === 91) {
        state = 'array';
        pos++;
        continue;
      }
      if (state === 'array' && (c === 44 || c === 93)) {
        if (c === 93) state = 'done';
        pos++;
        continue;
      }
      if (c !== 123) {
        const shown = Buffer.from(buf.buffer, buf.byteOffset + pos, Math.min(20, end - pos))
          .toString('utf8')
          .split('\n')[0];
        fail(`record ${record + 1} is not a JSON object (it starts with "${shown}"); each line or array element must be an event object.`, 'not_an_object');
      }
      if (state === 'start') state = 'lines';
      let after: number;
      try {
        after = flat.record(buf, pos, end);
      } catch (err) {
        if (err === INCOMPLETE) break;
        if (err instanceof JsonSyntaxError && err.reason === 'too_deep')
          fail(`record ${record + 1} is ${err.message}; events must be objects of plain values, lists and shallow objects.`, 'too_deep');
        if (err instanceof JsonSyntaxError) fail(`malformed JSON in record ${record + 1}: ${err.message}.`);
        throw err;
      }
      record++;
      pos = after;
      if (onRecord(record) === false) {
        stopped = true;
        break;
      }
    }
    if (stopped) break;
    if (pos < end) {
      if (final) fail(`the data ends in the middle of record ${record + 1} (the file is truncated or not closed).`, 'truncated');
      buf.copy(buf, 0, pos, end);
      carryLen = end - pos;
    }
    p.report?.(record);
    if (final) break;
  }
  if (stopped) await iter.return?.();
  else if (state === 'array' && !p.partial) fail('the JSON array is never closed (missing "]"): the file looks truncated.', 'truncated');
  return record;
}
