import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importFiles, type ImportEnv } from '../../src/core/import/importer';
import { ColumnStore } from '../../src/core/import/store';
import { lastCsvRead } from '../../src/core/import/profile';
import { seededRandom } from '../../src/core/random';
import { writeExportLikeLog } from '../../bench/export-like-data';
import { tempDir } from '../helpers/engine';

// String user ids and ISO times as product-analytics exports write them, read by the
// WebAssembly kernel in worker threads (each with its own id dictionary, merged after) and by
// the sequential reader, checked against a plain JavaScript reading of the same text: ids
// as strings in a Map, times through Date.parse.

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function importWith(file: string, reader: 'scanner' | 'wasm', workers: number) {
  const env: ImportEnv = {
    dataDir: path.join(dir, `data-${reader}-${workers}`),
    budgetBytes: 4 * 1024 ** 3,
    signal: new AbortController().signal,
    progress: () => {},
    parallelMinBytes: 0,
    reader,
    workers,
  };
  const out = await importFiles({ path: file, mapping: { user: 'user_id', time: 'time', event: 'event' } }, env);
  const files = Object.fromEntries(
    fs
      .readdirSync(out.dir)
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(out.dir, f))]),
  );
  return { out, files };
}

/** Per user id: its (time, event) pairs ordered by time, ties in file order, from the text alone. */
function reference(file: string): Map<string, [number, string][]> {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const header = lines[0].split(',');
  const [ui, ti, ei] = ['user_id', 'time', 'event'].map((c) => header.indexOf(c));
  const byUser = new Map<string, [number, string][]>();
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const cells = line.split(',');
    const t = Date.parse(cells[ti]);
    expect(Number.isNaN(t), `${cells[ti]} parses`).toBe(false);
    let rows = byUser.get(cells[ui]);
    if (!rows) byUser.set(cells[ui], (rows = []));
    rows.push([t, cells[ei]]);
  }
  // Array.prototype.sort is stable: ties keep file order, as the importer promises.
  for (const rows of byUser.values()) rows.sort((a, b) => a[0] - b[0]);
  return byUser;
}

function stored(dirOf: string): Map<string, [number, string][]> {
  const store = ColumnStore.open(dirOf);
  const users = JSON.parse(fs.readFileSync(path.join(dirOf, 'users.json'), 'utf8')) as string[];
  const ev = store.column(store.manifest.eventColumn!);
  const out = new Map<string, [number, string][]>();
  const { time, userStart } = store;
  for (let u = 0; u + 1 < userStart.length; u++) {
    if (userStart[u + 1] === userStart[u]) continue;
    const rows: [number, string][] = [];
    for (let i = userStart[u]; i < userStart[u + 1]; i++) rows.push([time[i], ev.dict[ev.codes[i]]]);
    expect(out.has(users[u]), `user ${users[u]} stored once`).toBe(false);
    out.set(users[u], rows);
  }
  return out;
}

function expectSameStore(a: Awaited<ReturnType<typeof importWith>>, b: Awaited<ReturnType<typeof importWith>>) {
  expect(Object.keys(b.files)).toEqual(Object.keys(a.files));
  for (const [name, bytes] of Object.entries(a.files)) expect(bytes.equals(b.files[name]), `${name} differs`).toBe(true);
}

