import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {
  amplitudeLines,
  canonEvents,
  ga4Rows,
  genericNested,
  gzipMembers,
  jsonPropertyCsv,
  jsonStringProperties,
  mixpanelLines,
  ndjson,
  segmentCalls,
  writeParquet,
  zipOf,
} from './export-fixtures';

/**
 * The importer fuzz test's generators for what the export readers take (issue #16 "Also"): nested
 * JSON exports of each tool as seeds, Parquet seeds written once per run, and containers (gzip,
 * zip) that wrap a seed's bytes and then break their own structure: truncation, bit flips, lying
 * sizes, a damaged central directory, hostile member names, mixed shapes.
 */

export type Rand = () => number;
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
export const int = (r: Rand, n: number) => Math.floor(r() * n);

export interface Seed {
  name: string;
  ext: string;
  make(r: Rand): string | Buffer;
  /** Binary seeds (Parquet) get byte mutations only: text edits would only garble them the same way. */
  binary?: boolean;
}

/** A few users' events (a fresh set per case) as each tool exports them. */
const canon = (r: Rand) => canonEvents(3 + int(r, 6), 1 + int(r, 1e6));
export const NESTED_SEEDS: Seed[] = [
  { name: 'mixpanel ndjson', ext: '.json', make: (r) => ndjson(mixpanelLines(canon(r)).lines) },
  { name: 'amplitude ndjson', ext: '.json', make: (r) => ndjson(amplitudeLines(canon(r))) },
  { name: 'segment ndjson', ext: '.ndjson', make: (r) => ndjson(segmentCalls(canon(r)).calls) },
  { name: 'ga4 ndjson', ext: '.json', make: (r) => ndjson(ga4Rows(canon(r))) },
  { name: 'json-property csv', ext: '.csv', make: (r) => jsonPropertyCsv(canon(r)) },
  { name: 'string-properties json', ext: '.json', make: (r) => JSON.stringify(jsonStringProperties(canon(r))) },
  { name: 'generic nested json', ext: '.json', make: (r) => JSON.stringify(genericNested(canon(r)), null, r() < 0.5 ? 2 : undefined) },
];

/**
 * Valid Parquet files, written through DuckDB once per run (a few hundred milliseconds): flat
 * events, a Mixpanel export (a struct column) and a GA4 export (lists of structs), one codec each.
 */
export async function parquetSeeds(dir: string, flatNdjson: string): Promise<Seed[]> {
  const ev = canonEvents(12, 5);
  const sources: [string, string, 'snappy' | 'gzip' | 'zstd'][] = [
    ['flat events', flatNdjson, 'snappy'],
    ['mixpanel', ndjson(mixpanelLines(ev).lines), 'zstd'],
    ['ga4', ndjson(ga4Rows(ev)), 'gzip'],
  ];
  const out: Seed[] = [];
  for (const [name, text, codec] of sources) {
    const src = path.join(dir, `${name.replace(/\W/g, '_')}.ndjson`);
    const dst = src.replace(/\.ndjson$/, '.parquet');
    fs.writeFileSync(src, text);
    await writeParquet(src, dst, codec);
    const bytes = fs.readFileSync(dst);
    out.push({ name: `parquet ${name} (${codec})`, ext: '.parquet', make: () => bytes, binary: true });
  }
  return out;
}

/** Parquet's metadata is in its footer: flips there break the schema and offsets, not just a page. */
export function parquetFooterFlip(r: Rand, b: Buffer): Buffer {
  const c = Buffer.from(b);
  if (c.length < 16) return c;
  const footer = c.readUInt32LE(c.length - 8);
  const from = Math.max(4, c.length - 8 - Math.min(footer, c.length - 12));
  for (let k = 1 + int(r, 4); k > 0; k--) {
    const at = from + int(r, c.length - 8 - from);
    c[at] = r() < 0.5 ? c[at] ^ (1 << int(r, 8)) : int(r, 256);
  }
  // Sometimes the footer length itself lies.
  if (r() < 0.2) c.writeUInt32LE(pick(r, [0, 1, footer + 1, footer * 2, 0xffffffff]), c.length - 8);
  return c;
}

/** A seed's bytes cut in the middle with the original footer put back: offsets point past the end. */
export function parquetCutKeepFooter(r: Rand, b: Buffer): Buffer {
  if (b.length < 16) return b;
  const footer = Math.min(b.readUInt32LE(b.length - 8) + 8, b.length - 4);
  const body = b.subarray(0, b.length - footer);
  return Buffer.concat([body.subarray(0, 4 + int(r, Math.max(1, body.length - 4))), b.subarray(b.length - footer)]);
}

export interface Wrapped {
  container: string;
  ext: string;
  bytes: Buffer;
}

