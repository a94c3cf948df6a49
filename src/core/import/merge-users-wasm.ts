import { ByteDict, type RawDict } from './bytes-dict';
import type { ChunkResult } from './parse-chunk';
import { isKernelFailure, newParseKernel, type ParseKernel } from './wasm/kernel';

/**
 * The chunks' string user ids matched through the import kernel's id index (users.ts): each
 * chunk's ids are copied into a kernel instance, which gives every id its merged code (new ids
 * the next ones, in the order they come); the new ids are then appended to `users`, unhashed.
 * The same codes as adding every chunk's ids to `users` in turn, at a fraction of the cost (a
 * few hundred thousand JavaScript hash lookups of UUID bytes were most of the merge).
 *
 * The parallel CSV read has the first range's worker match the later ranges' ids in the index
 * its parse built (matchInKernel with matchUserIds); this merger is for when it could not.
 */
export class UserMerger {
  /** The merged user dictionary: the empty id, then every id in first-seen order. */
  readonly users: ByteDict;
  readonly maps: Uint32Array[] = [];
  private k: ParseKernel | null = null;
  private failed = false;

  /** `expected`: about how many ids all chunks hold together (the tables grow past it if need be). */
  constructor(expected: number) {
    this.users = new ByteDict(expected);
    try {
      this.k = newParseKernel();
      this.k.mergeBegin(expected);
    } catch (err) {
      if (!isKernelFailure(err)) throw err;
      this.failed = true;
    }
  }

  /** Adds the next chunk's ids; false when the kernel could not (then nothing of this merger may be used). */
  add(c: ChunkResult): boolean {
    const k = this.k;
    if (!k || this.failed) return false;
    let map: Uint32Array;
    try {
      map = matchInKernel(k, c.users, (pool, spans, n, out) => k.mergeIds(pool, spans, n, out));
    } catch (err) {
      if (!isKernelFailure(err)) throw err;
      this.failed = true;
      return false;
    }
    appendMatched(this.users, c.users, map);
    this.maps.push(map);
    return true;
  }
}

/**
 * A dictionary's ids copied into kernel `k`'s memory and matched there by `match` (mergeIds or
 * matchUserIds: pool, [offset, length] spans, count, output): their codes, code 0 staying 0.
 */
export function matchInKernel(k: ParseKernel, d: RawDict, match: (pool: number, spans: number, n: number, out: number) => void): Uint32Array {
  const { pool, offs, lens } = d;
  const n = offs.length;
  // (64 bytes of slack: the kernel reads ids a word at a time.)
  const poolAt = k.alloc(pool.length + 64);
  const spansAt = k.alloc(n * 8);
  const outAt = k.alloc(n * 4);
  new Uint8Array(k.memory.buffer, poolAt, pool.length).set(pool);
  const spans = new Int32Array(k.memory.buffer, spansAt, 2 * n);
  for (let i = 0; i < n; i++) {
    spans[2 * i] = offs[i];
    spans[2 * i + 1] = lens[i];
  }
  match(poolAt, spansAt, n, outAt);
  return new Uint32Array(k.memory.buffer, outAt, n).slice();
}

/** A chunk's ids, whose merged codes `map` gives, into `users`: the ids it did not hold yet (their codes come next, in order). */
export function appendMatched(users: ByteDict, d: RawDict, map: Uint32Array): void {
  // Into an empty dictionary every id is new, in order: appended at once.
  if (users.size === 1 && isIdentity(map)) {
    users.appendAll(d);
    // Copied in now: the next chunk's new ids are appended one by one after them.
    users.flatten();
    return;
  }
  const { pool, offs, lens } = d;
  for (let i = 1; i < map.length; i++) {
    if (map[i] < users.size) continue;
    if (map[i] !== users.size) throw new Error(`merged user code ${map[i]} out of order (expected ${users.size})`);
    users.appendNew(pool, offs[i], offs[i] + lens[i]);
  }
}

function isIdentity(map: Uint32Array): boolean {
  for (let i = 0; i < map.length; i++) if (map[i] !== i) return false;
  return true;
}
