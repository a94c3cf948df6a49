/** A ByteDict's values in code order: value c is pool[offs[c], offs[c] + lens[c]). */
export interface RawDict {
  pool: Uint8Array;
  offs: Int32Array;
  lens: Int32Array;
}

/**
 * Dictionary encoding straight from the file's bytes: the hot import loop never creates a JS
 * string per field (that allocation, not parsing, is what makes naive CSV import slow). Strings
 * are made once per distinct value, at the end. Code 0 is always the empty value.
 */
export class ByteDict {
  private pool: Buffer;
  private poolLen = 0;
  private offs: Int32Array;
  private lens: Int32Array;
  private hashes: Int32Array;
  private table: Int32Array;
  private mask: number;
  size = 0;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, nextPow2(initialCapacity));
    this.pool = Buffer.allocUnsafe(cap * 16);
    this.offs = new Int32Array(cap);
    this.lens = new Int32Array(cap);
    this.hashes = new Int32Array(cap);
    this.table = new Int32Array(cap * 2).fill(-1);
    this.mask = cap * 2 - 1;
    this.add(this.pool, 0, 0);
  }

  /** Code of buf[start, end), adding it when new. */
  add(buf: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    const mask = this.mask;
    const table = this.table;
    let slot = h & mask;
    const len = end - start;
    for (;;) {
      const code = table[slot];
      if (code === -1) break;
      if (this.hashes[code] === h && this.lens[code] === len && this.equals(code, buf, start, len)) return code;
      slot = (slot + 1) & mask;
    }
    return this.insert(buf, start, len, h, slot);
  }

  addString(s: string): number {
    const b = Buffer.from(s, 'utf8');
    return this.add(b, 0, b.length);
  }

  private equals(code: number, buf: Uint8Array, start: number, len: number): boolean {
    const pool = this.pool;
    const o = this.offs[code];
    for (let i = 0; i < len; i++) if (pool[o + i] !== buf[start + i]) return false;
    return true;
  }

  private insert(buf: Uint8Array, start: number, len: number, h: number, slot: number): number {
    const code = this.size++;
    if (code >= this.offs.length) this.growEntries();
    if (this.poolLen + len > this.pool.length) {
      const next = Buffer.allocUnsafe(Math.max(this.pool.length * 2, this.poolLen + len + 1024));
      this.pool.copy(next, 0, 0, this.poolLen);
      this.pool = next;
    }
    // buf may be the pool itself only for the empty value, where there is nothing to copy.
    if (len > 0) this.pool.set(buf.subarray(start, start + len), this.poolLen);
    this.offs[code] = this.poolLen;
    this.lens[code] = len;
    this.hashes[code] = h;
    this.poolLen += len;
    this.table[slot] = code;
    // Keep the load factor under 1/2 so probes stay short.
    if (this.size * 2 > this.mask) this.rehash();
    return code;
  }

  private growEntries(): void {
    const cap = this.offs.length * 2;
    const grow = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.offs = grow(this.offs);
    this.lens = grow(this.lens);
    this.hashes = grow(this.hashes);
  }

  private rehash(): void {
    const size = (this.mask + 1) * 2;
    const table = new Int32Array(size).fill(-1);
    const mask = size - 1;
    for (let c = 0; c < this.size; c++) {
      let slot = this.hashes[c] & mask;
      while (table[slot] !== -1) slot = (slot + 1) & mask;
      table[slot] = c;
    }
    this.table = table;
    this.mask = mask;
  }

  value(code: number): string {
    return this.pool.toString('utf8', this.offs[code], this.offs[code] + this.lens[code]);
  }

  /** The values as bytes, for a worker to send: no string per value on either side. */
  raw(): RawDict {
    return { pool: new Uint8Array(this.pool.subarray(0, this.poolLen)), offs: this.offs.slice(0, this.size), lens: this.lens.slice(0, this.size) };
  }

  values(): string[] {
    const out = new Array<string>(this.size);
    for (let c = 0; c < this.size; c++) out[c] = this.value(c);
    return out;
  }
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Append-only typed arrays that double when full. */
export class GrowU32 {
  data: Uint32Array;
  length = 0;
  constructor(cap = 1 << 16) {
    this.data = new Uint32Array(cap);
  }
  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = v;
  }
  /** Pads with zeros (the empty code) up to n: a column absent from one of the files. */
  padTo(n: number): void {
    if (n > this.data.length) this.grow(n);
    this.length = Math.max(this.length, n);
  }
  grow(min: number): void {
    if (min <= this.data.length) return;
    const next = new Uint32Array(Math.max(min, this.data.length * 2));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  view(): Uint32Array {
    return this.data.subarray(0, this.length);
  }
}

export class GrowF64 {
  data: Float64Array;
  length = 0;
  constructor(cap = 1 << 16) {
    this.data = new Float64Array(cap);
  }
  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = v;
  }
  grow(min: number): void {
    if (min <= this.data.length) return;
    const next = new Float64Array(Math.max(min, this.data.length * 2));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  append(src: Float64Array): void {
    this.grow(this.length + src.length);
    this.data.set(src, this.length);
    this.length += src.length;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}