/** Where the zip's central directory starts and how many entries it lists (zipOf writes no comment). */
function eocd(z: Buffer): { at: number; count: number; dirOffset: number } {
  const at = z.length - 22;
  return { at, count: z.readUInt16LE(at + 10), dirOffset: z.readUInt32LE(at + 16) };
}

/** Offsets of the central directory's entries. */
function centralEntries(z: Buffer): number[] {
  const { count, dirOffset } = eocd(z);
  const out: number[] = [];
  let p = dirOffset;
  for (let i = 0; i < count && p + 46 <= z.length; i++) {
    out.push(p);
    p += 46 + z.readUInt16LE(p + 28) + z.readUInt16LE(p + 30) + z.readUInt16LE(p + 32);
  }
  return out;
}

/** Breaks a zip's structure in one of the ways real damage or a hostile archive does. */
export function corruptZip(r: Rand, z: Buffer): { how: string; bytes: Buffer } {
  const c = Buffer.from(z);
  const e = eocd(c);
  const entries = centralEntries(c);
  const entry = entries.length ? pick(r, entries) : e.dirOffset;
  switch (int(r, 10)) {
    case 0: {
      for (let k = 1 + int(r, 6); k > 0; k--) c[e.dirOffset + int(r, c.length - e.dirOffset)] = int(r, 256);
      return { how: 'central directory bytes flipped', bytes: c };
    }
    case 1:
      c.writeUInt16LE(pick(r, [0, e.count + 1, e.count + 7, 0xffff]), e.at + 10);
      return { how: 'entry count lies', bytes: c };
    case 2:
      c.writeUInt32LE(pick(r, [0, e.dirOffset + 1, e.dirOffset - 1 < 0 ? 0 : e.dirOffset - 1, c.length, 0xffffffff]), e.at + 16);
      return { how: 'directory offset lies', bytes: c };
    case 3:
      c.writeUInt32LE(pick(r, [0, 1, c.length * 2, 0xfffffff0]), e.at + 12);
      return { how: 'directory size lies', bytes: c };
    case 4:
      if (entry + 46 <= c.length) c.writeUInt16LE(pick(r, [1, 6, 9, 12, 14, 93, 99]), entry + 10);
      return { how: 'unsupported compression method', bytes: c };
    case 5:
      if (entry + 46 <= c.length) c.writeUInt16LE(c.readUInt16LE(entry + 8) | pick(r, [1, 8, 0x40]), entry + 8);
      return { how: 'encrypted / data-descriptor flags', bytes: c };
    case 6:
      if (entry + 46 <= c.length) c.writeUInt32LE(pick(r, [0, 1, c.length, 0xfffffff0, 0xffffffff]), entry + 20);
      return { how: 'compressed size lies', bytes: c };
    case 7:
      if (entry + 46 <= c.length) c.writeUInt32LE(pick(r, [1, 30, c.length - 1, c.length + 100, 0xffffffff]), entry + 42);
      return { how: 'local header offset lies', bytes: c };
    case 8:
      if (entry + 46 <= c.length) c.writeUInt16LE(pick(r, [0, 200, 0xffff]), entry + 28 + 2 * int(r, 3));
      return { how: 'name/extra/comment length lies', bytes: c };
    default:
      return { how: 'truncated', bytes: c.subarray(0, int(r, c.length)) };
  }
}

/** Breaks a gzip stream: cut short, flipped bits (body, header or CRC trailer), trailing junk. */
export function corruptGzip(r: Rand, g: Buffer): { how: string; bytes: Buffer } {
  const c = Buffer.from(g);
  switch (int(r, 5)) {
    case 0:
      return { how: 'truncated', bytes: c.subarray(0, int(r, c.length)) };
    case 1:
      return { how: 'truncated before the trailer', bytes: c.subarray(0, Math.max(0, c.length - 1 - int(r, 8))) };
    case 2: {
      for (let k = 1 + int(r, 4); k > 0; k--) {
        const at = int(r, c.length);
        c[at] ^= 1 << int(r, 8);
      }
      return { how: 'bit flips', bytes: c };
    }
    case 3:
      c[pick(r, [2, 3, c.length - 1, c.length - 5, c.length - 8])] ^= 0xff;
      return { how: 'header / trailer byte', bytes: c };
    default:
      return { how: 'trailing junk', bytes: Buffer.concat([c, Buffer.from(pick(r, ['\n', 'garbage', '\x1f\x8b', '\x1f\x8b\x08\x00junk']))]) };
  }
}

