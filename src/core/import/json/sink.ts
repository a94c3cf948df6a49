import type { ImportMapping } from '../../../shared/contract';
import type { ColBuilder, EventLogBuilder } from '../event-builder';
import { parseIsoBytes, parseNumberBytes, parseTimeString, type TimeFormat } from '../timestamps';
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
 * Open-addressing set of 64-bit hashes (two u32 halves, 0/0 meaning empty): Mixpanel's exact
 * duplicates are found by (insert id, user, event, time) without a string per event.
 */
class HashSet64 {
  private t = new Uint32Array(1 << 17);
  private n = 0;
  has(h1: number, h2: number): boolean {
    if ((h1 | h2) === 0) h2 = 1;
    if (this.n * 2 >= this.t.length / 2) this.rehash();
    const mask = this.t.length / 2 - 1;
    for (let i = (h1 ^ Math.imul(h2, 0x9e3779b1)) & mask; ; i = (i + 1) & mask) {
      const a = this.t[2 * i];
      const b = this.t[2 * i + 1];
      if (a === 0 && b === 0) {
        this.t[2 * i] = h1;
        this.t[2 * i + 1] = h2;
        this.n++;
        return false;
      }
      if (a === h1 >>> 0 && b === h2 >>> 0) return true;
    }
  }
  private rehash(): void {
    const old = this.t;
    this.t = new Uint32Array(old.length * 2);
    this.n = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] || old[i + 1]) this.has(old[i], old[i + 1]);
  }
}

function hashBytes(b: Uint8Array, s: number, e: number, h: number): number {
  for (let i = s; i < e; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h;
}

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
  private dedupe: HashSet64 | null;
  private dedupePath: string | undefined;
  private dupIdx = -1;
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
    this.dedupe = m.dedupe ? new HashSet64() : null;
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
    const dpath = this.dedupePath;
    for (let i = 0; i < n; i++) {
      const role = this.roleOf(f.path[i]);
      if (role === PROP) {
        if (dpath !== undefined && this.dupIdx < 0 && this.paths.names[f.path[i]] === dpath) this.dupIdx = f.path[i];
        continue;
      }
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
    if (time !== time) return b.warnings.add('bad_timestamp', line);
    if (u < 0) u = uf;
    if (u < 0) return b.warnings.add('missing_user', line);
    if (evBuf === null || evS === evE) return b.warnings.add('missing_event', line);
    if (this.dedupe && this.isDuplicate(f, u, evBuf, evS, evE, time)) {
      this.duplicates++;
      b.warnings.note('duplicate_event', line);
      return;
    }
    const row = b.rows;
    b.userCodes.push(b.users.add(f.bufs[u], f.start[u], f.end[u]));
    b.time.push(time);
    b.event.codes.push(b.event.dict.add(evBuf, evS, evE));
    const roles = this.roles;
    for (let i = 0; i < n; i++) {
      const p = f.path[i];
      if (roles[p] !== PROP) continue;
      // Created on a first value in a kept event (an identify call's traits make no column).
      const c = this.cols[p] ?? (this.cols[p] = b.colFor(this.paths.names[p]));
      const codes = c.codes;
      // A key repeated within one event: the first value stands.
      if (codes.length > row) continue;
      if (codes.length < row) codes.padTo(row);
      codes.push(c.dict.add(f.bufs[i], f.start[i], f.end[i]));
    }
    b.rows = row + 1;
  }

  private isDuplicate(f: Fields, u: number, evBuf: Uint8Array, evS: number, evE: number, time: number): boolean {
    let k = -1;
    for (let i = 0; i < f.n; i++) if (f.path[i] === this.dupIdx) k = i;
    if (k < 0) return false;
    let h1 = hashBytes(f.bufs[k], f.start[k], f.end[k], 0x811c9dc5);
    h1 = hashBytes(f.bufs[u], f.start[u], f.end[u], h1 ^ 0x1f);
    h1 = hashBytes(evBuf, evS, evE, h1 ^ 0x2f);
    let h2 = hashBytes(f.bufs[k], f.start[k], f.end[k], 0x01000193 ^ 0x5bd1e995);
    h2 = hashBytes(f.bufs[u], f.start[u], f.end[u], Math.imul(h2, 31) ^ 0x3f);
    h2 = Math.imul(h2 ^ (time | 0), 0x9e3779b1) ^ Math.floor(time / 4294967296);
    return this.dedupe!.has(h1, h2);
  }

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
