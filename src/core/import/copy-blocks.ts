import type { Codes } from './store';

/**
 * The chunk merge's copies (merge-chunks.ts): each chunk's runs of rows, as [source,
 * destination, length] triples, into the merged time and code columns. A module of its own
 * because the helper thread runs it too, on shared columns (helper-thread.ts).
 */

/** One chunk's part of the merge: its times and, per column, its codes and their new values. */
export interface ChunkCopy {
  blocks: Uint32Array;
  /** The chunk's times, when this part copies them (into the job's `time`). */
  time?: Float64Array;
  columns: { dst: Codes; src: Codes; map: Uint32Array }[];
}

export interface CopyPartJob {
  type: 'copy';
  time?: Float64Array;
  chunks: ChunkCopy[];
}

export function copyPart(j: Omit<CopyPartJob, 'type'>): void {
  for (const c of j.chunks) {
    if (j.time && c.time) copyTimeBlocks(j.time, c.time, c.blocks);
    for (const col of c.columns) copyCodeBlocks(col.dst, col.src, c.blocks, col.map);
  }
}

// Times and codes have a copy function each, so that each stays specialised to few array
// types (one taking both ran three times slower).
function copyTimeBlocks(out: Float64Array, src: Float64Array, blocks: Uint32Array): void {
  for (let k = 0; k < blocks.length; k += 3) {
    const a = blocks[k];
    const e = a + blocks[k + 2];
    if (e - a > 16) out.set(src.subarray(a, e), blocks[k + 1]);
    else for (let i = a, o = blocks[k + 1]; i < e; i++) out[o++] = src[i];
  }
}

function copyCodeBlocks(out: Codes, src: Codes, blocks: Uint32Array, map: Uint32Array): void {
  let identity = true;
  for (let i = 0; i < map.length && identity; i++) identity = map[i] === i;
  for (let k = 0; k < blocks.length; k += 3) {
    const a = blocks[k];
    const e = a + blocks[k + 2];
    if (identity && e - a > 16) out.set(src.subarray(a, e), blocks[k + 1]);
    else for (let i = a, o = blocks[k + 1]; i < e; i++) out[o++] = map[src[i]];
  }
}
