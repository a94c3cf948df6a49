import fs from 'node:fs';
import { IafaError } from '../../../shared/contract/iafa-error';
import type { ImportMapping } from '../../../shared/contract';
import type { ChunkResult } from '../parse-chunk';
import { isKernelFailure, kernelFactory } from '../../wasm';
import { NDJSON_WASM_BASE64 } from '../wasm/ndjson-wasm';
import { sizeColumns, type KernelResults } from '../wasm/kernel';
import { rawDict } from '../parse-chunk-wasm';

/** The exports of wasm/assembly/ndjson.ts (pointers are byte offsets into `memory`). */
interface NdjsonKernel extends KernelResults {
  alloc(size: number): number;
  configure(fmt: number, userCap: number): void;
  defineNode(parent: number, ptr: number, len: number): number;
  bindRole(node: number, field: number): void;
  reserve(rows: number): void;
  countByte(ptr: number, len: number, byte: number): number;
  parse(ptr: number, len: number, final: number): number;
  rowCount(): number;
  recordCount(): number;
  fieldCount(): number;
  nodeCount(): number;
  nodeParentOf(n: number): number;
  nodeKeyPtr(n: number): number;
  nodeKeyLen(n: number): number;
  nodeFieldOf(n: number): number;
  fieldRaw(field: number): number;
}

const newKernel = kernelFactory<NdjsonKernel>(NDJSON_WASM_BASE64, 'NDJSON import');
const FORMATS: Record<string, number> = { unix_s: 1, unix_ms: 2, iso: 3, date: 3 };
const USER = 0;
const EVENT = 2;
const REASONS = ['bad_timestamp', 'missing_user', 'missing_event'];
// 1 MB pieces, as the CSV kernel reads (still in cache when parsed).
const PIECE = 1 << 20;

function unitOf(m: ImportMapping): string {
  return m.timeFormat && m.timeFormat !== 'auto' ? m.timeFormat : 'iso';
}

/**
 * Whether the kernel reads records mapped this way exactly as json/sink.ts does: a user, time
 * and event each of their own, a time format it parses, and none of the per-tool rules it lacks
 * (Segment's call types, a fallback user, JSON text to unpack).
 */
export function kernelCanReadJson(m: ImportMapping, objectStrings: readonly string[]): boolean {
  return (
    Boolean(m.user && m.time && m.event) &&
    !m.userFallback &&
    m.tool !== 'segment' &&
    objectStrings.length === 0 &&
    unitOf(m) in FORMATS &&
    new Set([m.user, m.time, m.event]).size === 3
  );
}

/**
 * Reads a stream of NDJSON records through the WebAssembly kernel into a range result (rows
 * ordered by user and time, own dictionaries: the CSV ranges' format, for absorbChunks). Null
 * when the kernel met something only the JavaScript reader handles: the caller then reads the
 * whole file with it (a range cannot be read alone by the JavaScript reader either).
 */
type KernelInput = AsyncIterable<Buffer> | { file: string; start: number; end: number };

export async function parseNdjsonKernel(
  input: KernelInput | KernelInput[],
  m: ImportMapping,
  sizeHint: number,
  signal?: AbortSignal,
  onRows?: (rows: number) => void,
): Promise<ChunkResult | null> {
  let k: NdjsonKernel;
  try {
    k = newKernel();
    k.configure(FORMATS[unitOf(m)], 1 << 14);
    for (const [path, field] of [
      [m.user!, 0],
      [m.time!, 1],
      [m.event!, 2],
    ] as const) {
      let node = 0;
      for (const seg of path.split('.')) {
        const bytes = Buffer.from(seg, 'utf8');
        const at = k.alloc(bytes.length + 16);
        new Uint8Array(k.memory.buffer).set(bytes, at);
        node = k.defineNode(node, at, bytes.length);
      }
      k.bindRole(node, field);
    }
    // Several inputs (a zip's members) go through one instance, one after the other: one
    // result, not one per member for the merge to interleave user by user.
    for (const one of Array.isArray(input) ? input : [input]) {
      const ok = 'file' in one ? await feedFile(k, one.file, one.start, one.end, signal, onRows) : await feed(k, one, sizeHint, onRows);
      if (!ok) return null;
    }
    return collect(k, m);
  } catch (err) {
    if (isKernelFailure(err)) return null;
    throw err;
  }
}

