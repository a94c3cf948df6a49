import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ColumnStore } from '../../src/core/import';
import { importFiles, type ImportEnv } from '../../src/core/import/importer';
import { seededRandom } from '../../src/core/random';
import { tempDir } from '../helpers/engine';
import { parseNdjsonKernel } from '../../src/core/import/json/ndjson-kernel';
import { canonEvents, mixpanelLines, ndjson, zipOf } from '../helpers/export-fixtures';

// NDJSON exports are read by the WebAssembly kernel (wasm/assembly/ndjson.ts) on this thread or
// in worker-thread ranges, or by the JavaScript reader (json/scan.ts + sink.ts). Both must
// store the same dataset: rows, users, times, every column's values per row, warnings.

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function importWith(file: string, reader: 'js' | 'wasm', workers = 0) {
  const env: ImportEnv = {
    dataDir: path.join(dir, `data-${reader}-${workers}`),
    budgetBytes: 4 * 1024 ** 3,
    signal: new AbortController().signal,
    progress: () => {},
    parallelMinBytes: workers ? 0 : 1 << 40,
    reader,
    workers: workers || undefined,
    jsonParallel: workers > 0,
  };
  return importFiles({ path: file }, env);
}

/** The dataset as plain values: per row (in stored order) the user, time and every column's text. */
function contents(out: Awaited<ReturnType<typeof importWith>>) {
  const store = ColumnStore.open(out.dir);
  const users = JSON.parse(fs.readFileSync(path.join(out.dir, 'users.json'), 'utf8')) as string[];
  const m = store.manifest;
  const names = m.columns.map((c) => c.name).sort();
  const cols = names.map((n) => store.column(n));
  const time = store.time;
  const start = store.userStart;
  const rows: string[] = [];
  for (let u = 0; u + 1 < start.length; u++) {
    for (let r = start[u]; r < start[u + 1]; r++) rows.push([users[u], time[r], ...cols.map((c) => c.dict[c.codes[r]])].join('|'));
  }
  return {
    names,
    rows, // (Duplicates are found after the ranges merge, so the kernel's count comes without lines, last.)
    warnings: out.warnings
      .map((w) => (w.reason === 'duplicate_event' ? { reason: w.reason, count: w.count } : w))
      .sort((a, b) => a.reason.localeCompare(b.reason)),
    rowCount: out.rowCount,
    userCount: out.userCount,
    events: out.events,
  };
}

async function expectSame(file: string, workers = [0, 2, 3]) {
  const js = contents(await importWith(file, 'js'));
  for (const w of workers) {
    const k = contents(await importWith(file, 'wasm', w));
    expect(k.names, `columns, ${w} workers`).toEqual(js.names);
    expect(k.rowCount).toBe(js.rowCount);
    expect(k.userCount).toBe(js.userCount);
    expect(k.rows.join('\n') === js.rows.join('\n'), `rows, ${w} workers`).toBe(true);
    expect(k.warnings).toEqual(js.warnings);
    expect(k.events).toEqual(js.events);
  }
  return js;
}

const MIXPANEL = {
  tool: 'mixpanel',
  user: 'properties.distinct_id',
  time: 'properties.time',
  event: 'event',
  timeFormat: 'unix_s',
  dedupe: 'properties.$insert_id',
} as const;

/** Whether the kernel itself reads the text (else the imports above compared the JavaScript reader with itself). */
async function kernelReads(text: string): Promise<boolean> {
  async function* one() {
    yield Buffer.from(text);
  }
  return (await parseNdjsonKernel(one(), MIXPANEL, text.length)) !== null;
}

function write(name: string, data: string | Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return p;
}

/** Mixpanel-shaped records with what exports hold besides: nulls, numbers, booleans, deeper objects, late keys, repeated keys, bad rows, CRLF and blank lines, UTF-8. */
function awkward(n: number, seed = 5): string {
  const r = seededRandom(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = 1_767_225_600 + Math.floor(r() * 30 * 86400);
    const user = r() < 0.01 ? '' : r() < 0.05 ? `user-${Math.floor(r() * 300)}-with-a-long-id` : String(Math.floor(r() * 2000));
    const props: string[] = [];
    props.push(`"time":${r() < 0.005 ? '"soon"' : r() < 0.05 ? `${t}.25` : r() < 0.1 ? `"${t}"` : t}`);
    if (r() > 0.003) props.push(`"distinct_id":${r() < 0.1 && /^[1-9]\d*$/.test(user) ? user : JSON.stringify(user)}`);
    // Now and then an insert id reused by another event (not a duplicate: kept, one value).
    props.push(`"$insert_id":"${(i % 89 === 0 ? i - 1 : i).toString(36)}"`);
    props.push(`"country":${JSON.stringify(pick(['US', 'DE', 'Zürich', '東京', '', 'BR']))}`);
    if (r() < 0.3) props.push(`"plan":${pick(['"free"', '"pro"', 'null', 'true', 'false', '3', '-2.5e3'])}`);
    if (i > n / 2 && r() < 0.5) props.push(`"late_key":"v${Math.floor(r() * 400)}"`);
    if (r() < 0.2)
      props.push(
        `"device":{"os":${JSON.stringify(pick(['ios', 'android']))},"screen":{"w":${pick([320, 1080])},"dark":${pick(['true', 'false'])}},"empty":{}}`,
      );
    if (r() < 0.01) props.push(`"country":"repeated"`);
    const event = r() < 0.005 ? '' : pick(['Viewed Home Page', 'Signed Up', 'Purchased', 'Searched', 'é']);
    const rec = `{ "event" : ${JSON.stringify(event)}, "properties": {${props.join(',')}}${r() < 0.01 ? ',"event":"Signed Up"' : ''}}`;
    out.push(rec + (r() < 0.2 ? '\r' : '') + (r() < 0.01 ? '\n' : ''));
    // Sent twice: an exact duplicate (same $insert_id, user, event and time), dropped.
    if (i % 97 === 0) out.push(rec);
  }
  return out.join('\n') + '\n';
}

