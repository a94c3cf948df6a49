import fs from 'node:fs';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { IafaError } from '../../../shared/contract/iafa-error';
import { memberChunks, readZipDirectory, unsafeMemberName } from './zip';

export type Container = 'plain' | 'gzip' | 'zip';
export type Magic = 'gzip' | 'zip' | 'parquet' | 'text';

/** What a file is, from its first bytes (never from its name). */
export function sniff(head: Uint8Array): Magic {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) && (head[3] === 4 || head[3] === 6)) return 'zip';
  if (head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31) return 'parquet';
  return 'text';
}

export function sniffFile(path: string): Magic {
  const fd = fs.openSync(path, 'r');
  try {
    const b = Buffer.alloc(4);
    fs.readSync(fd, b, 0, 4, 0);
    return sniff(b);
  } finally {
    fs.closeSync(fd);
  }
}

/** One stream of decompressed bytes: the file itself, or one member of a zip. */
export interface ByteMember {
  /** For messages only: never used as a path. */
  name: string;
  /** A fresh stream of the member's decompressed bytes each call (previews read the start, imports all). */
  open(): AsyncIterable<Buffer>;
}

export interface OpenedContainer {
  container: Container;
  members: ByteMember[];
  /** Members left out (directories, system files), for the preview's notes. */
  skipped: string[];
}

const CHUNK = 4 << 20;

/**
 * A file's bytes in 4 MB chunks. With `reuse`, every chunk is the same buffer, valid only until
 * the next is asked for (readers copy what they keep): no 4 MB allocation per chunk, whose
 * off-heap total would otherwise drive full garbage collections over the growing dictionaries.
 */
