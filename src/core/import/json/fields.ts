import { ByteDict } from '../bytes-dict';

/**
 * Dotted property paths ("properties.plan", "event_params.page_location"), interned as small
 * ints: a key is looked up by its bytes under its parent's id, so the hot loop never builds a
 * string per key. Path 0 is the record itself.
 */
export class PathTable {
  names: string[] = [''];
  private children: (ByteDict | undefined)[] = [];
  private ids: Int32Array[] = [];

  child(parent: number, buf: Uint8Array, s: number, e: number): number {
    let d = this.children[parent];
    if (!d) {
      d = this.children[parent] = new ByteDict(16);
      this.ids[parent] = new Int32Array(16).fill(-1);
    }
    const local = d.add(buf, s, e);
    let ids = this.ids[parent];
    if (local >= ids.length) {
      const next = new Int32Array(ids.length * 2).fill(-1);
      next.set(ids);
      this.ids[parent] = ids = next;
    }
    let id = ids[local];
    if (id < 0) {
      const key = Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('utf8');
      id = ids[local] = this.names.length;
      this.names.push(parent === 0 ? key : `${this.names[parent]}.${key}`);
    }
    return id;
  }

  private byString: (Map<string, number> | undefined)[] = [];

  /** child() for a key that is already a string (Parquet rows, parsed lists): a map lookup, no bytes. */
  childString(parent: number, key: string): number {
    let m = this.byString[parent];
    if (!m) m = this.byString[parent] = new Map();
    let id = m.get(key);
    if (id === undefined) {
      const b = Buffer.from(key, 'utf8');
      id = this.child(parent, b, 0, b.length);
      m.set(key, id);
    }
    return id;
  }

  get size(): number {
    return this.names.length;
  }
}

/** One record's scalar values, each a byte range of some buffer, by path id. */
export class Fields {
  n = 0;
  path = new Int32Array(64);
  start = new Int32Array(64);
  end = new Int32Array(64);
  bufs: Uint8Array[] = [];

  push(path: number, buf: Uint8Array, s: number, e: number): void {
    const i = this.n;
    if (i === this.path.length) this.grow();
    this.path[i] = path;
    this.start[i] = s;
    this.end[i] = e;
    this.bufs[i] = buf;
    this.n = i + 1;
  }

  text(i: number): string {
    const b = this.bufs[i];
    return Buffer.from(b.buffer, b.byteOffset + this.start[i], this.end[i] - this.start[i]).toString('utf8');
  }

  private grow(): void {
    const g = (a: Int32Array) => {
      const n = new Int32Array(a.length * 2);
      n.set(a);
      return n;
    };
    this.path = g(this.path);
    this.start = g(this.start);
    this.end = g(this.end);
  }
}

/**
 * Bytes made while reading a record (unescaped strings, values of parsed sub-objects). A full
 * scratch is replaced, not grown in place, so ranges already handed out stay valid.
 */
export class Scratch {
  buf = Buffer.allocUnsafe(1 << 16);
  pos = 0;

  reset(): void {
    this.pos = 0;
  }

  reserve(n: number): void {
    if (this.pos + n > this.buf.length) {
      this.buf = Buffer.allocUnsafe(Math.max(1 << 16, n * 2));
      this.pos = 0;
    }
  }

  /** Writes a JS string; returns [buffer, start, end]. */
  write(s: string): [Buffer, number, number] {
    this.reserve(s.length * 3);
    const start = this.pos;
    this.pos += this.buf.write(s, start, 'utf8');
    return [this.buf, start, this.pos];
  }
}

/** GA4's value wrapper: the first of its typed slots that holds something. */
export function kvValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const o = v as Record<string, unknown>;
  for (const k of ['string_value', 'int_value', 'float_value', 'double_value']) if (o[k] !== null && o[k] !== undefined) return o[k];
  return Object.keys(o).length ? null : v;
}

/** A key/value list ([{key, value}, ...], as GA4 writes event_params): one property per key. */
export function isKeyValueList(a: unknown[]): boolean {
  return (
    a.length > 0 &&
    a.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x) && typeof (x as { key?: unknown }).key === 'string' && 'value' in (x as object))
  );
}

/** Flattens a JS value (a Parquet row, a parsed key/value list) into fields, as the byte scanner does. */
export function emitValue(paths: PathTable, fields: Fields, scratch: Scratch, path: number, v: unknown): void {
  if (v === null || v === undefined) return;
  switch (typeof v) {
    case 'string': {
      if (v === '') return;
      const [b, s, e] = scratch.write(v);
      fields.push(path, b, s, e);
      return;
    }
    case 'number':
    case 'bigint':
    case 'boolean': {
      const [b, s, e] = scratch.write(String(v));
      fields.push(path, b, s, e);
      return;
    }
    case 'object': {
      if (v instanceof Date) {
        const [b, s, e] = scratch.write(v.toISOString());
        fields.push(path, b, s, e);
        return;
      }
      if (Array.isArray(v)) {
        if (!v.length) return;
        if (isKeyValueList(v)) {
          for (const kv of v as { key: string; value: unknown }[]) emitValue(paths, fields, scratch, paths.childString(path, kv.key), kvValue(kv.value));
          return;
        }
        const [b, s, e] = scratch.write(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x)));
        fields.push(path, b, s, e);
        return;
      }
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) emitValue(paths, fields, scratch, paths.childString(path, k), x);
      return;
    }
    default:
  }
}