const hex = (r: () => number, n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');

/**
 * Ids chosen to trip a hash index that keeps some bytes in its slots: lower-case UUIDs and the
 * same UUIDs in upper case (other users), UUID-shaped texts with a non-hex digit or a missing
 * dash, ids of every length from 1 to 40 bytes, ids equal in their first 16 bytes and differing
 * after, ids differing only in their last byte, numeric and UTF-8 ids; times in UTC with and
 * without milliseconds, with zone offsets (+05:30, -08:00, +00:00, +0100).
 */
function writeTrickyIds(file: string): void {
  const r = seededRandom(23);
  const ids: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const u = `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`;
    ids.push(u);
    if (i % 10 === 0) ids.push(u.toUpperCase());
    if (i % 25 === 0) ids.push(u.slice(0, 35) + 'g');
    if (i % 25 === 1) ids.push(u.replace('-', 'x'));
  }
  for (let len = 1; len <= 40; len++) for (let k = 0; k < 30; k++) ids.push(`i${len}-${k}-`.padEnd(len, 'z').slice(0, len).replace(/^$/, 'q'));
  for (let k = 0; k < 200; k++) ids.push(`device-0000000000-${k}`, `device-00000000-${k}`, `u437f45f${k}`, `u437f45f9${String.fromCharCode(97 + (k % 26))}`);
  for (let k = 0; k < 200; k++) ids.push(String(1_000_000 + k), `käufer-${k}`, `用户${k}`);
  const unique = [...new Set(ids)];
  const start = Date.UTC(2026, 2, 1);
  const zones = ['Z', 'Z', 'Z', '+05:30', '-08:00', '+00:00', '+0100'];
  const rows = ['user_id,time,event,plan'];
  for (let i = 0; i < 400_000; i++) {
    const id = unique[Math.floor(r() ** 1.5 * unique.length)];
    const ms = start + Math.floor(r() * 20 * 86_400_000);
    const zone = zones[Math.floor(r() * zones.length)];
    const off = zone === 'Z' ? 0 : (zone[0] === '+' ? 1 : -1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
    let text = new Date(ms + off * 60_000).toISOString().slice(0, 23);
    if (i % 11 === 0) text = text.slice(0, 19);
    rows.push(`${id},${text}${zone},${['view', 'cart', 'buy'][Math.floor(r() * 3)]},${['free', 'pro'][i % 2]}`);
  }
  fs.writeFileSync(file, rows.join('\n') + '\n');
}

describe('string user ids and ISO times', () => {
  it('ids that share prefixes, lengths or UUID shapes stay distinct users, in every reader, as plain JavaScript reads them', async () => {
    const file = path.join(dir, 'tricky.csv');
    writeTrickyIds(file);
    const ref = reference(file);
    const wasm = await importWith(file, 'wasm', 2);
    // The second range's string ids were matched by the first range's worker, in its own index.
    expect(lastCsvRead.workerUserMatchMs).toBeGreaterThan(0);
    expect(wasm.out.userCount).toBe(ref.size);
    expect(stored(wasm.out.dir)).toEqual(ref);
    expectSameStore(wasm, await importWith(file, 'scanner', 0));
    expectSameStore(wasm, await importWith(file, 'wasm', 3));
    expect(lastCsvRead.workerUserMatchMs).toBeGreaterThan(0);
    expectSameStore(wasm, await importWith(file, 'wasm', 0));
  }, 180_000);

  it('ids probed in slot order (as an index of 8M slots or more is) give the same dataset', async () => {
    const file = path.join(dir, 'tricky.csv');
    if (!fs.existsSync(file)) writeTrickyIds(file);
    const ref = reference(file);
    const scanner = await importWith(file, 'scanner', 0);
    // Every batch through the slot-order path, in the ranges and in the merge of their ids.
    process.env.IAFA_KERNEL_SORTED_MIN_SLOTS = '1';
    try {
      for (const workers of [0, 2, 3]) {
        const wasm = await importWith(file, 'wasm', workers);
        expect(stored(wasm.out.dir)).toEqual(ref);
        expectSameStore(scanner, wasm);
      }
    } finally {
      delete process.env.IAFA_KERNEL_SORTED_MIN_SLOTS;
    }
  }, 180_000);

  it("the bench's export-like log (UUIDs, hashed ids, offsets, late events) reads as plain JavaScript reads it", async () => {
    const file = path.join(dir, 'export-like.csv');
    const made = writeExportLikeLog(file, 300_000, { users: 20_000 });
    const ref = reference(file);
    expect([...ref.values()].reduce((a, x) => a + x.length, 0)).toBe(made.rows);
    // The shape the bench claims: UUIDs and short hashed ids, offsets, arrival order with late rows.
    const lines = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const ids = [...ref.keys()];
    expect(ids.filter((u) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(u)).length / ids.length).toBeGreaterThan(0.3);
    expect(ids.filter((u) => /^u[0-9a-f]{8}$/.test(u)).length / ids.length).toBeGreaterThan(0.5);
    expect(lines.filter((c) => /[+-]\d\d:\d\d$/.test(c[1])).length / lines.length).toBeGreaterThan(0.05);
    expect(lines.every((c) => /\.\d{3}(Z|[+-]\d\d:\d\d)$/.test(c[1]))).toBe(true);
    let late = 0;
    let userChanges = 0;
    for (let i = 1; i < lines.length; i++) {
      if (Date.parse(lines[i][1]) < Date.parse(lines[i - 1][1]) - 3_600_000) late++;
      if (lines[i][0] !== lines[i - 1][0]) userChanges++;
    }
    expect(late).toBeGreaterThan(0);
    expect(userChanges / lines.length).toBeGreaterThan(0.9);
    expect(new Set(lines.map((c) => c[6])).size).toBeGreaterThan(2000);
    const wasm = await importWith(file, 'wasm', 2);
    expect(wasm.out.userCount).toBe(ref.size);
    expect(stored(wasm.out.dir)).toEqual(ref);
    expectSameStore(wasm, await importWith(file, 'scanner', 0));
  }, 180_000);

  it('ISO times as exports write them (ms, Z or an offset) read the same in the kernel, in JavaScript and through Date.parse', async () => {
    const file = path.join(dir, 'iso-times.csv');
    const r = seededRandom(31);
    const rows = ['user_id,time,event'];
    const zones = ['Z', 'z', '+05:30', '-08:00', '+00:00', '-00:00', '+14:00', '-12:00', '+23:59'];
    for (let i = 0; i < 200_000; i++) {
      // Runs of rows on the same date (the kernel reuses a date's days), then a jump anywhere in 1971-2099.
      const ms =
        i % 50 === 0
          ? Date.UTC(1971, 0, 1) + Math.floor(r() * 128 * 365 * 86_400_000)
          : Date.UTC(2026, 0, 1) + Math.floor(i / 50) * 3_600_000 + Math.floor(r() * 3_600_000);
      const zone = zones[Math.floor(r() * zones.length)];
      const off = /^z$/i.test(zone) ? 0 : (zone[0] === '+' ? 1 : -1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
      rows.push(`r${i},${new Date(ms + off * 60_000).toISOString().slice(0, 23)}${zone},view`);
    }
    // Edges the kernel's short cut must agree on with the general reader: hour 24, a leap
    // second, 31 February.
    ['2026-01-01T24:00:00.000Z', '2026-06-30T23:59:60.500Z', '2026-02-31T10:00:00.000Z'].forEach((t, k) => rows.splice(1000 + 17 * k, 0, `edge${k},${t},view`));
    fs.writeFileSync(file, rows.join('\n') + '\n');
    const seq = await importWith(file, 'scanner', 0);
    expectSameStore(seq, await importWith(file, 'wasm', 0));
    const wasm = await importWith(file, 'wasm', 2);
    expectSameStore(seq, wasm);
    const got = stored(wasm.out.dir);
    expect(got.get('edge0')?.[0][0]).toBe(Date.UTC(2026, 0, 2));
    expect(got.get('edge1')?.[0][0]).toBe(Date.UTC(2026, 6, 1, 0, 0, 0, 500));
    expect(got.get('edge2')?.[0][0]).toBe(Date.UTC(2026, 2, 3, 10));
    let checked = 0;
    for (const line of rows.slice(1)) {
      const [id, t] = line.split(',');
      if (id.startsWith('edge')) continue;
      expect(got.get(id)?.[0][0], `${id} ${t}`).toBe(Date.parse(t));
      checked++;
    }
    expect(checked).toBe(200_000);
  }, 180_000);

  it('export-spelled times with a bad digit or offset are read as the general reader reads them', async () => {
    const file = path.join(dir, 'iso-bad.csv');
    const rows = ['user_id,time,event'];
    for (let i = 0; i < 5000; i++) rows.push(`u${i % 40},${new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString()},view`);
    const bad = [
      '2026-01-01T10:00:00.00xZ',
      '2026-01-01T1x:00:00.000Z',
      '2026-01-01T10:00:00.000+0x:00',
      '2026-01-01T10:00:00.000+05:3',
      '2026-01-01T10:00:00.000+0530',
      '2026-13-01T10:00:00.000Z',
      '2026-01-01T10:00:00.000Q',
      '2026-01-01T10:00:00.000+05:30x',
    ];
    bad.forEach((t, k) => rows.splice(100 + 7 * k, 0, `bad${k},${t},view`));
    fs.writeFileSync(file, rows.join('\n') + '\n');
    const seq = await importWith(file, 'scanner', 0);
    // Some of these are no time at all; which, the general reader decides (the kernel hands such chunks to it).
    expect(seq.out.warnings.find((x) => x.reason === 'bad_timestamp')?.count).toBeGreaterThan(0);
    expectSameStore(seq, await importWith(file, 'wasm', 0));
    expectSameStore(seq, await importWith(file, 'wasm', 2));
  }, 120_000);
});
