import fs from 'node:fs';
import path from 'node:path';
import { IafaError, type ImportMapping } from '../../shared/contract';
import { ByteDict, GrowF64, GrowU32, type RawDict } from './bytes-dict';
import { allocCodes, type Codes, type StoredColumn, type StoreManifest } from './store';
import { parseTimeBytes, type TimeFormat } from './timestamps';
import type { ChunkResult } from './parse-chunk';
import { WarningLog } from './warnings';

class ColBuilder {
  dict = new ByteDict(256);
  codes = new GrowU32();
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

  colFor(name: string): ColBuilder {
    let c = this.cols.get(name);
    if (!c) {
      this.cols.set(name, (c = new ColBuilder(name, 'segment')));
      c.codes.padTo(this.rows);
    }
    return c;
  }

  plan(header: string[], m: ImportMapping): FilePlan {
    const need = (role: string, name: string | undefined): number => {
      const i = name === undefined ? -1 : header.indexOf(name);
      if (i < 0) {
        const what = name ? `column "${name}"` : `a ${role} column`;
        throw new IafaError('validation', `Missing required ${role} column: ${what} is not in the file (columns: ${header.join(', ')}).`, { reason: 'missing_column', role, column: name ?? null });
      }
      return i;
    };
    const userIdx = need('user', m.user);
    const timeIdx = need('time', m.time);
    const eventIdx = m.eventName !== undefined && !m.event ? -1 : need('event', m.event);
    if (this.rows === 0 && this.cols.size === 0 && eventIdx >= 0) this.eventName = header[eventIdx];
    const eventConst = m.eventName !== undefined ? this.event.dict.addString(m.eventName) : 0;
    if (!m.timeFormat || m.timeFormat === 'auto') throw new IafaError('validation', `Cannot tell the time format of column "${header[timeIdx]}"; set mapping.timeFormat.`, { reason: 'bad_time_format', column: header[timeIdx] });
    if (m.timeFormat === 'weekday_month_day' && !m.year) throw new IafaError('validation', `Dates in "${header[timeIdx]}" have no year; set mapping.year.`, { reason: 'missing_year' });
    const colFor = (name: string) => this.colFor(name);
    const targets = header.map((h, i) => (i === userIdx || i === timeIdx || i === eventIdx ? null : colFor(h)));
    const constants = Object.entries(m.constants ?? {}).map(([k, v]) => {
      const col = colFor(k);
      return { col, code: col.dict.addString(v) };
    });
    return { userIdx, timeIdx, eventIdx, eventConst, timeFormat: m.timeFormat, year: m.year ?? 1970, targets, constants };
  }

