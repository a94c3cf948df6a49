import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importFiles, type ImportEnv } from '../../src/core/import/importer';
import { seededRandom } from '../../src/core/random';
import { tempDir } from '../helpers/engine';

// The three ways a CSV event log is read must store byte-identical datasets: the sequential
// reader (CsvScanner), the chunk reader in JavaScript (fast-rows.ts) and in WebAssembly
// (wasm/assembly/parse.ts), on this thread or in 2 or 3 worker threads.

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Reader = 'sequential' | 'js' | 'wasm';

async function importWith(file: string, reader: Reader, workers = 2) {
  let rowsRead = 0;
  const env: ImportEnv = {
    // Where the app starts the funnel helper thread: every reader calls it before the import ends.
    onRowsRead: () => rowsRead++,
    dataDir: path.join(dir, `data-${reader}-${workers}`),
    budgetBytes: 4 * 1024 ** 3,
    signal: new AbortController().signal,
    progress: () => {},
    parallelMinBytes: 0,
    reader: reader === 'sequential' ? 'scanner' : reader,
    workers,
  };
  const out = await importFiles({ path: file }, env);
  expect(rowsRead).toBeGreaterThan(0);
  const files = Object.fromEntries(
    fs
      .readdirSync(out.dir)
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(out.dir, f))]),
  );
  return { out, files };
}

function expectSameStore(a: Awaited<ReturnType<typeof importWith>>, b: Awaited<ReturnType<typeof importWith>>) {
  expect(Object.keys(b.files)).toEqual(Object.keys(a.files));
  for (const [name, bytes] of Object.entries(a.files)) {
    // toBe on a boolean: a diff of two 20 MB buffers would be unreadable.
    expect(bytes.equals(b.files[name]), `${name} differs`).toBe(true);
  }
  expect(b.out.warnings).toEqual(a.out.warnings);
  expect(b.out.rowCount).toBe(a.out.rowCount);
  expect(b.out.userCount).toBe(a.out.userCount);
  expect(b.out.events).toEqual(a.out.events);
}

/**
 * About 22 MB (so each of 2 chunks spans many read pieces) of awkward but quote-free rows:
 * CRLF and LF endings, blank lines, short and long rows, bad and fractional times, empty users
 * and events, ids longer than 8 bytes and with leading zeros, UTF-8, CRs inside a row, a
 * column with more than 256 values and one with more than 65,536; the first half in time order
 * (users interleave across chunks), the second shuffled.
 */