async function* fileChunks(path: string, reuse = false): AsyncGenerator<Buffer> {
  // Synchronous reads: a 4 MB read from the page cache takes about a millisecond, less than the
  // round trip through libuv's (often busy) thread pool that an asynchronous one waits for.
  const fd = fs.openSync(path, 'r');
  const shared = reuse ? Buffer.allocUnsafe(CHUNK) : null;
  try {
    for (;;) {
      const buf = shared ?? Buffer.allocUnsafe(CHUNK);
      const bytesRead = fs.readSync(fd, buf, 0, CHUNK, null);
      if (bytesRead === 0) return;
      yield bytesRead === CHUNK ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Gunzips when the stream starts with gzip's magic bytes (every member of a multi-member file:
 * zlib goes on past each member's end), else passes it through. Streamed: at most a chunk of
 * decompressed bytes exists at a time.
 */
export async function* gunzipMaybe(src: AsyncIterable<Buffer>, name: string): AsyncGenerator<Buffer> {
  const it = src[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  if (sniff(first.value) !== 'gzip') {
    try {
      yield first.value;
      for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
    } finally {
      await it.return?.();
    }
    return;
  }
  async function* all(): AsyncGenerator<Buffer> {
    yield first.value;
    for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
  }
  const gunzip = zlib.createGunzip({ chunkSize: 1 << 20 });
  const input = Readable.from(all());
  input.on('error', (err) => gunzip.destroy(err));
  const out = input.pipe(gunzip);
  try {
    for await (const chunk of out as AsyncIterable<Buffer>) yield chunk;
  } catch (err) {
    if (err instanceof IafaError) throw err;
    const msg = (err as Error).message;
    const truncated = /unexpected end/i.test(msg);
    throw new IafaError(
      'validation',
      truncated
        ? `${name} is a truncated gzip file: the compressed data ends before its last member is complete (was the download cut short?).`
        : `${name} is not valid gzip data (${msg}).`,
      { reason: truncated ? 'truncated_gzip' : 'corrupt_gzip' },
    );
  } finally {
    input.destroy();
    gunzip.destroy();
    // The file under the stream is closed even when the reader stopped early (a preview).
    await it.return?.();
  }
}

/** Counts bytes against a budget shared by every member of an archive. */
async function* limited(src: AsyncIterable<Buffer>, budget: { left: number; total: number }, path: string, member: string): AsyncGenerator<Buffer> {
  for await (const chunk of src) {
    budget.left -= chunk.length;
    if (budget.left < 0) {
      throw new IafaError(
        'validation',
        `The zip archive ${path} expands past the memory budget (more than ${Math.round(budget.total / 1048576)} MB once decompressed, at member "${member}"): ` +
          'refused as a possible zip bomb. Unpack it yourself if it is genuine, or raise IAFA_IMPORT_MEMORY_MB.',
        { reason: 'zip_bomb', member },
      );
    }
    yield chunk;
  }
}

/** macOS and Windows leave these beside the real files. */
const JUNK = /(^|\/)(__MACOSX\/|\.DS_Store$|Thumbs\.db$|desktop\.ini$)/i;

/**
 * Opens a file as a set of byte streams, by content: gzip (streamed), zip (each member from the
 * central directory, inflated and gunzipped when it is itself .gz), or plain. Parquet is not
 * handled here: it needs random access (see parquet.ts).
 */
export function openContainer(path: string, magic: Magic, expandBudget: number): OpenedContainer {
  const label = path.split(/[\\/]/).pop() ?? path;
  if (magic === 'gzip') return { container: 'gzip', members: [{ name: label, open: () => gunzipMaybe(fileChunks(path), label) }], skipped: [] };
  if (magic !== 'zip') return { container: 'plain', members: [{ name: label, open: () => fileChunks(path, true) }], skipped: [] };
  const entries = readZipDirectory(path);
  const unsafe = entries.find((e) => unsafeMemberName(e.name));
  if (unsafe) {
    throw new IafaError(
      'validation',
      `The zip archive ${path} has a member named "${unsafe.name}", which points outside the archive's folder: refused (a malformed or hostile archive).`,
      { reason: 'unsafe_zip_name', member: unsafe.name },
    );
  }
  const files = entries.filter((e) => !e.name.endsWith('/') && !JUNK.test(e.name));
  const skipped = entries.filter((e) => !files.includes(e) && !e.name.endsWith('/')).map((e) => e.name);
  if (!files.length) throw new IafaError('validation', `The zip archive ${path} holds no files.`, { reason: 'empty_file' });
  const declared = files.reduce((a, e) => a + e.size, 0);
  if (declared > expandBudget) {
    throw new IafaError(
      'validation',
      `The zip archive ${path} would expand to ${Math.round(declared / 1048576)} MB, past the memory budget of ${Math.round(expandBudget / 1048576)} MB: ` +
        'refused as a possible zip bomb. Unpack it yourself if it is genuine, or raise IAFA_IMPORT_MEMORY_MB.',
      { reason: 'zip_bomb' },
    );
  }
  // One budget per pass over the archive: the directory's sizes may lie, the bytes do not.
  let budget = { left: expandBudget, total: expandBudget };
  let opened = new Set<string>();
  return {
    container: 'zip',
    skipped,
    members: files.map((e) => ({
      name: e.name,
      open: () => {
        if (opened.has(e.name)) {
          budget = { left: expandBudget, total: expandBudget };
          opened = new Set();
        }
        opened.add(e.name);
        return limited(gunzipMaybe(memberChunks(path, e), `${label}: ${e.name}`), budget, path, e.name);
      },
    })),
  };
}

/** The first `max` decompressed bytes of a member (less when it is shorter). */
export async function headOf(m: ByteMember, max = 1 << 20): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  const it = m.open()[Symbol.asyncIterator]();
  try {
    while (n < max) {
      const r = await it.next();
      if (r.done) break;
      parts.push(Buffer.from(r.value));
      n += r.value.length;
    }
  } finally {
    await it.return?.();
  }
  const all = Buffer.concat(parts);
  return all.length > max ? all.subarray(0, max) : all;
}