/** One member name, hostile sometimes. */
const HOSTILE_NAMES = ['../events.json', '../../etc/passwd', '/abs/events.json', 'C:\\events.json', 'a/../../b.json', 'ok/..\\..\\x.json', 'nul\0byte.json'];
const JUNK_MEMBERS = ['__MACOSX/._events.json', '.DS_Store', 'Thumbs.db', 'folder/'];

/** Splits text into `n` pieces at line ends (hourly files of one export). */
function splitAtLines(b: Buffer, n: number): Buffer[] {
  if (n <= 1 || b.length < 2) return [b];
  const out: Buffer[] = [];
  let start = 0;
  for (let k = 1; k < n; k++) {
    const nl = b.indexOf(10, Math.floor((b.length * k) / n));
    if (nl < 0 || nl + 1 <= start) continue;
    out.push(b.subarray(start, nl + 1));
    start = nl + 1;
  }
  out.push(b.subarray(start));
  return out;
}

/**
 * Wraps a (possibly already mutated) seed in a container, sometimes breaking the container too.
 * `other` gives a second seed's bytes, for mixed shapes; `bomb` asks for a member that expands
 * past the test's memory budget (the caller gives the size).
 */
export function wrap(r: Rand, inner: Buffer, seedExt: string, other: () => { bytes: Buffer; ext: string }, bombBytes: number): Wrapped {
  const kind = pick(r, ['gzip', 'gzip multi-member', 'zip', 'zip members', 'zip mixed', 'zip hostile name', 'zip bomb', 'zip junk', 'zip of gz']);
  const memberName = `events${seedExt}`;
  let bytes: Buffer;
  let label: string = kind;
  if (kind === 'gzip') bytes = zlib.gzipSync(inner);
  else if (kind === 'gzip multi-member') {
    // Sometimes the second member is another export: two shapes in one stream.
    bytes = r() < 0.3 ? Buffer.concat([zlib.gzipSync(inner), zlib.gzipSync(other().bytes)]) : gzipMembers(inner.toString('latin1'), 2 + int(r, 4));
    if (r() < 0.15) bytes = Buffer.concat([bytes, zlib.gzipSync(Buffer.alloc(0))]);
  } else {
    const store = () => r() < 0.3;
    let members: { name: string; data: Buffer; store?: boolean; fakeSize?: number }[];
    if (kind === 'zip members') {
      // Hourly CSV files each start with the header (JSON lines need none).
      const parts = splitAtLines(inner, 2 + int(r, 3));
      const header = seedExt === '.csv' && r() < 0.8 ? parts[0].subarray(0, parts[0].indexOf(10) + 1) : Buffer.alloc(0);
      members = parts.map((data, i) => ({ name: `part-${i}${seedExt}`, data: i ? Buffer.concat([header, data]) : data, store: store() }));
    } else if (kind === 'zip mixed') {
      const o = other();
      members = [
        { name: memberName, data: inner },
        { name: `other${o.ext}`, data: o.bytes, store: store() },
      ];
    } else if (kind === 'zip hostile name')
      members = [
        { name: memberName, data: inner },
        { name: pick(r, HOSTILE_NAMES), data: inner, store: store() },
      ];
    else if (kind === 'zip bomb') {
      // A member that expands past the budget, its size told honestly or hidden behind a lie.
      const big = Buffer.alloc(bombBytes, inner.length ? inner : Buffer.from('a'));
      const lie = r() < 0.5;
      label = `zip bomb (${lie ? 'size hidden' : 'size declared'})`;
      members = [{ name: memberName, data: big, fakeSize: lie ? pick(r, [0, 1000, inner.length]) : undefined }];
    } else if (kind === 'zip junk')
      members = [
        ...JUNK_MEMBERS.filter(() => r() < 0.6).map((name) => ({ name, data: name.endsWith('/') ? Buffer.alloc(0) : Buffer.from('\0\x05junk') })),
        { name: memberName, data: inner, store: store() },
        ...(r() < 0.3 ? [{ name: 'empty.json', data: Buffer.alloc(0) }] : []),
      ];
    else if (kind === 'zip of gz')
      members = [{ name: `${memberName}.gz`, data: r() < 0.3 ? corruptGzip(r, zlib.gzipSync(inner)).bytes : zlib.gzipSync(inner), store: true }];
    else members = [{ name: memberName, data: inner, store: store() }];
    bytes = zipOf(members);
  }
  // The container's own structure is broken sometimes (a damaged download, a hostile archive).
  if (kind !== 'zip bomb' && r() < 0.35) {
    const broken = kind.startsWith('gzip') ? corruptGzip(r, bytes) : corruptZip(r, bytes);
    bytes = broken.bytes;
    label += `, ${broken.how}`;
  }
  return { container: label, ext: kind.startsWith('gzip') ? '.gz' : '.zip', bytes };
}