  addRow(p: FilePlan, buf: Buffer, fs: Int32Array, fe: Int32Array, n: number, line: number): void {
    const ti = p.timeIdx;
    const t = ti < n ? parseTimeBytes(buf, fs[ti], fe[ti], p.timeFormat, p.year) : NaN;
    if (t !== t) return this.warnings.add('bad_timestamp', line);
    const ui = p.userIdx;
    if (ui >= n || fs[ui] === fe[ui]) return this.warnings.add('missing_user', line);
    let ev = p.eventConst;
    const ei = p.eventIdx;
    if (ei >= 0) {
      if (ei >= n || fs[ei] === fe[ei]) return this.warnings.add('missing_event', line);
      ev = this.event.dict.add(buf, fs[ei], fe[ei]);
    }
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

  /** Appends a worker's chunk (its own dictionaries) by remapping its codes to ours. */
  absorb(r: ChunkResult, lineOffset: number): void {
    const base = this.rows;
    const n = r.rows;
    const remapInto = (dict: ByteDict, values: RawDict, codes: Uint32Array, into: GrowU32) => {
      const { pool, offs, lens } = values;
      const map = new Uint32Array(offs.length);
      let identity = true;
      for (let i = 0; i < offs.length; i++) {
        // From the worker's bytes: making a string per value cost more than the remap itself.
        map[i] = dict.add(pool, offs[i], offs[i] + lens[i]);
        if (map[i] !== i) identity = false;
      }
      into.padTo(base);
      into.grow(base + n);
      const out = into.data;
      // The first chunk (and any chunk that met the values in the same order) keeps its codes.
      if (identity) out.set(codes.subarray(0, n), base);
      else for (let i = 0; i < n; i++) out[base + i] = map[codes[i]];
      into.length = base + n;
    };
    remapInto(this.users, r.users, r.userCodes, this.userCodes);
    this.time.append(r.time);
    for (const c of r.columns) {
      const target = c.name === '\u0000event' ? this.event : this.colFor(c.name);
      remapInto(target.dict, c.dict, c.codes, target.codes);
    }
    this.rows += n;
    this.warnings.merge(r.warnings, lineOffset);
  }

  endFile(): void {
    for (const c of this.cols.values()) c.codes.padTo(this.rows);
  }

  /**
   * Sorts by (user, time) and writes the columns into dir. The files are written on libuv's
   * threads while this thread sorts and gathers the next column; all writes have settled when
   * this returns or throws (so a failed import can remove the folder).
   */
  async write(dir: string, signal: AbortSignal): Promise<{ manifest: StoreManifest; events: { name: string; count: number }[] }> {
    const pending: Promise<void>[] = [];
    const put = (file: string, data: ArrayBufferView | string) => {
      pending.push(fs.promises.writeFile(path.join(dir, file), typeof data === 'string' ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
    };
    let out: { manifest: StoreManifest; events: { name: string; count: number }[] };
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

  private sortAndWrite(put: (file: string, data: ArrayBufferView | string) => void, signal: AbortSignal): { manifest: StoreManifest; events: { name: string; count: number }[] } {
    const n = this.rows;
    const nUsers = this.users.size;
    const uc = this.userCodes.view();
    const time = this.time.view();
    // Counting sort by user code (stable, linear), then each user's rows by time.
    const start = new Uint32Array(nUsers + 1);
    for (let i = 0; i < n; i++) start[uc[i] + 1]++;
    for (let u = 0; u < nUsers; u++) start[u + 1] += start[u];
    const pos = start.slice(0, nUsers);
    const perm = new Uint32Array(n);
    for (let i = 0; i < n; i++) perm[pos[uc[i]]++] = i;
    // Gather times into user order first, then sort each user's (time, row) pairs where they
    // lie: the per-user sorts then touch contiguous memory instead of time[perm[i]] at random.
    const sortedTime = new Float64Array(n);
    for (let i = 0; i < n; i++) sortedTime[i] = time[perm[i]];
    const scratch = { t: new Float64Array(1024), p: new Uint32Array(1024) };
    for (let u = 0; u < nUsers; u++) sortPairs(sortedTime, perm, start[u], start[u + 1], scratch);
    if (signal.aborted) throw new IafaError('cancelled', 'The import was cancelled.');
    let tMin = Infinity;
    let tMax = -Infinity;
    for (let i = 0; i < n; i++) {
      const t = sortedTime[i];
      if (t < tMin) tMin = t;
      if (t > tMax) tMax = t;
    }
    put('time.f64', sortedTime);
    put('user_start.u32', start);
    put('users.json', JSON.stringify(this.users.values()));

    const columns: StoredColumn[] = [];
    const all = [this.event, ...this.cols.values()];
    let events: { name: string; count: number }[] = [];
    all.forEach((c, i) => {
      const codes = c.codes.view();
      const distinct = c.dict.size;
      // Narrow the codes first (a sequential copy), so the random reads of the gather below hit
      // an array a quarter the size, which mostly stays in cache.
      const narrow = allocCodes(n, distinct);
      narrow.set(codes);
      const sorted = allocCodes(n, distinct);
      gather(sorted, narrow, perm);
      const name = c === this.event ? this.eventName : c.name;
      const file = `c${i}.codes`;
      const dictFile = `c${i}.json`;
      put(file, sorted);
      const dict = c.dict.values();
      put(dictFile, JSON.stringify(dict));
      columns.push({ name, role: c.role, width: sorted.BYTES_PER_ELEMENT as 1 | 2 | 4, file, dictFile, distinct });
      if (c === this.event) {
        const counts = new Float64Array(distinct);
        for (let r = 0; r < n; r++) counts[codes[r]]++;
        events = dict.map((name, code) => ({ name, count: counts[code] })).filter((e) => e.count > 0).sort((a, b) => b.count - a.count);
      }
    });
    const manifest: StoreManifest = {
      version: 1,
      kind: 'event_log',
      rows: n,
      users: nUsers,
      timeMin: n ? tMin : null,
      timeMax: n ? tMax : null,
      eventColumn: this.eventName,
      columns,
    };
    return { manifest, events };
  }

  distinctUsers(): number {
    // Code 0 is the empty id, which never gets a row.
    return this.users.size - 1;
  }
}

function gather(dst: Codes, src: Codes, perm: Uint32Array): void {
  for (let r = 0; r < perm.length; r++) dst[r] = src[perm[r]];
}

/**
 * Sorts t[a, b) ascending, stably (file order breaks ties), moving p along with it. Insertion
 * sort on runs of 32, then bottom-up merges through scratch arrays: typed arrays only, no
 * comparator callbacks (most users have a few dozen events).
 */
function sortPairs(t: Float64Array, p: Uint32Array, a: number, b: number, scratch: { t: Float64Array; p: Uint32Array }): void {
  let sorted = true;
  for (let i = a + 1; i < b; i++) {
    if (t[i] < t[i - 1]) {
      sorted = false;
      break;
    }
  }
  if (sorted) return;
  const RUN = 32;
  for (let r = a; r < b; r += RUN) insertionPairs(t, p, r, Math.min(b, r + RUN));
  const len = b - a;
  if (len <= RUN) return;
  if (scratch.t.length < len) {
    scratch.t = new Float64Array(Math.max(len, scratch.t.length * 2));
    scratch.p = new Uint32Array(scratch.t.length);
  }
  let st = t;
  let sp = p;
  let so = a;
  let dt = scratch.t;
  let dp = scratch.p;
  let dO = 0;
  for (let width = RUN; width < len; width *= 2) {
    for (let lo = 0; lo < len; lo += 2 * width) {
      const mid = Math.min(lo + width, len);
      const hi = Math.min(lo + 2 * width, len);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        // Take the right run only when strictly smaller: that keeps the sort stable.
        if (st[so + j] < st[so + i]) {
          dt[dO + k] = st[so + j];
          dp[dO + k++] = sp[so + j++];
        } else {
          dt[dO + k] = st[so + i];
          dp[dO + k++] = sp[so + i++];
        }
      }
      for (; i < mid; i++, k++) {
        dt[dO + k] = st[so + i];
        dp[dO + k] = sp[so + i];
      }
      for (; j < hi; j++, k++) {
        dt[dO + k] = st[so + j];
        dp[dO + k] = sp[so + j];
      }
    }
    [st, dt] = [dt, st];
    [sp, dp] = [dp, sp];
    [so, dO] = [dO, so];
  }
  if (st !== t) {
    t.set(st.subarray(so, so + len), a);
    p.set(sp.subarray(so, so + len), a);
  }
}

function insertionPairs(t: Float64Array, p: Uint32Array, a: number, b: number): void {
  for (let i = a + 1; i < b; i++) {
    const v = p[i];
    const x = t[i];
    let j = i - 1;
    while (j >= a && t[j] > x) {
      t[j + 1] = t[j];
      p[j + 1] = p[j];
      j--;
    }
    t[j + 1] = x;
    p[j + 1] = v;
  }
}
