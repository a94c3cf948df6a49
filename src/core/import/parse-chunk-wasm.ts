import fs from 'node:fs';
import type { RawDict } from './bytes-dict';
import type { FilePlan } from './event-builder';
import type { ChunkResult, ChunkTask } from './parse-chunk';
import { KERNEL_FORMATS, isKernelFailure, newParseKernel, sizeColumns, type KernelResults, type ParseKernel } from './wasm/kernel';
import { matchInKernel } from './merge-users-wasm';

// 1 MB: the piece the kernel parses is still in the core's cache from the read that copied it
// in (8 MB pieces were not, and parsing them ran 3-4% slower end to end).
const PIECE = 1 << 20;
const MAX_FIELDS = 256;
const REASONS = ['bad_timestamp', 'missing_user', 'missing_event'];

/** Whether the WebAssembly reader handles this file's layout (else fast-rows.ts does). */
export function kernelCanRead(task: ChunkTask, plan: FilePlan): boolean {
  return plan.eventIdx >= 0 && plan.constants.length === 0 && task.header.length <= MAX_FIELDS && plan.timeFormat in KERNEL_FORMATS;
}

/**
 * parseChunk through the WebAssembly kernel: the file is read straight into its memory, piece by
 * piece. Null when a time needs JavaScript's slower parser (the caller reads the chunk again in
 * JavaScript); `quoted` when a quote character appears, as in the JavaScript reader.
 */
export function parseChunkWasm(task: ChunkTask, plan: FilePlan, onBytes: (n: number) => void): ChunkResult | 'quoted' | null {
  const t0 = performance.now();
  let readMs = 0;
  kept = null;
  const k = newParseKernel();
  const header = task.header;
  k.configure(
    header.length,
    plan.userIdx,
    plan.timeIdx,
    plan.eventIdx,
    KERNEL_FORMATS[plan.timeFormat as keyof typeof KERNEL_FORMATS],
    task.delim.charCodeAt(0),
    1 << 14,
  );
  for (const [name, values] of Object.entries(task.seeds ?? {})) {
    const field = name === '\u0000event' ? plan.eventIdx : header.indexOf(name);
    if (field < 0) continue;
    for (const v of values) {
      const bytes = Buffer.from(v, 'utf8');
      const at = k.alloc(bytes.length + 16);
      new Uint8Array(k.memory.buffer).set(bytes, at);
      k.seed(field, at, bytes.length);
    }
  }
  let region = Math.min(PIECE, task.end - task.start + 1);
  let at = k.alloc(region + 64);
  let carry = 0;
  let pos = task.start;
  let first = true;
  const fd = fs.openSync(task.file, 'r');
  try {
    for (;;) {
      if (carry === region) {
        // One row longer than the region: a bigger one, with the row moved over.
        const next = k.alloc(region * 2 + 64);
        new Uint8Array(k.memory.buffer).copyWithin(next, at, at + carry);
        at = next;
        region *= 2;
      }
      let mem = new Uint8Array(k.memory.buffer);
      const want = Math.min(region - carry, task.end - pos);
      const r0 = performance.now();
      const n = want > 0 ? fs.readSync(fd, mem, at + carry, want, pos) : 0;
      readMs += performance.now() - r0;
      pos += n;
      const len = carry + n;
      const final = n === 0 || pos >= task.end;
      // A non-digit after the text, as past the end of a JavaScript buffer (times read ahead).
      mem[at + len] = 0;
      if (first) {
        sizeColumns(k, at, len, task.end - task.start, final);
        first = false;
      }
      const used = k.parse(at, len, final ? 1 : 0);
      if (used === -2) return 'quoted';
      if (used < 0) return null;
      carry = len - used;
      mem = new Uint8Array(k.memory.buffer);
      if (carry > 0) mem.copyWithin(at, at + used, at + len);
      onBytes(pos - task.start);
      if (final) break;
    }
  } finally {
    fs.closeSync(fd);
  }
  const t1 = performance.now();
  const res = collect(k, task, plan);
  if (task.keepUsers) kept = k;
  const t2 = performance.now();
  res.timing = { totalMs: t2 - t0, parseMs: t1 - t0, readMs, sortMs: t2 - t1 };
  return res;
}

