import type { ImportMapping } from '../../../shared/contract';
import type { ColBuilder, EventLogBuilder } from '../event-builder';
import { MAX_DATE_MS, parseIsoBytes, parseNumberBytes, parseTimeString, type TimeFormat } from '../timestamps';
import type { Fields, PathTable, Scratch } from './fields';

const PROP = 0;
const USER = 1;
const FALLBACK = 2;
const TIME = 3;
const EVENT = 4;
const TYPE = 5;
const NAME = 6;

const SKIPPED_CALLS = new Set(['identify', 'group', 'alias']);

/**
 * Turns flattened records into the event log builder's columns: the mapping's user, time and
 * event fields, and one dictionary-coded column per other path (created when first seen, padded
 * with the empty code for events that lack it). The same builder as the CSV readers, so the
 * store, its sort and its funnels are the same.
 */
export class RecordSink {
  private roles = new Int8Array(0);
  private cols: (ColBuilder | null)[] = [];
  private unit: TimeFormat;
  private segment: boolean;
  private dedupePath: string | undefined;
  private dupIdx = -1;
  /** First row of each insert-id code (dedupe): a later row with that code is checked against it. */
  private firstRow = new Int32Array(0);
  duplicates = 0;
  skippedCalls = 0;

  constructor(
    private b: EventLogBuilder,
    private paths: PathTable,
    private m: ImportMapping,
    private scratch: Scratch,
  ) {
    this.unit = (m.timeFormat && m.timeFormat !== 'auto' ? m.timeFormat : 'iso') as TimeFormat;
    this.segment = m.tool === 'segment';
    this.dedupePath = m.dedupe;
  }

  private roleOf(path: number): number {
    if (path >= this.roles.length) {
      const r = new Int8Array(Math.max(64, this.paths.size * 2)).fill(-1);
      r.set(this.roles);
      this.roles = r;
    }
    let role = this.roles[path];
    if (role >= 0) return role;
    const name = this.paths.names[path];
    const m = this.m;
    role = name === m.user ? USER : name === m.userFallback ? FALLBACK : name === m.time ? TIME : name === m.event ? EVENT : PROP;
    if (this.segment && role === PROP && (name === 'type' || name === 'name')) role = name === 'type' ? TYPE : NAME;
    this.roles[path] = role;
    if (role === PROP && name === this.dedupePath) this.dupIdx = path;
    return role;
  }

  add(f: Fields, line: number): void {
    let u = -1;
    let uf = -1;
    let t = -1;
    let ev = -1;
    let ty = -1;
    let nm = -1;
    const n = f.n;
    for (let i = 0; i < n; i++) {
      const role = this.roleOf(f.path[i]);
      if (role === PROP) continue;
      if (role === USER) u = i;
      else if (role === FALLBACK) uf = i;
      else if (role === TIME) t = i;
      else if (role === EVENT) ev = i;
      else if (role === TYPE) ty = i;
      else if (role === NAME) nm = i;
    }
    const b = this.b;
    let evBuf: Uint8Array | null = ev >= 0 ? f.bufs[ev] : null;
    let evS = ev >= 0 ? f.start[ev] : 0;
    let evE = ev >= 0 ? f.end[ev] : 0;
    if (ty >= 0) {
      const type = f.text(ty);
      if (SKIPPED_CALLS.has(type)) {
        this.skippedCalls++;
        b.warnings.note('not_an_event', line);
        return;
      }
      if (type === 'page' || type === 'screen') {
        const what = type === 'page' ? 'Page' : 'Screen';
        const [sb, ss, se] = this.scratch.write(nm >= 0 ? `Viewed ${f.text(nm)} ${what}` : `Loaded a ${what}`);
        evBuf = sb;
        evS = ss;
        evE = se;
      }
    }
    const time = t >= 0 ? this.time(f.bufs[t], f.start[t], f.end[t]) : NaN;
    if (!(time >= -MAX_DATE_MS && time <= MAX_DATE_MS)) return b.warnings.add('bad_timestamp', line);
    if (u < 0) u = uf;
    if (u < 0) return b.warnings.add('missing_user', line);
    if (evBuf === null || evS === evE) return b.warnings.add('missing_event', line);
    const row = b.rows;
    const user = b.users.add(f.bufs[u], f.start[u], f.end[u]);
    const event = b.event.dict.add(evBuf, evS, evE);
    let dupCode = -1;
    const roles = this.roles;
    if (this.dupIdx >= 0) {
      for (let i = 0; i < n; i++) if (f.path[i] === this.dupIdx) dupCode = this.colOf(this.dupIdx).dict.add(f.bufs[i], f.start[i], f.end[i]);
      if (dupCode >= 0 && this.isDuplicate(dupCode, user, event, time, row)) {
        this.duplicates++;
        b.warnings.note('duplicate_event', line);
        return;
      }
    }
    b.userCodes.push(user);
    b.time.push(time);
    b.event.codes.push(event);
    for (let i = 0; i < n; i++) {
      const p = f.path[i];
      if (roles[p] !== PROP) continue;
      const c = this.colOf(p);
      const codes = c.codes;
      // A key repeated within one event: the first value stands.
      if (codes.length > row) continue;
      if (codes.length < row) codes.padTo(row);
      codes.push(p === this.dupIdx ? dupCode : c.dict.add(f.bufs[i], f.start[i], f.end[i]));
    }
    b.rows = row + 1;
  }

  /** Created on a first value in a kept event (an identify call's traits make no column). */
  private colOf(p: number): ColBuilder {
    return this.cols[p] ?? (this.cols[p] = this.b.colFor(this.paths.names[p]));
  }

  /**
   * Mixpanel's rule: the same insert id, user, event and time. A new insert id (the usual case)
   * costs nothing more than its dictionary lookup; a repeated one is compared with the first
   * row that had it.
   */
  private isDuplicate(code: number, user: number, event: number, time: number, row: number): boolean {
    let first = this.firstRow;
    if (code >= first.length) {
      const next = new Int32Array(Math.max(1024, code * 2)).fill(-1);
      next.set(first);
      this.firstRow = first = next;
    }
    const r = first[code];
    if (r < 0) {
      first[code] = row;
      return false;
    }
    const b = this.b;
    const same = (q: number) => b.userCodes.data[q] === user && b.event.codes.data[q] === event && b.time.data[q] === time;
    if (same(r)) return true;
    // An insert id another event already had (not a duplicate of it): kept, and remembered, so
    // an exact duplicate of this event is still found.
    const others = this.laterRows.get(code);
    if (others?.some(same)) return true;
    if (others) others.push(row);
    else this.laterRows.set(code, [row]);
    return false;
  }

  /** Rows after the first with the same insert id (rare: an id reused by another event). */
  private laterRows = new Map<number, number[]>();

  private time(buf: Uint8Array, s: number, e: number): number {
    let v: number;
    switch (this.unit) {
      case 'unix_s':
        v = parseNumberBytes(buf, s, e) * 1000;
        break;
      case 'unix_ms':
        v = parseNumberBytes(buf, s, e);
        break;
      case 'unix_us':
        v = parseNumberBytes(buf, s, e) / 1000;
        break;
      default:
        v = parseIsoBytes(buf, s, e);
        if (v !== v) v = parseTimeString(Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('utf8'), this.unit, 1970);
        return v;
    }
    if (v !== v) {
      // 1.7e9 and the like: rare enough for Number().
      const x = Number(Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('latin1'));
      v = x * (this.unit === 'unix_s' ? 1000 : this.unit === 'unix_us' ? 0.001 : 1);
    }
    return v;
  }
}