/** The kernel's input region: bytes are put after the carried-over part of a cut record, then parsed. */
class Region {
  size = PIECE;
  at: number;
  carry = 0;
  private sized = false;

  constructor(
    private k: NdjsonKernel,
    private sizeHint: number,
  ) {
    this.at = k.alloc(this.size + 64);
  }

  /** Room for more bytes: a region full of one record gets a bigger one, the record moved over. */
  room(): number {
    if (this.carry === this.size) {
      const next = this.k.alloc(this.size * 2 + 64);
      new Uint8Array(this.k.memory.buffer).copyWithin(next, this.at, this.at + this.carry);
      this.at = next;
      this.size *= 2;
    }
    return this.size - this.carry;
  }

  /** Parses the complete records in the region; false when the kernel cannot read them. */
  parse(final: boolean): boolean {
    const k = this.k;
    const at = this.at;
    const len = this.carry;
    // Slack after the text reads as no digit and no quote (whole words are read past values).
    new Uint8Array(k.memory.buffer).fill(0, at + len, at + len + 16);
    if (!this.sized) {
      sizeColumns(k, at, len, this.sizeHint, final);
      this.sized = true;
    }
    const used = k.parse(at, len, final ? 1 : 0);
    if (used < 0) return false;
    this.carry = len - used;
    if (this.carry > 0) new Uint8Array(k.memory.buffer).copyWithin(at, at + used, at + len);
    return true;
  }
}

async function feed(k: NdjsonKernel, chunks: AsyncIterable<Buffer>, sizeHint: number, onRows?: (rows: number) => void): Promise<boolean> {
  const r = new Region(k, sizeHint);
  let pieces = 0;
  for await (const chunk of chunks) {
    for (let off = 0; off < chunk.length;) {
      const n = Math.min(r.room(), chunk.length - off);
      new Uint8Array(k.memory.buffer).set(chunk.subarray(off, off + n), r.at + r.carry);
      r.carry += n;
      off += n;
      if (r.carry === r.size) {
        if (!r.parse(false)) return false;
        if ((++pieces & 15) === 0) onRows?.(k.rowCount());
      }
    }
  }
  if (r.carry > 0 && !r.parse(true)) return false;
  return r.carry === 0;
}

/**
 * feed() for a byte range of a plain file, read straight into the kernel's memory, in two
 * regions: the next piece is read (on libuv's thread) while the kernel parses this one. Copying
 * 1.7 GB out of the page cache took 1.9 s of a 10M-event import when it waited for each read.
 * Each region has a piece's room in front for the record cut at the end of the one before.
 */
async function feedFile(k: NdjsonKernel, file: string, start: number, end: number, signal?: AbortSignal, onRows?: (rows: number) => void): Promise<boolean> {
  const r = new Region(k, end - start);
  const gap = PIECE;
  const regions = [k.alloc(gap + PIECE + 64), k.alloc(gap + PIECE + 64)];
  const fh = await fs.promises.open(file, 'r');
  let pos = start;
  const issue = (i: number) => {
    const want = Math.min(PIECE, end - pos);
    const from = pos;
    pos += want;
    const done = want > 0 ? fh.read(new Uint8Array(k.memory.buffer), regions[i] + gap, want, from).then((x) => x.bytesRead) : Promise.resolve(0);
    return { done, want, last: pos >= end };
  };
  let next: ReturnType<typeof issue> | null = issue(0);
  try {
    for (let i = 0, piece = 0; ; i = 1 - i, piece++) {
      const { done, want, last } = next!;
      next = null;
      const n = await done;
      if (signal?.aborted) throw new IafaError('cancelled', 'The import was cancelled.');
      if ((piece & 15) === 15) onRows?.(k.rowCount());
      const final = last || n < want;
      // The cut record goes in front of the new bytes (longer than a piece: JavaScript reads the file).
      const carry = r.carry;
      if (carry > gap) return false;
      const at = regions[i] + gap - carry;
      if (carry) new Uint8Array(k.memory.buffer).copyWithin(at, r.at, r.at + carry);
      if (!final) next = issue(1 - i);
      r.at = at;
      r.carry = carry + n;
      if (!r.parse(final)) return false;
      if (final) return r.carry === 0;
    }
  } finally {
    // A read still under way must finish before its file is closed.
    if (next) await next.done.catch(() => 0);
    await fh.close();
  }
}

