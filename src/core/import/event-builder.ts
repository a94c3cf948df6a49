import fs from 'node:fs';
import path from 'node:path';
import type { ImportMapping } from '../../shared/contract';
import { IafaError } from '../../shared/contract/iafa-error';
import { ByteDict, GrowF64, GrowU32 } from './bytes-dict';
import { allocCodes, type Codes, type InMemoryColumns, type StoredColumn, type StoreManifest } from './store';
import { MAX_DATE_MS, parseTimeBytes, type TimeFormat } from './timestamps';
import { WarningLog } from './warnings';
import { gather, orderByUser } from './sort-rows';

// Property columns start small: a wide file has thousands of them (10,000 columns at 256 KB
// each took 2.5 GB before a row was read). Readers reserve() the rows they expect, and
// doubling from here costs a few copies of a small array.
export class ColBuilder {
  dict = new ByteDict(16);
  codes = new GrowU32(1024);
  /** The dictionary may hold a value twice (an id column merged unhashed): store.ts folds it on read. */
  repeats = false;
  constructor(
    readonly name: string,
    readonly role: string,
  ) {}
}

export interface FilePlan {
  userIdx: number;
  timeIdx: number;
  eventIdx: number;
  eventConst: number;
  timeFormat: TimeFormat;
  year: number;
  targets: (ColBuilder | null)[];
  constants: { col: ColBuilder; code: number }[];
}

const MAX_OPEN_WRITES = 16;

interface Written {
  manifest: StoreManifest;
  events: { name: string; count: number }[];
  /** The stored columns as they are in memory, for a first funnel that reads nothing back. */
  loaded: InMemoryColumns;
}

/**
 * A row's time, or why the row is skipped. Every reader checks in this order (time, user,
 * event), so the same row gets the same warning whichever reads it (the WebAssembly kernel
 * repeats these checks in its addRow).
 */
export function rowTime(p: FilePlan, buf: Uint8Array, fs: Int32Array, fe: Int32Array, n: number): number | 'bad_timestamp' | 'missing_user' | 'missing_event' {
  const ti = p.timeIdx;
  const t = ti < n ? parseTimeBytes(buf, fs[ti], fe[ti], p.timeFormat, p.year) : NaN;
  if (!(t >= -MAX_DATE_MS && t <= MAX_DATE_MS)) return 'bad_timestamp';
  if (p.userIdx >= n || fs[p.userIdx] === fe[p.userIdx]) return 'missing_user';
  const ei = p.eventIdx;
  if (ei >= 0 && (ei >= n || fs[ei] === fe[ei])) return 'missing_event';
  return t;
}

/**
 * Accumulates an event log (from one or more files) as dictionary codes, then sorts it by user
 * and time once, so that every later funnel is a single pass with no sorting.
 */
export class EventLogBuilder {
  users = new ByteDict(1 << 14);
  userCodes = new GrowU32(1 << 20);
  time = new GrowF64(1 << 20);
  event = new ColBuilder('event', 'event');
  cols = new Map<string, ColBuilder>();
  rows = 0;
  warnings = new WarningLog();
  eventName = 'event';
  /**
   * Set while the rows are already grouped by user and time-sorted (merged worker chunks): then
   * the codes live here, final width and order, and `userCodes` and the columns' own code
   * arrays are unused until another file's rows arrive (see ungroup).
   */
  grouped: { rows: number; start: Uint32Array; codes: Map<ColBuilder, Codes>; eventCounts?: Float64Array } | null = null;

  /**
   * Where the import stages its files, when this builder may start writing columns as soon as
   * they are final (timeFinal, usersFinal), before the rest: set for a single-file import only,
   * since a second file's rows would change them.
   */
  stagingDir: string | null = null;
  /** Files already on their way (by name), awaited in write(). */
  private early = new Map<string, Promise<void>>();

  /** Id-like columns whose values went out early (idColumnsFinal): their lengths' width. */
  private packedEarly = new Map<ColBuilder, 1 | 2 | 4>();

  private writeEarly(file: string, data: ArrayBufferView | Uint8Array[]): void {
    if (!this.stagingDir || this.early.has(file)) return;
    const bytes = Array.isArray(data) ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const p = fs.promises.writeFile(path.join(this.stagingDir, file), bytes);
    // Awaited in write(); until then a failure must not surface as an unhandled rejection.
    p.catch(() => {});
    this.early.set(file, p);
  }

