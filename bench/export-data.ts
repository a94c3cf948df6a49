import fs from 'node:fs';
import readline from 'node:readline';

/**
 * The bench CSV (writeBenchLog) rewritten as a Mixpanel raw export: one JSON object per line,
 * {"event", "properties": {"time" (unix s), "distinct_id", "$insert_id", the four segments}},
 * the shape Mixpanel's export API documents. Same events, same order.
 */
export async function csvToMixpanel(csv: string, out: string): Promise<number> {
  const rl = readline.createInterface({ input: fs.createReadStream(csv), crlfDelay: Infinity });
  const fd = fs.openSync(out, 'w');
  let n = 0;
  let buf: string[] = [];
  let header = true;
  for await (const line of rl) {
    if (header) {
      header = false;
      continue;
    }
    if (!line) continue;
    const [u, t, e, country, platform, plan, tenure] = line.split(',');
    buf.push(
      `{"event":"${e}","properties":{"time":${t},"distinct_id":"${u}","$insert_id":"${(n++).toString(36).padStart(8, '0')}","mp_lib":"web","country":"${country}","platform":"${platform}","plan":"${plan}","tenure":"${tenure}"}}`,
    );
    if (buf.length === 50000) {
      fs.writeSync(fd, buf.join('\n') + '\n');
      buf = [];
    }
  }
  if (buf.length) fs.writeSync(fd, buf.join('\n') + '\n');
  fs.closeSync(fd);
  return n;
}

/** gzip of a file, streamed. */
export async function gzipFile(src: string, out: string): Promise<void> {
  const { pipeline } = await import('node:stream/promises');
  const zlib = await import('node:zlib');
  await pipeline(fs.createReadStream(src), zlib.createGzip({ level: 6 }), fs.createWriteStream(out));
}

/**
 * A zip of the file cut into `parts` line-aligned members, deflated and written as streamed zips
 * are (sizes and CRC in a data descriptor after each member, and in the central directory).
 */
export async function zipFile(src: string, out: string, parts = 4): Promise<void> {
  const zlib = await import('node:zlib');
  const size = fs.statSync(src).size;
  const fd = fs.openSync(src, 'r');
  const outFd = fs.openSync(out, 'w');
  const central: Buffer[] = [];
  let offset = 0;
  let pos = 0;
  const write = (b: Buffer) => {
    fs.writeSync(outFd, b);
    offset += b.length;
  };
  for (let k = 0; k < parts && pos < size; k++) {
    // Member k ends at the first newline after its share of the file.
    let end = k === parts - 1 ? size : Math.min(size, Math.round(((k + 1) * size) / parts));
    if (end < size) {
      const probe = Buffer.alloc(1 << 16);
      const n = fs.readSync(fd, probe, 0, probe.length, end);
      const nl = probe.subarray(0, n).indexOf(10);
      end = nl < 0 ? size : end + nl + 1;
    }
    const name = Buffer.from(`export/part-${k}.json`);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x808, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(name.length, 26);
    const localOffset = offset;
    write(Buffer.concat([local, name]));
    const deflate = zlib.createDeflateRaw({ level: 6 });
    let crc = 0;
    let comp = 0;
    const done = new Promise<void>((resolve, reject) => {
      deflate.on('data', (c: Buffer) => {
        comp += c.length;
        write(c);
      });
      deflate.on('end', resolve);
      deflate.on('error', reject);
    });
    const buf = Buffer.allocUnsafe(1 << 22);
    for (let p = pos; p < end;) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, end - p), p);
      const chunk = Buffer.from(buf.subarray(0, n));
      crc = zlib.crc32(chunk, crc);
      if (!deflate.write(chunk)) await new Promise((r) => deflate.once('drain', r));
      p += n;
    }
    deflate.end();
    await done;
    const desc = Buffer.alloc(16);
    desc.writeUInt32LE(0x08074b50, 0);
    desc.writeUInt32LE(crc >>> 0, 4);
    desc.writeUInt32LE(comp, 8);
    desc.writeUInt32LE(end - pos, 12);
    write(desc);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(0x808, 8);
    ch.writeUInt16LE(8, 10);
    ch.writeUInt32LE(crc >>> 0, 16);
    ch.writeUInt32LE(comp, 20);
    ch.writeUInt32LE(end - pos, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(localOffset, 42);
    central.push(ch, name);
    pos = end;
  }
  const dir = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(central.length / 2, 8);
  eocd.writeUInt16LE(central.length / 2, 10);
  eocd.writeUInt32LE(dir.length, 12);
  eocd.writeUInt32LE(offset, 16);
  write(Buffer.concat([dir, eocd]));
  fs.closeSync(fd);
  fs.closeSync(outFd);
}

/** Parquet (zstd, nested `properties` struct) written by DuckDB from the NDJSON. */
export async function parquetFile(src: string, out: string): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`COPY (SELECT * FROM read_ndjson_auto('${src}')) TO '${out}' (FORMAT parquet, COMPRESSION zstd)`);
  c.closeSync();
}
