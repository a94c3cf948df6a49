import fs from 'node:fs';
import path from 'node:path';
import { IafaError } from '../../shared/contract/iafa-error';
import { splitLimits } from '../helper-thread';
import { resolveColumnName } from './column-names';
import type { AggregatedData, Codes, ColumnSource, LoadedColumn, StoreManifest, StoredColumn } from '../store-types';

// The types are shared with the funnel engine through a neutral module (store-types.ts has the on-disk layout).
export type { AggregatedData, Codes, LoadedColumn, StoreManifest, StoredColumn };

/** Codes for n rows in the narrowest width for `distinct` values (in shared memory if asked: see helper-thread.ts). */
export function allocCodes(n: number, distinct: number, shared = false): Codes {
  const width = distinct <= 256 ? 1 : distinct <= 65536 ? 2 : 4;
  const buf = shared ? new SharedArrayBuffer(n * width) : new ArrayBuffer(n * width);
  return width === 1 ? new Uint8Array(buf) : width === 2 ? new Uint16Array(buf) : new Uint32Array(buf);
}

export function writeTyped(file: string, arr: ArrayBufferView): void {
  fs.writeFileSync(file, new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
}

/** A whole file in a SharedArrayBuffer (the helper thread then reads it where it is). */
function readShared(file: string): Uint8Array {
  const fd = fs.openSync(file, 'r');
  try {
    const out = new Uint8Array(new SharedArrayBuffer(fs.fstatSync(fd).size));
    for (let at = 0; at < out.length;) {
      const n = fs.readSync(fd, out, at, out.length - at, at);
      if (n === 0) throw new Error(`${file} ended early`);
      at += n;
    }
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

function readBytes(file: string, align: number, shared = false): Uint8Array {
  if (shared) return readShared(file);
  const b = fs.readFileSync(file);
  // Typed array views need an aligned offset; small reads may come from Node's shared pool.
  if (b.byteOffset % align === 0) return b;
  const copy = Buffer.alloc(b.length);
  b.copy(copy);
  return copy;
}

export function readF64(file: string, shared = false): Float64Array {
  const b = readBytes(file, 8, shared);
  return new Float64Array(b.buffer, b.byteOffset, b.length / 8);
}
export function readU32(file: string, shared = false): Uint32Array {
  const b = readBytes(file, 4, shared);
  return new Uint32Array(b.buffer, b.byteOffset, b.length / 4);
}
export function readCodes(file: string, width: 1 | 2 | 4, shared = false): Codes {
  const b = readBytes(file, width, shared);
  if (width === 1) return new Uint8Array(b.buffer, b.byteOffset, b.length);
  if (width === 2) return new Uint16Array(b.buffer, b.byteOffset, b.length / 2);
  return new Uint32Array(b.buffer, b.byteOffset, b.length / 4);
}

/** An id-like column's values stored as bytes back to back (c<i>.ids) and their lengths (c<i>.lens). */
function readIdValues(bytesFile: string, lensFile: string, width: 1 | 2 | 4): string[] {
  const bytes = fs.readFileSync(bytesFile);
  const lens = readCodes(lensFile, width);
  const out = new Array<string>(lens.length);
  let at = 0;
  for (let c = 0; c < lens.length; c++) {
    out[c] = bytes.toString('utf8', at, at + lens[c]);
    at += lens[c];
  }
  if (at !== bytes.length) throw new IafaError('internal', `The stored values of this dataset are damaged (${bytesFile}); re-import the file.`);
  return out;
}

export interface InMemoryColumns {
  time: Float64Array;
  userStart: Uint32Array;
  columns: { name: string; codes: Codes; dict: string[] }[];
}

/** An opened dataset: the manifest plus columns loaded on first use. */
export class ColumnStore implements ColumnSource {
  private cols = new Map<string, LoadedColumn>();
  private _time: Float64Array | null = null;
  private _userStart: Uint32Array | null = null;
  /**
   * Whether columns are read into shared memory: for a dataset large enough that its funnels
   * split their pass with the helper thread (as on a fresh import's columns). Reading into a
   * SharedArrayBuffer costs the same as into a Buffer.
   */
  private readonly shared: boolean;
  constructor(
    readonly dir: string,
    readonly manifest: StoreManifest,
  ) {
    this.shared = manifest.kind === 'event_log' && manifest.rows >= splitLimits.minRows;
  }

  /** A store whose columns are already in memory (just imported): nothing is read back. */
  static fromMemory(dir: string, manifest: StoreManifest, mem: InMemoryColumns): ColumnStore {
    const store = new ColumnStore(dir, manifest);
    store._time = mem.time;
    store._userStart = mem.userStart;
    for (const c of mem.columns) {
      let idx: Map<string, number> | null = null;
      store.cols.set(c.name, { codes: c.codes, dict: c.dict, index: () => (idx ??= new Map(c.dict.map((v, i) => [v, i]))) });
    }
    return store;
  }

  static open(dir: string): ColumnStore {
    let manifest: StoreManifest;
    try {
      manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as StoreManifest;
    } catch {
      throw new IafaError('internal', `The stored columns of this dataset are missing or damaged (${dir}); re-import the file.`);
    }
    return new ColumnStore(dir, manifest);
  }

  get time(): Float64Array {
    return (this._time ??= readF64(path.join(this.dir, 'time.f64'), this.shared));
  }
  get userStart(): Uint32Array {
    return (this._userStart ??= readU32(path.join(this.dir, 'user_start.u32'), this.shared));
  }

  has(name: string): boolean {
    name = this.resolve(name);
    return this.manifest.columns.some((c) => c.name === name);
  }

  /** A column's stored name from its name or its unique last path segment (see column-names.ts). */
  resolve(name: string): string {
    return resolveColumnName(
      this.manifest.columns.map((c) => c.name),
      name,
    );
  }

  column(name: string): LoadedColumn {
    name = this.resolve(name);
    const hit = this.cols.get(name);
    if (hit) return hit;
    const meta = this.manifest.columns.find((c) => c.name === name);
    if (!meta) {
      const names = this.manifest.columns.map((c) => c.name).join(', ');
      throw new IafaError('validation', `Unknown column "${name}". Columns: ${names}.`, { reason: 'unknown_column', column: name });
    }
    let codes = readCodes(path.join(this.dir, meta.file), meta.width, this.shared);
    let dict = meta.lensFile
      ? readIdValues(path.join(this.dir, meta.dictFile), path.join(this.dir, meta.lensFile), meta.lensWidth ?? 4)
      : (JSON.parse(fs.readFileSync(path.join(this.dir, meta.dictFile), 'utf8')) as string[]);
    if (meta.repeats) ({ codes, dict } = foldRepeats(codes, dict, this.shared));
    let idx: Map<string, number> | null = null;
    const col: LoadedColumn = { codes, dict, index: () => (idx ??= new Map(dict.map((v, i) => [v, i]))) };
    this.cols.set(name, col);
    return col;
  }

  /** Approximate resident bytes, for the cache budget. */
  bytes(): number {
    let n = (this._time?.byteLength ?? 0) + (this._userStart?.byteLength ?? 0);
    for (const c of this.cols.values()) n += c.codes.byteLength + c.dict.length * 32;
    return n;
  }
}

/** Keeps recently used datasets open so re-filtering does not touch the disk. */
export class StoreCache {
  private map = new Map<string, ColumnStore>();
  constructor(private readonly maxEntries = 4) {}
  get(id: string, dir: string): ColumnStore {
    const hit = this.map.get(id);
    if (hit) {
      this.map.delete(id);
      this.map.set(id, hit);
      return hit;
    }
    const store = ColumnStore.open(dir);
    this.map.set(id, store);
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as string);
    return store;
  }
  /** A dataset opened some other way (an import hands over what it has in memory). */
  put(id: string, store: ColumnStore): void {
    this.map.delete(id);
    this.map.set(id, store);
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as string);
  }

  evict(id: string): void {
    this.map.delete(id);
  }
}

/**
 * An id-like column stored unhashed (StoredColumn.repeats): equal values get one code, the
 * first one's, so filters and breakdowns by it see each value once.
 */
export function foldRepeats(codes: Codes, dict: string[], shared = false): { codes: Codes; dict: string[] } {
  const first = new Map<string, number>();
  const to = new Uint32Array(dict.length);
  const out: string[] = [];
  for (let c = 0; c < dict.length; c++) {
    let k = first.get(dict[c]);
    if (k === undefined) {
      first.set(dict[c], (k = out.length));
      out.push(dict[c]);
    }
    to[c] = k;
  }
  if (out.length === dict.length) return { codes, dict };
  const folded = allocCodes(codes.length, out.length, shared);
  for (let r = 0; r < codes.length; r++) folded[r] = to[codes[r]];
  return { codes: folded, dict: out };
}
