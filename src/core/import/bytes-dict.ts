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
  /**
   * [offset, length, last 4 bytes, the 4 before] of each code, one cache line: a value of up to
   * 8 bytes (ids, country codes, event names) is compared as three ints, without the pool.
   */
  private spans: Int32Array;
  /**
   * Open addressing, two ints per slot: [hash, code + 1], 0 meaning empty. A probe compares the
   * hash in the slot itself, so a miss never touches the values (the user dictionary of a large
   * log is megabytes: each extra array it reads per lookup is another cache miss).
   */
  private table: Int32Array;
  private mask: number;
  /** Set by appendNew: the table lacks some values until rebuilt. */
  private stale = false;
  /** Codes from here on were appended by appendAll without their key words (filled by rebuildTable). */
  private keyless = Infinity;
  /**
   * Other dictionaries' values appended by appendAll and not copied in yet: codes [first, first
   * + n) are values 1..n of `raw`. Only size, value() and packed() read them where they are;
   * anything else copies them into the pool first (flatten).
   */
  private parts: { first: number; n: number; raw: RawDict }[] = [];
  size = 0;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, nextPow2(initialCapacity));
    this.pool = Buffer.allocUnsafe(cap * 16);
    this.spans = new Int32Array(cap * 4);
    this.mask = cap * 2 - 1;
    this.table = new Int32Array((this.mask + 1) * 2);
    this.add(this.pool, 0, 0);
  }

  /** Code of buf[start, end), adding it when new. */
  add(buf: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5 | 0;
    let w = 0;
    let w2 = 0;
    for (let i = start; i < end; i++) {
      const c = buf[i];
      h = Math.imul(h ^ c, 0x01000193);
      w2 = (w2 << 8) | (w >>> 24);
      w = (w << 8) | c;
    }
    return this.addKeyed(buf, start, end, h, w, w2);
  }

  /**
   * add() for a caller that computed, while scanning the bytes, their FNV-1a hash and their last
   * 8 bytes as two ints (`w2 = (w2 << 8) | (w >>> 24); w = (w << 8) | byte`).
   */
  addKeyed(buf: Uint8Array, start: number, end: number, h: number, w: number, w2: number): number {
    if (this.stale) this.rebuildTable();
    const mask = this.mask;
    const table = this.table;
    const spans = this.spans;
    const len = end - start;
    let slot = h & mask;
    for (;;) {
      const code1 = table[2 * slot + 1];
      if (code1 === 0) break;
      if (table[2 * slot] === h) {
        const k = 4 * (code1 - 1);
        if (spans[k + 1] === len && spans[k + 2] === w && spans[k + 3] === w2 && (len <= 8 || this.sameBytes(spans[k], buf, start, len))) return code1 - 1;
      }
      slot = (slot + 1) & mask;
    }
    return this.insert(buf, start, len, h, slot, w, w2);
  }

  addString(s: string): number {
    const b = Buffer.from(s, 'utf8');
    return this.add(b, 0, b.length);
  }

  private sameBytes(o: number, buf: Uint8Array, start: number, len: number): boolean {
    const pool = this.pool;
    for (let i = 0; i < len; i++) if (pool[o + i] !== buf[start + i]) return false;
    return true;
  }

  private insert(buf: Uint8Array, start: number, len: number, h: number, slot: number, w: number, w2: number): number {
    const code = this.push(buf, start, len, w, w2);
    this.table[2 * slot] = h;
    this.table[2 * slot + 1] = code + 1;
    // Keep the load factor under 1/2 so probes stay short.
    if (this.size * 2 > this.mask) this.rehash();
    return code;
  }

  /** Stores a new value's bytes and keys under the next code (the caller files it in the table). */
  private push(buf: Uint8Array, start: number, len: number, w: number, w2: number): number {
    const code = this.size++;
    if (4 * code >= this.spans.length) {
      const spans = new Int32Array(this.spans.length * 2);
      spans.set(this.spans);
      this.spans = spans;
    }
    if (this.poolLen + len > this.pool.length) {
      const next = Buffer.allocUnsafe(Math.max(this.pool.length * 2, this.poolLen + len + 1024));
      this.pool.copy(next, 0, 0, this.poolLen);
      this.pool = next;
    }
    // buf may be the pool itself only for the empty value, where there is nothing to copy.
    // (A loop: a subarray per value cost more than the copy, and made garbage.)
    const pool = this.pool;
    for (let i = 0, o = this.poolLen; i < len; i++) pool[o + i] = buf[start + i];
    const k = 4 * code;
    this.spans[k] = this.poolLen;
    this.spans[k + 1] = len;
    this.spans[k + 2] = w;
    this.spans[k + 3] = w2;
    this.poolLen += len;
    return code;
  }

  /**
   * Appends a value the caller knows is not here yet (the chunk merge tells by other means),
   * without hashing it: the table is rebuilt on the next add, if there is one.
   */
  appendNew(buf: Uint8Array, start: number, end: number): number {
    this.flatten();
    let w = 0;
    let w2 = 0;
    for (let i = start; i < end; i++) {
      w2 = (w2 << 8) | (w >>> 24);
      w = (w << 8) | buf[i];
    }
    this.stale = true;
    return this.push(buf, start, end - start, w, w2);
  }

  /**
   * appendNew for every value of `values` but code 0 (the empty one, which maps to 0): their
   * bytes copied at once, as they lie in their pool. For a chunk's id column of a million
   * values, which one by one was most of the merge. Returns the codes they got.
   */
  appendAll(values: RawDict): Uint32Array {
    const n = values.offs.length;
    const map = new Uint32Array(n);
    const shift = this.appendAllShifted(values);
    for (let i = 1; i < n; i++) map[i] = i + shift;
    return map;
  }

  /**
   * appendAll without the map: value i (i > 0) of `values` gets code i + the shift returned.
   * (A 5M-value chunk's map cost more to build and check than the merge's copy of its codes.)
   */
  appendAllShifted(values: RawDict): number {
    const shift = this.size - 1;
    const n = values.offs.length;
    if (n <= 1) return shift;
    // Kept where they are: an id column's chunks (a Mixpanel export's 10M $insert_id values)
    // are written out from their own pools, and copying them here first, spans and all, cost
    // more than the write.
    this.parts.push({ first: this.size, n: n - 1, raw: values });
    this.size += n - 1;
    this.stale = true;
    return shift;
  }

  /** The values appendAll kept in their own pools, copied in (their bytes at once, as they lie in their pool). */
  flatten(): void {
    const parts = this.parts;
    if (parts.length === 0) return;
    this.parts = [];
    const size = this.size;
    if (4 * size > this.spans.length) {
      // Exactly what is needed when that is more than double: a million-value chunk's spans
      // rounded up to a power of two cost up to twice their size.
      const spans = new Int32Array(Math.max(this.spans.length * 2, 4 * size));
      spans.set(this.spans);
      this.spans = spans;
    }
    // The key words (last 8 bytes) only serve lookups, and an id column appended here is seldom
    // looked up again: they are filled in when the table is rebuilt for a lookup, if ever.
    this.keyless = Math.min(this.keyless, parts[0].first);
    for (const { first, n, raw } of parts) {
      const { pool: src, offs, lens } = raw;
      let lo = Infinity;
      let hi = 0;
      for (let i = 1; i <= n; i++) {
        if (offs[i] < lo) lo = offs[i];
        if (offs[i] + lens[i] > hi) hi = offs[i] + lens[i];
      }
      const bytes = Math.max(0, hi - lo);
      if (this.poolLen + bytes > this.pool.length) {
        const next = Buffer.allocUnsafe(Math.max(this.pool.length * 2, this.poolLen + bytes + 1024));
        this.pool.copy(next, 0, 0, this.poolLen);
        this.pool = next;
      }
      if (bytes > 0) this.pool.set(src.subarray(lo, hi), this.poolLen);
      const base = this.poolLen - lo;
      this.poolLen += bytes;
      const spans = this.spans;
      for (let i = 1; i <= n; i++) {
        const k = 4 * (first + i - 1);
        spans[k] = base + offs[i];
        spans[k + 1] = lens[i];
      }
    }
  }

  private rebuildTable(): void {
    this.stale = false;
    this.flatten();
    this.fillKeys();
    let slots = 16;
    while (slots < this.size * 2 + 2) slots *= 2;
    const mask = slots - 1;
    const table = new Int32Array(slots * 2);
    const pool = this.pool;
    for (let c = 0; c < this.size; c++) {
      const a = this.spans[4 * c];
      const e = a + this.spans[4 * c + 1];
      let h = 0x811c9dc5 | 0;
      for (let i = a; i < e; i++) h = Math.imul(h ^ pool[i], 0x01000193);
      let slot = h & mask;
      while (table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      table[2 * slot] = h;
      table[2 * slot + 1] = c + 1;
    }
    this.table = table;
    this.mask = mask;
  }

  /** The key words appendAll left out: a value's last 8 bytes as two ints, as add() keys them. */
  private fillKeys(): void {
    const spans = this.spans;
    const pool = this.pool;
    for (let c = this.keyless; c < this.size; c++) {
      const k = 4 * c;
      const e = spans[k] + spans[k + 1];
      let w = 0;
      let w2 = 0;
      for (let j = Math.max(spans[k], e - 8); j < e; j++) {
        w2 = (w2 << 8) | (w >>> 24);
        w = (w << 8) | pool[j];
      }
      spans[k + 2] = w;
      spans[k + 3] = w2;
    }
    this.keyless = Infinity;
  }

  private rehash(): void {
    const old = this.table;
    const mask = (this.mask + 1) * 2 - 1;
    const table = new Int32Array((mask + 1) * 2);
    for (let s = 0; s < old.length; s += 2) {
      if (old[s + 1] === 0) continue;
      let slot = old[s] & mask;
      while (table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      table[2 * slot] = old[s];
      table[2 * slot + 1] = old[s + 1];
    }
    this.table = table;
    this.mask = mask;
  }

  value(code: number): string {
    const parts = this.parts;
    if (parts.length > 0 && code >= parts[0].first) {
      let p = parts.length - 1;
      while (parts[p].first > code) p--;
      const { pool, offs, lens } = parts[p].raw;
      const i = code - parts[p].first + 1;
      return Buffer.from(pool.buffer, pool.byteOffset + offs[i], lens[i]).toString('utf8');
    }
    const o = this.spans[4 * code];
    return this.pool.toString('utf8', o, o + this.spans[4 * code + 1]);
  }

  /** The values as bytes, for a worker to send: no string per value on either side. */
  raw(): RawDict {
    this.flatten();
    const offs = new Int32Array(this.size);
    const lens = new Int32Array(this.size);
    for (let c = 0; c < this.size; c++) {
      offs[c] = this.spans[4 * c];
      lens[c] = this.spans[4 * c + 1];
    }
    return { pool: new Uint8Array(this.pool.subarray(0, this.poolLen)), offs, lens };
  }

  /**
   * JSON.stringify(this.values()), written from the pool's bytes: a log's user ids are
   * hundreds of thousands of strings that would be made only to be written out again. A value
   * with bytes that need escaping or decoding (quotes, backslashes, control or non-ASCII
   * bytes) goes through JSON.stringify, so the text is the same.
   */
  toJson(): Buffer {
    this.flatten();
    const pool = this.pool;
    const spans = this.spans;
    const out = Buffer.allocUnsafe(this.poolLen + 3 * this.size + 2);
    let o = 0;
    let slow: string[] | null = null;
    out[o++] = 91; // [
    for (let c = 0; c < this.size; c++) {
      if (c > 0) out[o++] = 44; // ,
      const a = spans[4 * c];
      const e = a + spans[4 * c + 1];
      const at = o;
      out[o++] = 34;
      let plain = true;
      for (let i = a; i < e; i++) {
        const b = pool[i];
        if (b < 0x20 || b >= 0x80 || b === 34 || b === 92) {
          plain = false;
          break;
        }
        out[o++] = b;
      }
      if (!plain) {
        (slow ??= []).push(JSON.stringify(this.value(c)));
        // A placeholder byte, replaced below (0 never appears in plain output).
        o = at;
        out[o++] = 0;
        continue;
      }
      out[o++] = 34;
    }
    out[o++] = 93; // ]
    if (!slow) return out.subarray(0, o);
    const parts: Buffer[] = [];
    let from = 0;
    let k = 0;
    for (let i = 0; i < o; i++) {
      if (out[i] !== 0) continue;
      parts.push(out.subarray(from, i), Buffer.from(slow[k++], 'utf8'));
      from = i + 1;
    }
    parts.push(out.subarray(from, o));
    return Buffer.concat(parts);
  }

  /**
   * The values as their bytes back to back in code order and each one's length, when the pool
   * holds them that way (values appended in order, the usual case); null otherwise. An id column
   * of millions of values is stored so (store.ts readIdValues): no JSON to escape and write.
   */
  packed(): { bytes: Uint8Array[]; lens: Uint8Array | Uint16Array | Uint32Array } | null {
    // In the narrowest width that holds the longest: ids are mostly short, their lengths one byte.
    for (const Lens of [Uint8Array, Uint16Array, Uint32Array]) {
      const max = Lens === Uint8Array ? 255 : Lens === Uint16Array ? 65535 : Infinity;
      const lens = new Lens(this.size);
      const bytes = this.packInto(lens, max);
      if (bytes === 'wider') continue;
      if (bytes === null) {
        if (this.parts.length === 0) return null;
        // A part whose values do not lie back to back in its pool: copied in, then tried again.
        this.flatten();
        return this.packed();
      }
      return { bytes, lens };
    }
    return null;
  }

  /** packed()'s lengths into `lens` and the byte ranges holding the values back to back; 'wider' when a value is longer than `max`. */
  private packInto(lens: Uint8Array | Uint16Array | Uint32Array, max: number): Uint8Array[] | null | 'wider' {
    const spans = this.spans;
    const own = this.parts.length > 0 ? this.parts[0].first : this.size;
    let at = 0;
    for (let c = 0; c < own; c++) {
      const len = spans[4 * c + 1];
      if (len > max) return 'wider';
      if (spans[4 * c] !== at && len !== 0) return null;
      lens[c] = len;
      at += len;
    }
    const out: Uint8Array[] = [this.pool.subarray(0, at)];
    for (const { first, n, raw } of this.parts) {
      const { pool, offs, lens: ls } = raw;
      const from = offs[1];
      let end = from;
      for (let i = 1; i <= n; i++) {
        const len = ls[i];
        if (len > max) return 'wider';
        if (offs[i] !== end && len !== 0) return null;
        lens[first + i - 1] = len;
        end += len;
      }
      out.push(pool.subarray(from, end));
    }
    return out;
  }

  values(): string[] {
    this.flatten();
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