/**
 * The first range's kernel (task.keepUsers), kept by its worker until the later ranges' user
 * ids are matched in the index its parse built. (Its memory is shared with the importing
 * thread, which holds the range's columns until the merge: keeping it costs nothing more.)
 */
let kept: ParseKernel | null = null;

/**
 * The merged codes of the later ranges' user ids, in order: each range's ids looked up in the
 * kept kernel's index, the ids it lacks appended (the next codes, in the order they come), as
 * one dictionary filled range by range gives them. Matching the first range's ids again in a
 * fresh index took longer than a range's parse spends on them. Null when no kernel was kept.
 */
export function matchLaterUsers(dicts: RawDict[]): Uint32Array[] | null {
  const k = kept;
  kept = null;
  if (!k) return null;
  try {
    return dicts.map((d) => matchInKernel(k, d, (pool, spans, n, out) => k.matchUserIds(pool, spans, n, out)));
  } catch (err) {
    if (!isKernelFailure(err)) throw err;
    return null;
  }
}

/** A kernel's dictionary of one field, copied out of its memory. */
export function rawDict(k: KernelResults, field: number): RawDict {
  const size = k.dictSize(field);
  const spans = new Int32Array(k.memory.buffer, k.dictSpans(field), size * 2);
  // In shared buffers: a worker's result is then posted without a copy (an insert id column's
  // 5M values were 80 MB cloned per worker, 170 ms of a 10M-event import).
  const offs = new Int32Array(new SharedArrayBuffer(size * 4));
  const lens = new Int32Array(new SharedArrayBuffer(size * 4));
  for (let c = 0; c < size; c++) {
    offs[c] = spans[2 * c];
    lens[c] = spans[2 * c + 1];
  }
  const poolLen = k.dictPoolLen(field);
  const pool = new Uint8Array(new SharedArrayBuffer(poolLen));
  pool.set(new Uint8Array(k.memory.buffer, k.dictPool(field), poolLen));
  return { pool, offs, lens };
}

function collect(k: ParseKernel, task: ChunkTask, plan: FilePlan): ChunkResult {
  k.sortRows();
  const rows = k.rowCount();
  const buf = k.memory.buffer;
  // Views into the instance's memory, not copies: the memory is shared (see build-wasm.mjs),
  // so a worker posts them without copying and the merge reads them where they are. Copying
  // 65 MB out per worker cost more in fresh-page faults than in the copy itself.
  const column = (name: string, field: number) => {
    const at = k.sortedCodesPtr(field);
    const width = k.codeWidth(field);
    const codes = width === 1 ? new Uint8Array(buf, at, rows) : width === 2 ? new Uint16Array(buf, at, rows) : new Uint32Array(buf, at, rows);
    return { name, dict: rawDict(k, field), codes };
  };
  const columns = [column('\u0000event', plan.eventIdx)];
  task.header.forEach((name, i) => {
    if (plan.targets[i]) columns.push(column(name, i));
  });
  const w = new Uint32Array(buf, k.warnings(), 3 * 8);
  const warnings = REASONS.map((reason, r) => ({ reason, count: w[8 * r], lines: Array.from(w.subarray(8 * r + 1, 8 * r + 1 + Math.min(5, w[8 * r]))) }))
    .filter((x) => x.count > 0)
    // In the order they first happened, as the JavaScript reader lists them.
    .sort((a, b) => a.lines[0] - b.lines[0]);
  return {
    quoted: false,
    rows,
    lines: k.lineCount(),
    users: rawDict(k, plan.userIdx),
    userIds: new Float64Array(k.memory.buffer, k.userValuesPtr(), k.dictSize(plan.userIdx)),
    userStart: new Uint32Array(buf, k.userStartPtr(), k.dictSize(plan.userIdx) + 1),
    time: new Float64Array(buf, k.sortedTimePtr(), rows),
    eventCounts: new Uint32Array(k.memory.buffer, k.codeCounts(plan.eventIdx), k.dictSize(plan.eventIdx)),
    columns,
    warnings,
  };
}
