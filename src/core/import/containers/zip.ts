import fs from 'node:fs';
import zlib from 'node:zlib';
import { IafaError } from '../../../shared/contract/iafa-error';

export interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * The members of a zip file, from its central directory (the authoritative list at the end of
 * the file; local headers may carry zero sizes when the archive was streamed). Only what event
 * exports use: stored and deflated members, no encryption, no zip64.
 */
export function readZipDirectory(path: string): ZipEntry[] {
  const fd = fs.openSync(path, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const tailLen = Math.min(size, 65557);
    const tail = Buffer.alloc(tailLen);
    fs.readSync(fd, tail, 0, tailLen, size - tailLen);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw bad(path, 'its central directory is missing (the file is truncated or not a zip archive)', 'corrupt_zip');
    const count = tail.readUInt16LE(eocd + 10);
    const dirSize = tail.readUInt32LE(eocd + 12);
    const dirOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || dirOffset === 0xffffffff)
      throw bad(path, 'it is a zip64 archive, which is not supported; re-zip it or unpack it first', 'unsupported_zip');
    if (dirOffset + dirSize > size) throw bad(path, 'its central directory points past the end of the file (truncated archive)', 'corrupt_zip');
    const dir = Buffer.alloc(dirSize);
    fs.readSync(fd, dir, 0, dirSize, dirOffset);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL) throw bad(path, 'its central directory is damaged', 'corrupt_zip');
      const flags = dir.readUInt16LE(p + 8);
      const method = dir.readUInt16LE(p + 10);
      const nameLen = dir.readUInt16LE(p + 28);
      const extraLen = dir.readUInt16LE(p + 30);
      const commentLen = dir.readUInt16LE(p + 32);
      const name = dir.toString((flags & 0x800) !== 0 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen);
      if (flags & 1) throw bad(path, `member "${name}" is encrypted`, 'unsupported_zip');
      entries.push({
        name,
        method,
        crc: dir.readUInt32LE(p + 16),
        compressedSize: dir.readUInt32LE(p + 20),
        size: dir.readUInt32LE(p + 24),
        localOffset: dir.readUInt32LE(p + 42),
      });
      p += 46 + nameLen + extraLen + commentLen;
    }
    return entries;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A member name that would escape a folder if it were ever used as a path. Names are never used
 * as paths here (members are streamed, not extracted), but such an archive is malformed or
 * hostile, so it is refused rather than guessed at.
 */
export function unsafeMemberName(name: string): boolean {
  const n = name.replace(/\\/g, '/');
  return n.startsWith('/') || /^[a-zA-Z]:/.test(n) || n.split('/').includes('..') || n.includes('\0');
}

function bad(path: string, why: string, reason: string): IafaError {
  return new IafaError('validation', `Cannot read the zip archive ${path}: ${why}.`, { reason });
}

/** Where a member's data starts: after its local header, whose name and extra lengths may differ from the central one. */
function dataOffset(fd: number, path: string, e: ZipEntry): number {
  const h = Buffer.alloc(30);
  fs.readSync(fd, h, 0, 30, e.localOffset);
  if (h.readUInt32LE(0) !== LOCAL) throw bad(path, `member "${e.name}" has no local header where the directory says`, 'corrupt_zip');
  return e.localOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
}

/** Streams one member's bytes, inflated, checking its CRC-32 and length at the end. */
export async function* memberChunks(path: string, e: ZipEntry): AsyncGenerator<Buffer> {
  if (e.method !== 0 && e.method !== 8)
    throw bad(path, `member "${e.name}" uses compression method ${e.method}; only stored and deflated members are supported`, 'unsupported_zip');
  const fd = fs.openSync(path, 'r');
  let start: number;
  try {
    start = dataOffset(fd, path, e);
  } finally {
    fs.closeSync(fd);
  }
  // An empty member (zero compressed bytes) has nothing to stream: a read stream cannot be opened on an empty range.
  if (e.compressedSize === 0) {
    if (e.size !== 0) throw bad(path, `member "${e.name}" is corrupt (the directory gives it ${e.size} bytes but no compressed data)`, 'corrupt_zip');
    return;
  }
  const raw = fs.createReadStream(path, { start, end: start + e.compressedSize - 1, highWaterMark: 1 << 20 });
  const stream = e.method === 8 ? raw.pipe(zlib.createInflateRaw({ chunkSize: 1 << 20 })) : raw;
  let crc = 0;
  let n = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      n += chunk.length;
      crc = zlib.crc32(chunk, crc);
      yield chunk;
    }
  } catch (err) {
    throw bad(path, `member "${e.name}" is corrupt (${(err as Error).message})`, 'corrupt_zip');
  } finally {
    raw.destroy();
    if (stream !== raw) (stream as zlib.InflateRaw).destroy();
  }
  if (n !== e.size || crc >>> 0 !== e.crc >>> 0)
    throw bad(path, `member "${e.name}" is corrupt (its ${n !== e.size ? 'length' : 'CRC-32 checksum'} does not match the directory)`, 'corrupt_zip');
}
