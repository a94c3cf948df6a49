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
  // One loop per array type: a loop over two Codes unions was polymorphic at every element
  // (about 20 ns each), which made this most of the merge on files with many short user runs.
  if (identity && out instanceof Uint8Array && src instanceof Uint8Array) copySame8(out, src, blocks);
  else if (identity && out instanceof Uint16Array && src instanceof Uint16Array) copySame16(out, src, blocks);
  else if (out instanceof Uint16Array && src instanceof Uint16Array) copyMapped16(out, src, blocks, map);
  else copyAny(out, src, blocks, map, identity);
}

function copySame8(out: Uint8Array, src: Uint8Array, blocks: Uint32Array): void {
  for (let k = 0; k < blocks.length; k += 3) {
    const a = blocks[k];
    const e = a + blocks[k + 2];
    if (e - a > 64) out.set(src.subarray(a, e), blocks[k + 1]);
    else for (let i = a, o = blocks[k + 1]; i < e; i++) out[o++] = src[i];
  }
}

function copySame16(out: Uint16Array, src: Uint16Array, blocks: Uint32Array): void {
  for (let k = 0; k < blocks.length; k += 3) {
    const a = blocks[k];
    const e = a + blocks[k + 2];
    if (e - a > 64) out.set(src.subarray(a, e), blocks[k + 1]);
    else for (let i = a, o = blocks[k + 1]; i < e; i++) out[o++] = src[i];
  }
}

function copyMapped16(out: Uint16Array, src: Uint16Array, blocks: Uint32Array, map: Uint32Array): void {
  for (let k = 0; k < blocks.length; k += 3) {
    const a = blocks[k];
    const e = a + blocks[k + 2];
    for (let i = a, o = blocks[k + 1]; i < e; i++) out[o++] = map[src[i]];
  }
}

function copyAny(out: Codes, src: Codes, blocks: Uint32Array, map: Uint32Array, identity: boolean): void {
  for (let k = 0; k < blocks.length; k += 3) {
    const a = blocks[k];
    const e = a + blocks[k + 2];
    if (identity && e - a > 16) out.set(src.subarray(a, e), blocks[k + 1]);
    else for (let i = a, o = blocks[k + 1]; i < e; i++) out[o++] = map[src[i]];
  }
}