  /** Called by the chunk merge once the time column is in its final order. */
  timeFinal(): void {
    this.writeEarly('time.f64', this.time.view());
  }

  /** Called by the chunk merge once the users and their row offsets are final, while it copies the rows. */
  usersFinal(start: Uint32Array): void {
    this.writeEarly('user_start.u32', start);
    this.writeEarly('users.json', this.users.toJson());
  }

  /**
   * Called by the chunk merge once every dictionary is final: an id-like column's values (a
   * Mixpanel export's 10M insert ids, 100 MB) go out while the rows are copied, not after.
   */
  idColumnsFinal(): void {
    if (!this.stagingDir) return;
    [this.event, ...this.cols.values()].forEach((c, i) => {
      if (c === this.event || c.dict.size <= ID_LIKE_DISTINCT) return;
      const packed = c.dict.packed();
      if (!packed) return;
      this.writeEarly(`c${i}.ids`, packed.bytes);
      this.writeEarly(`c${i}.lens`, packed.lens);
      this.packedEarly.set(c, packed.lens.BYTES_PER_ELEMENT as 1 | 2 | 4);
    });
  }

  /**
   * Rows were dropped after the merge (Mixpanel's duplicates): the time and user offsets
   * already on their way are written again, once those writes are done.
   */
  async rowsDropped(): Promise<void> {
    await this.settled();
    this.early.delete('time.f64');
    this.early.delete('user_start.u32');
  }

  /** Resolves once no file this builder started is still being written (failed or not). */
  async settled(): Promise<void> {
    await Promise.allSettled(this.early.values());
  }

  colFor(name: string): ColBuilder {
    let c = this.cols.get(name);
    if (!c) {
      this.cols.set(name, (c = new ColBuilder(name, 'segment')));
      c.codes.padTo(this.rows);
    }
    return c;
  }

  plan(header: string[], m: ImportMapping): FilePlan {
    this.ungroup();
    const need = (role: string, name: string | undefined): number => {
      const i = name === undefined ? -1 : header.indexOf(name);
      if (i < 0) {
        const what = name ? `column "${name}"` : `a ${role} column`;
        throw new IafaError('validation', `Missing required ${role} column: ${what} is not in the file (columns: ${header.join(', ')}).`, {
          reason: 'missing_column',
          role,
          column: name ?? null,
        });
      }
      return i;
    };
    const userIdx = need('user', m.user);
    const timeIdx = need('time', m.time);
    const eventIdx = m.eventName !== undefined && !m.event ? -1 : need('event', m.event);
    if (this.rows === 0 && this.cols.size === 0 && eventIdx >= 0) this.eventName = header[eventIdx];
    const eventConst = m.eventName !== undefined ? this.event.dict.addString(m.eventName) : 0;
    if (!m.timeFormat || m.timeFormat === 'auto')
      throw new IafaError('validation', `Cannot tell the time format of column "${header[timeIdx]}"; set mapping.timeFormat.`, {
        reason: 'bad_time_format',
        column: header[timeIdx],
      });
    if (m.timeFormat === 'weekday_month_day' && !m.year)
      throw new IafaError('validation', `Dates in "${header[timeIdx]}" have no year; set mapping.year.`, { reason: 'missing_year' });
    const colFor = (name: string) => this.colFor(name);
    const targets = header.map((h, i) => (i === userIdx || i === timeIdx || i === eventIdx ? null : colFor(h)));
    const constants = Object.entries(m.constants ?? {}).map(([k, v]) => {
      const col = colFor(k);
      return { col, code: col.dict.addString(v) };
    });
    return { userIdx, timeIdx, eventIdx, eventConst, timeFormat: m.timeFormat, year: m.year ?? 1970, targets, constants };
  }

