import type { ByteDict } from './bytes-dict';
import type { ChunkResult } from './parse-chunk';
import { isKernelFailure, newParseKernel } from './wasm/kernel';

/**
 * The chunks' string user ids matched through the import kernel's id index (users.ts): each
 * chunk's ids are copied into a kernel instance, which gives every id its merged code (new ids
 * the next ones, in the order they come); the new ids are then appended to `users`, unhashed.
 * The same codes as adding every chunk's ids to `users` in turn, at a fraction of the cost (a
 * few hundred thousand JavaScript hash lookups of UUID bytes were most of the merge). Null,
 * having changed nothing, when the kernel cannot do it; `users` must hold only the empty id.
 */
export function mergeUsersWasm(users: ByteDict, chunks: ChunkResult[]): Uint32Array[] | null {
  if (users.size !== 1) return null;
  const total = chunks.reduce((a, c) => a + c.users.offs.length, 0);
  let maps: Uint32Array[];
  try {
    const k = newParseKernel();
    k.mergeBegin(total);
    maps = chunks.map((c) => {
      const { pool, offs, lens } = c.users;
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
      k.mergeIds(poolAt, spansAt, n, outAt);
      return new Uint32Array(k.memory.buffer, outAt, n).slice();
    });
  } catch (err) {
    if (isKernelFailure(err)) return null;
    throw err;
  }
  let next = 1;
  chunks.forEach((c, w) => {
    const { pool, offs, lens } = c.users;
    const map = maps[w];
    for (let i = 1; i < map.length; i++) {
      if (map[i] < next) continue;
      if (map[i] !== next) throw new Error(`merged user code ${map[i]} out of order (expected ${next})`);
      users.appendNew(pool, offs[i], offs[i] + lens[i]);
      next++;
    }
  });
  return maps;
}