function writeAwkwardLog(file: string): void {
  const r = seededRandom(11);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const lines: string[] = ['user_id,ts,event,country,session,page,note'];
  const events = ['view', 'cart', 'checkout', 'purchase', 'wishlist_added_long_name', 'é'];
  const countries = ['US', 'DE', 'Zürich', '東京', 'BR', ''];
  let t = 1_700_000_000;
  const row = () => {
    const x = r();
    // Mostly dense numeric ids; some far out of their range (past the kernel's id array), some
    // with leading zeros, some long strings.
    const u =
      x < 0.02
        ? `user-with-a-long-identifier-${Math.floor(r() * 500)}`
        : x < 0.03
          ? `00${Math.floor(r() * 50)}`
          : x < 0.04
            ? String(123_456_789_000_000 + Math.floor(r() * 100))
            : String(Math.floor(r() * 60_000));
    t += Math.floor(r() * 3);
    const ts = r() < 0.001 ? 'not-a-time' : r() < 0.01 ? `${t}.5` : String(t);
    const ev = r() < 0.001 ? '' : pick(events);
    const user = r() < 0.001 ? '' : u;
    const cells = [
      user,
      ts,
      ev,
      pick(countries),
      `s${Math.floor(r() * 80_000)}`,
      `p${Math.floor(r() * 700)}${r() < 0.001 ? '\r' : ''}`,
      r() < 0.001 ? 'a\rb' : 'x',
    ];
    if (r() < 0.002) cells.length = 4;
    if (r() < 0.002) cells.push('extra', 'cells');
    return cells.join(',') + (r() < 0.3 ? '\r' : '');
  };
  const first: string[] = [];
  const second: string[] = [];
  for (let i = 0; i < 260_000; i++) first.push(row());
  for (let i = 0; i < 260_000; i++) second.push(row());
  for (let i = second.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [second[i], second[j]] = [second[j], second[i]];
  }
  for (const l of [...first, ...second]) {
    lines.push(l);
    if (r() < 0.001) lines.push('');
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

describe('CSV readers agree byte for byte', () => {
  const file = path.join(dir, 'awkward.csv');
  writeAwkwardLog(file);

  it('has the awkward cases it claims', () => {
    expect(fs.statSync(file).size).toBeGreaterThan(20 << 20);
  });

  it('sequential, JavaScript workers and WebAssembly workers store the same dataset', async () => {
    const seq = await importWith(file, 'sequential');
    expect(seq.out.warnings.map((w) => w.reason).sort()).toEqual(['bad_timestamp', 'missing_event', 'missing_user']);
    const manifest = JSON.parse(seq.files['manifest.json'].toString()) as { columns: { name: string; width: number }[] };
    expect(Object.fromEntries(manifest.columns.map((c) => [c.name, c.width]))).toMatchObject({ country: 1, page: 2, session: 4 });
    expectSameStore(seq, await importWith(file, 'js'));
    expectSameStore(seq, await importWith(file, 'wasm'));
    expectSameStore(seq, await importWith(file, 'wasm', 3));
    // No workers: the whole file as one chunk on the calling thread (how small files are read).
    expectSameStore(seq, await importWith(file, 'wasm', 0));
  }, 120_000);

  it('the shipped sample (property values that repeat together) gives the same dataset', async () => {
    const sample = path.join(__dirname, '..', '..', 'resources', 'samples', 'pinterest_events.csv');
    const seq = await importWith(sample, 'sequential');
    expect(seq.out.rowCount).toBeGreaterThan(200_000);
    expectSameStore(seq, await importWith(sample, 'wasm'));
    expectSameStore(seq, await importWith(sample, 'wasm', 0));
  }, 60_000);

  it('plain numeric user ids, dense or spread over 14 digits, give the same dataset', async () => {
    for (const spread of [false, true]) {
      const file = path.join(dir, `numeric-${spread}.csv`);
      const r = seededRandom(5);
      const rows = ['uid,ts,action,tier'];
      for (let i = 0; i < 300_000; i++) {
        const id = spread && r() < 0.3 ? 10 ** 13 + Math.floor(r() * 1e6) : Math.floor(r() * 40_000);
        rows.push(`${id},${1_700_000_000 + i * 7 - Math.floor(r() * 5000)},${r() < 0.7 ? 'open' : 'pay'},${r() < 0.5 ? 'gold' : 'free'}`);
      }
      fs.writeFileSync(file, rows.join('\n') + '\n');
      const seq = await importWith(file, 'sequential');
      expectSameStore(seq, await importWith(file, 'wasm'));
      expectSameStore(seq, await importWith(file, 'js', 3));
    }
  }, 60_000);

  it('a row longer than a read piece (1 MB in the kernel, 8 MB in JavaScript) gives the same dataset', async () => {
    const file = path.join(dir, 'long-row.csv');
    const rows = ['user_id,ts,event,blob'];
    for (let i = 0; i < 20_000; i++) rows.push(`${i % 300},${1_700_000_000 + i},${i % 4 ? 'a' : 'b'},x${i % 9}`);
    rows.splice(10_000, 0, `77,1700005000,a,${'y'.repeat(9 << 20)}`);
    fs.writeFileSync(file, rows.join('\n') + '\n');
    const seq = await importWith(file, 'sequential');
    expect(seq.out.rowCount).toBe(20_001);
    expectSameStore(seq, await importWith(file, 'wasm', 0));
    expectSameStore(seq, await importWith(file, 'wasm'));
    expectSameStore(seq, await importWith(file, 'js'));
  }, 60_000);

  it('rows far shorter after the first read piece (the kernel grows its columns past its estimate) give the same dataset', async () => {
    const file = path.join(dir, 'short-later.csv');
    const rows = ['user_id,ts,event,blob'];
    // The first 1 MB piece holds ~1,000 long rows: the columns are sized for ~7,000 rows, and
    // 200,000 follow.
    for (let i = 0; i < 1_100; i++) rows.push(`${i % 300},${1_700_000_000 + i},a,${'z'.repeat(1000)}`);
    for (let i = 0; i < 200_000; i++) rows.push(`${i % 700},${1_700_100_000 + i},${i % 3 ? 'a' : 'b'},q${i % 5}`);
    fs.writeFileSync(file, rows.join('\n') + '\n');
    const seq = await importWith(file, 'sequential');
    expect(seq.out.rowCount).toBe(201_100);
    expectSameStore(seq, await importWith(file, 'wasm', 0));
    expectSameStore(seq, await importWith(file, 'wasm'));
  }, 60_000);

  it('ISO times, including one only the slow parser reads, give the same dataset', async () => {
    const iso = path.join(dir, 'iso.csv');
    const rows = ['user_id,event_time,event_type'];
    for (let i = 0; i < 40_000; i++) {
      const d = new Date(Date.UTC(2026, 0, 1) + i * 61_000);
      const s = i % 3 === 0 ? d.toISOString() : i % 3 === 1 ? d.toISOString().replace('Z', '+02:00') : d.toISOString().slice(0, 19).replace('T', ' ');
      rows.push(`u${i % 997},${s},${i % 5 ? 'view' : 'buy'}`);
    }
    // A spelling parseIsoBytes rejects but Date understands: the WebAssembly reader hands the
    // chunk back to JavaScript, which must give the same result.
    rows.splice(30_000, 0, 'u1,2026/01/02 10:00,view');
    // Times with no digit are bad rows for every reader (the kernel keeps them).
    rows.splice(100, 0, 'u2,N/A,view', 'u3,,view', 'u4,null,buy');
    fs.writeFileSync(iso, rows.join('\n') + '\n');
    const seq = await importWith(iso, 'sequential');
    expect(seq.out.rowCount).toBe(40_001);
    expect(seq.out.warnings).toEqual([expect.objectContaining({ reason: 'bad_timestamp', count: 3 })]);
    expectSameStore(seq, await importWith(iso, 'wasm'));
    expectSameStore(seq, await importWith(iso, 'wasm', 0));
  }, 60_000);

  it('unix times past what a Date holds are bad rows for every reader, not a failed import (found by the fuzz test)', async () => {
    const file = path.join(dir, 'far-times.csv');
    const rows = ['user_id,ts,event'];
    for (let i = 0; i < 5_000; i++) rows.push(`u${i % 97},${1_700_000_000 + i * 13},${i % 4 ? 'view' : 'buy'}`);
    // 16 digits (past the kernel's 15-digit fast path), 17, and 400 digits (Infinity).
    rows.splice(2_000, 0, 'u1,9007199254740993,view', 'u2,99999999999999999,buy', `u3,1${'0'.repeat(400)},view`);
    fs.writeFileSync(file, rows.join('\n') + '\n');
    const seq = await importWith(file, 'sequential');
    expect(seq.out.rowCount).toBe(5_000);
    expect(seq.out.warnings).toEqual([expect.objectContaining({ reason: 'bad_timestamp', count: 3 })]);
    expect(seq.out.timeRange?.end).toBe(new Date((1_700_000_000 + 4_999 * 13) * 1000).toISOString());
    expectSameStore(seq, await importWith(file, 'wasm'));
    expectSameStore(seq, await importWith(file, 'wasm', 0));
    expectSameStore(seq, await importWith(file, 'js'));
  }, 60_000);

  // The kernel sorts whole-millisecond times within 2^32 of the earliest as 32-bit keys, whole
  // seconds over longer spans in seconds, and anything else as doubles: each way, with ties and
  // shuffled rows, must order exactly as the sequential reader does.
  it.each([
    ['whole seconds over three years', (i: number, x: number) => String(1_600_000_000 + Math.floor(x * 3 * 365 * 86400))],
    ['milliseconds over 100 days', (i: number, x: number) => String(1_700_000_000_000 + Math.floor(x * 100 * 86_400_000))],
    ['fractional milliseconds', (i: number, x: number) => `${1_700_000_000_000 + Math.floor(x * 86_400_000)}.${i % 4 ? 25 : 5}`],
    ['milliseconds within a day, many ties', (i: number, x: number) => String(1_700_000_000_000 + Math.floor(x * 50) * 1000)],
  ])(
    'times as %s give the same dataset',
    async (name, time) => {
      const file = path.join(dir, `times-${name.replace(/\W+/g, '-')}.csv`);
      const r = seededRandom(9);
      const rows = ['user_id,ts,event'];
      // Ids of every length from 1 to 17 digits now and then (the kernel reads up to 16 as words).
      const id = (i: number) => (i % 10 === 0 ? String(10 ** (i % 17) + (i % 7)) : String(Math.floor(r() * 2000)));
      for (let i = 0; i < 60_000; i++) rows.push(`${id(i)},${time(i, r())},${r() < 0.6 ? 'view' : 'buy'}`);
      fs.writeFileSync(file, rows.join('\n') + '\n');
      const seq = await importWith(file, 'sequential');
      expect(seq.out.rowCount).toBe(60_000);
      expectSameStore(seq, await importWith(file, 'wasm', 0));
      expectSameStore(seq, await importWith(file, 'wasm'));
    },
    60_000,
  );
});