  addRow(p: FilePlan, buf: Buffer, fs: Int32Array, fe: Int32Array, n: number, line: number): void {
    const t = rowTime(p, buf, fs, fe, n);
    if (typeof t === 'string') return this.warnings.add(t, line);
    const ei = p.eventIdx;
    const ev = ei >= 0 ? this.event.dict.add(buf, fs[ei], fe[ei]) : p.eventConst;
    const ui = p.userIdx;
    this.userCodes.push(this.users.add(buf, fs[ui], fe[ui]));
    this.time.push(t);
    this.event.codes.push(ev);
    const targets = p.targets;
    for (let i = 0; i < targets.length; i++) {
      const c = targets[i];
      if (c !== null) c.codes.push(i < n ? c.dict.add(buf, fs[i], fe[i]) : 0);
    }
    for (const k of p.constants) k.col.codes.push(k.code);
    this.rows++;
  }

  /** Sizes the arrays for `rows` more rows at once, so absorbing chunks never copies them. */
  reserve(rows: number): void {
    const n = this.rows + rows;
    this.userCodes.grow(n);
    this.time.grow(n);
    for (const c of [this.event, ...this.cols.values()]) c.codes.grow(n);
  }

  /** Rows every column can take without growing (for writers that fill `.data` directly). */
  capacity(): number {
    let cap = Math.min(this.userCodes.data.length, this.time.data.length);
    for (const c of [this.event, ...this.cols.values()]) cap = Math.min(cap, c.codes.data.length);
    return cap;
  }

  /** After filling `.data` directly: every column's length is the row count. */
  settleLengths(): void {
    this.userCodes.length = this.time.length = this.rows;
    for (const c of [this.event, ...this.cols.values()]) c.codes.length = this.rows;
  }

  /** Back to plain appendable columns, before rows of another file are added. */
  private ungroup(): void {
    const g = this.grouped;
    if (!g) return;
    // stagingDir is only set for a single file, so a written time column is never reordered.
    if (this.early.size) throw new Error('internal: columns were written before another file was added');
    this.grouped = null;
    this.userCodes.grow(g.rows);
    for (let u = 0; u + 1 < g.start.length; u++) this.userCodes.data.fill(u, g.start[u], g.start[u + 1]);
    for (const c of [this.event, ...this.cols.values()]) {
      c.codes.grow(g.rows);
      const codes = g.codes.get(c);
      if (codes) c.codes.data.set(codes);
    }
    this.settleLengths();
  }

  endFile(): void {
    for (const c of this.cols.values()) c.codes.padTo(this.rows);
  }

  /**
   * Sorts by (user, time) and writes the columns into dir. The files are written on libuv's
   * threads while this thread sorts and gathers the next column; all writes have settled when
   * this returns or throws (so a failed import can remove the folder).
   */
  async write(dir: string, signal: AbortSignal): Promise<Written> {
    const pending: Promise<void>[] = [...this.early.values()];
    // At most MAX_OPEN_WRITES files open at once: a wide file's two files per column all at
    // once ran out of file descriptors (EMFILE). The data is in memory either way.
    const waiting: (() => void)[] = [];
    let open = 0;
    const put = (file: string, data: ArrayBufferView | string | Uint8Array[]) => {
      // (Several views: written one after the other, as one file.)
      const bytes = typeof data === 'string' || Array.isArray(data) ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      pending.push(
        new Promise<void>((resolve, reject) => {
          const start = () => {
            open++;
            fs.promises
              .writeFile(path.join(dir, file), bytes)
              .then(resolve, reject)
              .finally(() => {
                open--;
                waiting.shift()?.();
              });
          };
          if (open < MAX_OPEN_WRITES) start();
          else waiting.push(start);
        }),
      );
    };
    let out: Written;
    try {
      out = this.sortAndWrite(put, signal);
    } catch (err) {
      await Promise.allSettled(pending);
      throw err;
    }
    const failed = (await Promise.allSettled(pending)).find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return out;
  }

