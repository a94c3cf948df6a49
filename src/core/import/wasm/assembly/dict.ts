// AssemblyScript, part of the import kernel (parse.ts): dictionaries kept in WebAssembly memory.

/** The stub runtime's bump allocator: nothing is freed (an instance is dropped whole). */
export function alloc(size: usize): usize {
  return heap.alloc(size);
}

// ---- dictionaries ----
// Open addressing with 16-byte slots [first 8 bytes, length, code + 1] (code + 1 = 0: empty):
// a value of up to 8 bytes (ids, country codes, most event names) is found or ruled out with
// one memory access, without the pool; longer ones compare the rest of their bytes there.
export class Dict {
  table: usize = 0;
  mask: u32 = 0;
  spans: usize = 0;
  spanCap: u32 = 0;
  pool: usize = 0;
  poolCap: u32 = 0;
  poolLen: u32 = 0;
  size: u32 = 0;
  /** Values in the table (size counts appended ones too). */
  hashed: u32 = 0;

  constructor(cap: u32) {
    this.mask = cap * 2 - 1;
    this.table = alloc(<usize>(this.mask + 1) << 4);
    memory.fill(this.table, 0, <usize>(this.mask + 1) << 4);
    this.spanCap = cap;
    this.spans = alloc(<usize>cap << 3);
    this.poolCap = cap * 16;
    // (+8: hashBytes reads a whole word at the end of a value.)
    this.pool = alloc(this.poolCap + 8);
    this.add(this.pool, 0);
  }

  @inline
  add(s: usize, len: u32): u32 {
    const head = headOf(s, len);
    let slot = (len <= 8 ? mix(head, len) : hashBytes(s, len)) & this.mask;
    for (;;) {
      const e = this.table + (<usize>slot << 4);
      const code1 = load<u32>(e, 12);
      if (code1 == 0) break;
      if (load<u64>(e) == head && load<u32>(e, 8) == len) {
        if (len <= 8 || same(this.pool + load<u32>(this.spans + (<usize>(code1 - 1) << 3)) + 8, s + 8, len - 8)) return code1 - 1;
      }
      slot = (slot + 1) & this.mask;
    }
    return this.insert(s, len, head, slot);
  }

  insert(s: usize, len: u32, head: u64, slot: u32): u32 {
    const code = this.append(s, len);
    const e = this.table + (<usize>slot << 4);
    store<u64>(e, head);
    store<u32>(e, len, 8);
    store<u32>(e, code + 1, 12);
    if (++this.hashed * 2 > this.mask) this.rehash();
    return code;
  }

  /**
   * A new value's code, kept (bytes and span) but not entered in the hash table: for a value
   * the caller finds by other means and add() will never be asked for (numeric user ids in the
   * kernel's id array). Hundreds of thousands of ids then cost no table of megabytes.
   */
  append(s: usize, len: u32): u32 {
    const code = this.size++;
    if (code >= this.spanCap) {
      const next = alloc(<usize>this.spanCap << 4);
      memory.copy(next, this.spans, <usize>this.spanCap << 3);
      this.spans = next;
      this.spanCap *= 2;
    }
    if (this.poolLen + len > this.poolCap) {
      const cap = max(this.poolCap * 2, this.poolLen + len + 1024);
      const next = alloc(cap + 8);
      memory.copy(next, this.pool, this.poolLen);
      this.pool = next;
      this.poolCap = cap;
    }
    copyBytes(this.pool + this.poolLen, s, len);
    const sp = this.spans + (<usize>code << 3);
    store<u32>(sp, this.poolLen);
    store<u32>(sp, len, 4);
    this.poolLen += len;
    return code;
  }

  rehash(): void {
    const oldTable = this.table;
    const oldSlots = this.mask + 1;
    this.mask = oldSlots * 2 - 1;
    this.table = alloc(<usize>(this.mask + 1) << 4);
    memory.fill(this.table, 0, <usize>(this.mask + 1) << 4);
    for (let i: u32 = 0; i < oldSlots; i++) {
      const o = oldTable + (<usize>i << 4);
      const code1 = load<u32>(o, 12);
      if (code1 == 0) continue;
      const len = load<u32>(o, 8);
      const h = len <= 8 ? mix(load<u64>(o), len) : hashBytes(this.pool + load<u32>(this.spans + (<usize>(code1 - 1) << 3)), len);
      let slot = h & this.mask;
      while (load<u32>(this.table + (<usize>slot << 4), 12) != 0) slot = (slot + 1) & this.mask;
      const e = this.table + (<usize>slot << 4);
      store<u64>(e, load<u64>(o));
      store<u64>(e, load<u64>(o, 8), 8);
    }
  }
}

/**
 * memory.copy for a value's few bytes: V8 compiles memory.copy to a call into C, which cost more
 * than the copy (an insert id appended per row). Whole words: the destination has 8 bytes of
 * slack after it (every pool is allocated with them) and the source too (input and pools).
 */
@inline
export function copyBytes(dst: usize, src: usize, len: u32): void {
  if (len > 64) {
    memory.copy(dst, src, len);
    return;
  }
  for (let i: u32 = 0; i < len; i += 8) store<u64>(dst + i, load<u64>(src + i));
}

/** The first min(len, 8) bytes at s as a number (the input has slack after it: see parse). */
@inline
function headOf(s: usize, len: u32): u64 {
  const w = load<u64>(s);
  return len >= 8 ? w : w & ((<u64>1 << (<u64>len << 3)) - 1);
}

@inline
function mix(head: u64, len: u32): u32 {
  let h = head * 0x9e3779b97f4a7c15 + <u64>len;
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9;
  h ^= h >> 32;
  return <u32>h;
}

/** A hash of all of [s, s + len), 8 bytes at a time, for values longer than 8 bytes. */
export function hashBytes(s: usize, len: u32): u32 {
  let h: u64 = <u64>len * 0x9e3779b97f4a7c15;
  let i: u32 = 0;
  for (; i + 8 <= len; i += 8) h = (h ^ load<u64>(s + i)) * 0xff51afd7ed558ccd;
  if (i < len) h = (h ^ (load<u64>(s + i) & ((<u64>1 << (<u64>(len - i) << 3)) - 1))) * 0xc4ceb9fe1a85ec53;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccd;
  h ^= h >> 33;
  return <u32>h;
}

@inline
export function same(a: usize, b: usize, len: u32): bool {
  let i: u32 = 0;
  for (; i + 8 <= len; i += 8) if (load<u64>(a + i) != load<u64>(b + i)) return false;
  if (i == len) return true;
  // The last 1-7 bytes as one masked word: both sides have slack after them (input, pools and
  // the combination store are allocated with 8 bytes or more to spare).
  const mask = (<u64>1 << (<u64>(len - i) << 3)) - 1;
  return ((load<u64>(a + i) ^ load<u64>(b + i)) & mask) == 0;
}