/** Each field's dotted path, as PathTable names it; null when two fields would share a name. */
function fieldNames(k: NdjsonKernel, m: ImportMapping): string[] | null {
  const nodes = k.nodeCount();
  const names: string[] = [''];
  const mem = () => new Uint8Array(k.memory.buffer);
  for (let n = 1; n < nodes; n++) {
    const key = Buffer.from(mem().buffer, k.nodeKeyPtr(n), k.nodeKeyLen(n)).toString('utf8');
    const parent = k.nodeParentOf(n);
    names.push(parent === 0 ? key : `${names[parent]}.${key}`);
  }
  const out: string[] = new Array<string>(k.fieldCount()).fill('');
  const taken = new Set<string>();
  for (let n = 1; n < nodes; n++) {
    const f = k.nodeFieldOf(n);
    if (f < 0) continue;
    // A key with a dot in it can spell another path's name: the JavaScript reader decides.
    if (taken.has(names[n])) return null;
    taken.add(names[n]);
    out[f] = names[n];
  }
  const roles = [m.user, m.time, m.event];
  for (let f = 0; f < out.length; f++) if (f > EVENT && roles.includes(out[f])) return null;
  return out;
}

function collect(k: NdjsonKernel, m: ImportMapping): ChunkResult | null {
  const names = fieldNames(k, m);
  if (!names) return null;
  k.sortRows();
  const rows = k.rowCount();
  const column = (name: string, field: number) => {
    const buf = k.memory.buffer;
    const at = k.sortedCodesPtr(field);
    const width = k.codeWidth(field);
    const codes = width === 1 ? new Uint8Array(buf, at, rows) : width === 2 ? new Uint16Array(buf, at, rows) : new Uint32Array(buf, at, rows);
    return { name, dict: rawDict(k, field), codes, ...(k.fieldRaw(field) ? { repeats: true } : {}) };
  };
  const columns = [column('\u0000event', EVENT)];
  // A property seen only in skipped records has no value (code 0 alone): no column, as in sink.ts.
  for (let f = EVENT + 1; f < names.length; f++) if (k.dictSize(f) > 1) columns.push(column(names[f], f));
  const w = new Uint32Array(k.memory.buffer, k.warnings(), 3 * 8);
  const warnings = REASONS.map((reason, r) => ({ reason, count: w[8 * r], lines: Array.from(w.subarray(8 * r + 1, 8 * r + 1 + Math.min(5, w[8 * r]))) }))
    .filter((x) => x.count > 0)
    .sort((a, b) => a.lines[0] - b.lines[0]);
  const users = k.dictSize(USER);
  // (Before the views below: it allocates, and the memory may grow.)
  const counts = k.codeCounts(EVENT);
  return {
    quoted: false,
    rows,
    lines: k.recordCount(),
    users: rawDict(k, USER),
    userIds: new Float64Array(k.memory.buffer, k.userValuesPtr(), users),
    userStart: new Uint32Array(k.memory.buffer, k.userStartPtr(), users + 1),
    time: new Float64Array(k.memory.buffer, k.sortedTimePtr(), rows),
    eventCounts: new Uint32Array(k.memory.buffer, counts, k.dictSize(EVENT)),
    columns,
    warnings,
  };
}