  private sortAndWrite(put: (file: string, data: ArrayBufferView | string | Uint8Array[]) => void, signal: AbortSignal): Written {
    const n = this.rows;
    // Rows merged from workers arrive grouped by user already (see absorbChunks).
    const grouped = this.grouped;
    const order = grouped ? null : orderByUser(this.userCodes.view(), this.time.view(), this.users.size);
    const start = order?.start ?? grouped!.start;
    const sortedTime = order?.time ?? this.time.view();
    if (signal.aborted) throw new IafaError('cancelled', 'The import was cancelled.');
    // Each user's rows are time-sorted: the extremes are among their first and last rows.
    let tMin = Infinity;
    let tMax = -Infinity;
    for (let u = 0; u + 1 < start.length; u++) {
      if (start[u] === start[u + 1]) continue;
      if (sortedTime[start[u]] < tMin) tMin = sortedTime[start[u]];
      if (sortedTime[start[u + 1] - 1] > tMax) tMax = sortedTime[start[u + 1] - 1];
    }
    // (Already on their way when the merge finished them early: see timeFinal and usersFinal.)
    if (!this.early.has('time.f64')) put('time.f64', sortedTime);
    if (!this.early.has('user_start.u32')) put('user_start.u32', start);
    if (!this.early.has('users.json')) put('users.json', this.users.toJson());

    const columns: StoredColumn[] = [];
    const loaded: InMemoryColumns = { time: sortedTime, userStart: start, columns: [] };
    const all = [this.event, ...this.cols.values()];
    let events: { name: string; count: number }[] = [];
    all.forEach((c, i) => {
      const distinct = c.dict.size;
      let sorted: Codes;
      if (order) {
        // Narrow the codes first (a sequential copy), so the random reads of the gather below
        // hit an array a quarter the size, which mostly stays in cache.
        const narrow = allocCodes(n, distinct);
        narrow.set(c.codes.view());
        gather((sorted = allocCodes(n, distinct)), narrow, order.perm);
      } else {
        sorted = grouped!.codes.get(c) ?? allocCodes(n, distinct);
      }
      const name = c === this.event ? this.eventName : c.name;
      const file = `c${i}.codes`;
      const dictFile = `c${i}.json`;
      put(file, sorted);
      const stored: StoredColumn = {
        name,
        role: c.role,
        width: sorted.BYTES_PER_ELEMENT as 1 | 2 | 4,
        file,
        dictFile,
        distinct,
        ...(c.repeats ? { repeats: true } : {}),
      };
      columns.push(stored);
      if (c !== this.event && distinct > ID_LIKE_DISTINCT) {
        // An id-like column (an insert id, a uuid per event): its values are written straight
        // from the dictionary's bytes, without a string per value, and read back only if a
        // question names it (a million strings made here cost more time and memory than the
        // column). As bytes and lengths when the pool holds them in order: a Mixpanel export's
        // 10M $insert_id values took 0.5 s to write out as JSON, on this thread.
        let lensWidth = this.packedEarly.get(c);
        if (!lensWidth) {
          const packed = c.dict.packed();
          if (!packed) {
            put(dictFile, c.dict.toJson());
            return;
          }
          lensWidth = packed.lens.BYTES_PER_ELEMENT as 1 | 2 | 4;
          put(`c${i}.ids`, packed.bytes);
          put(`c${i}.lens`, packed.lens);
        }
        Object.assign(stored, { dictFile: `c${i}.ids`, lensFile: `c${i}.lens`, lensWidth });
        return;
      }
      const dict = c.dict.values();
      put(dictFile, JSON.stringify(dict));
      loaded.columns.push({ name, codes: sorted, dict });
      if (c === this.event) {
        const counts = grouped?.eventCounts ?? countCodes(sorted, distinct);
        events = dict
          .map((name, code) => ({ name, count: counts[code] }))
          .filter((e) => e.count > 0)
          .sort((a, b) => b.count - a.count);
      }
    });
    const manifest: StoreManifest = {
      version: 1,
      kind: 'event_log',
      rows: n,
      users: this.users.size,
      timeMin: n ? tMin : null,
      timeMax: n ? tMax : null,
      eventColumn: this.eventName,
      columns,
    };
    return { manifest, events, loaded };
  }

  distinctUsers(): number {
    // Code 0 is the empty id, which never gets a row.
    return this.users.size - 1;
  }
}

/** Past this many distinct values a property column is not kept in memory after the import. */
const ID_LIKE_DISTINCT = 1 << 16;

function countCodes(codes: Codes, distinct: number): Float64Array {
  const counts = new Float64Array(distinct);
  for (let r = 0; r < codes.length; r++) counts[codes[r]]++;
  return counts;
}