describe('NDJSON: the WebAssembly kernel stores what the JavaScript reader stores', () => {
  it('a Mixpanel export with duplicates, on this thread and in 2 or 3 worker ranges', async () => {
    const mp = mixpanelLines(canonEvents(800));
    expect(await kernelReads(ndjson(mp.lines))).toBe(true);
    const js = await expectSame(write('mp.ndjson', ndjson(mp.lines)));
    expect(js.warnings.find((w) => w.reason === 'duplicate_event')?.count).toBe(mp.duplicates);
    expect(js.rowCount).toBeGreaterThan(1000);
  });

  it('awkward records: nulls, numbers, booleans, nested objects, late and repeated keys, bad rows, CRLF, blank lines, UTF-8', async () => {
    const text = awkward(30_000);
    expect(await kernelReads(text)).toBe(true);
    const js = await expectSame(write('awkward.ndjson', text));
    expect(js.names).toContain('properties.device.screen.w');
    expect(js.names).toContain('properties.late_key');
    expect(js.warnings.map((w) => w.reason).sort()).toEqual(['bad_timestamp', 'duplicate_event', 'missing_event', 'missing_user']);
    // The kernel appends insert ids unhashed; read back, each value has one code.
    const out = await importWith(path.join(dir, 'awkward.ndjson'), 'wasm', 2);
    const ids = ColumnStore.open(out.dir).column('properties.$insert_id');
    expect(new Set(ids.dict).size).toBe(ids.dict.length);
    expect(ids.dict.length).toBeGreaterThan(20_000);
  });

  it('records far shorter after the first read piece (the kernel grows its columns past its estimate)', async () => {
    // The first 1 MB piece holds ~900 long records: the columns are sized for a few thousand,
    // and 150,000 short ones follow.
    const lines: string[] = [];
    for (let i = 0; i < 900; i++)
      lines.push(JSON.stringify({ event: 'a', properties: { time: 1_767_225_600 + i, distinct_id: `u${i % 300}`, note: 'z'.repeat(1100) } }));
    for (let i = 0; i < 150_000; i++)
      lines.push(JSON.stringify({ event: i % 3 ? 'a' : 'b', properties: { time: 1_767_300_000 + i, distinct_id: `u${i % 700}`, q: `q${i % 5}` } }));
    const text = ndjson(lines);
    expect(await kernelReads(text)).toBe(true);
    const js = await expectSame(write('short-later.ndjson', text));
    expect(js.rowCount).toBe(150_900);
    // The preview's first megabyte ends inside a long string: that record is left out of the
    // sample, not read as malformed (it was, in NDJSON and in one-line JSON arrays alike).
    const array = contents(await importWith(write('short-later.json', `[${lines.join(',')}]`), 'js'));
    expect(array.rows.join('\n') === js.rows.join('\n')).toBe(true);
  });

  it('.gz in several members and a zip of parts, read as they stream', async () => {
    const text = awkward(8000, 9);
    const third = Math.ceil(text.length / 3);
    const cut = text.indexOf('\n', third) + 1;
    const gz = Buffer.concat([zlib.gzipSync(text.slice(0, cut)), zlib.gzipSync(text.slice(cut))]);
    const a = contents(await importWith(write('a.ndjson', text), 'js'));
    for (const file of [
      write('a.ndjson.gz', gz),
      write(
        'a.zip',
        zipOf([
          { name: 'p0.json', data: Buffer.from(text.slice(0, cut)) },
          { name: 'p1.json', data: Buffer.from(text.slice(cut)) },
        ]),
      ),
    ]) {
      const k = contents(await importWith(file, 'wasm'));
      expect(k.names).toEqual(a.names);
      expect(k.rows.join('\n') === a.rows.join('\n'), file).toBe(true);
      expect(k.warnings).toEqual(a.warnings);
    }
  });

  it("records the kernel leaves to JavaScript (escapes, arrays) give the JavaScript reader's dataset", async () => {
    const base = awkward(3000, 13).trimEnd().split('\n');
    base.splice(2500, 0, '{"event":"Signed Up","properties":{"time":1767225600,"distinct_id":"q\\"uoted","tags":["a","b"]}}');
    const text = base.join('\n') + '\n';
    expect(await kernelReads(text)).toBe(false);
    await expectSame(write('escaped.ndjson', text), [0, 2]);
  });
});
