import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IafaError } from '../../src/shared/contract';
import { tempDir, tempEngine } from '../helpers/engine';
import { amplitudeLines, canonEvents, EXPORT_STEPS, mixpanelLines, ndjson, segmentCalls, zipOf } from '../helpers/export-fixtures';
import { expectOnlyDataset } from '../helpers/stored';

async function failure(p: Promise<unknown>): Promise<IafaError> {
  try {
    await p;
  } catch (e) {
    return e as IafaError;
  }
  throw new Error('expected the import to fail');
}

/** Bad exports: a specific message, nothing stored, the dataset imported before intact. */
describe('bad analytics exports', () => {
  const dir = tempDir();
  let ctx: ReturnType<typeof tempEngine>;
  let prevId = '';
  let prevStages: number[] = [];
  const ev = canonEvents(60);
  const mpText = ndjson(mixpanelLines(ev).lines);
  const steps = EXPORT_STEPS.map((event) => ({ event }));
  const file = (name: string, content: string | Buffer) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, content);
    return p;
  };

  beforeAll(async () => {
    // A small budget (8 MB) so a zip bomb needs only a few kilobytes here.
    ctx = tempEngine({ IAFA_IMPORT_MEMORY_MB: '8' });
    prevId = (await ctx.engine.dispatch('datasets:import', { path: file('mp.ndjson', mpText) })).id;
    prevStages = (await ctx.engine.dispatch('funnels:compute', { datasetId: prevId, definition: { steps } })).stages.map((s) => s.users);
  });
  afterAll(() => {
    ctx.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const expectNothingStored = () => expectOnlyDataset(ctx.engine, ctx.dataDir, prevId, steps, prevStages);

  const corruptZip = () => {
    const z = zipOf([{ name: 'a.json', data: Buffer.from(mpText) }]);
    // Flip bytes in the middle of the deflated data (after the 30-byte header and the name).
    for (let i = 60; i < 90; i++) z[i] ^= 0x5a;
    return z;
  };
  const bomb = Buffer.from(mpText.repeat(Math.ceil((10 << 20) / mpText.length)));
  const cases: { name: string; make: () => string | Promise<string>; message: RegExp; reason: string }[] = [
    {
      name: 'truncated gzip',
      make: () => {
        const g = zlib.gzipSync(mpText);
        return file('cut.json.gz', g.subarray(0, g.length - 40));
      },
      message: /truncated gzip/,
      reason: 'truncated_gzip',
    },
    { name: 'corrupt zip member', make: () => file('corrupt.zip', corruptZip()), message: /member "a\.json" is corrupt/, reason: 'corrupt_zip' },
    { name: 'zip bomb (directory says so)', make: () => file('bomb.zip', zipOf([{ name: 'a.json', data: bomb }])), message: /zip bomb/, reason: 'zip_bomb' },
    {
      name: 'zip bomb (directory lies about the size)',
      make: () => file('bomb2.zip', zipOf([{ name: 'a.json', data: bomb, fakeSize: 1000 }])),
      message: /zip bomb/,
      reason: 'zip_bomb',
    },
    {
      name: '../ member names',
      make: () => file('slip.zip', zipOf([{ name: '../../etc/evil.json', data: Buffer.from(mpText) }])),
      message: /outside the archive/,
      reason: 'unsafe_zip_name',
    },
    {
      name: 'mixed shapes inside one zip',
      make: () =>
        file(
          'mixed.zip',
          zipOf([
            { name: 'mp.json', data: Buffer.from(mpText) },
            { name: 'amp.json', data: Buffer.from(ndjson(amplitudeLines(ev))) },
          ]),
        ),
      message: /mixes shapes.*Mixpanel.*Amplitude/s,
      reason: 'mixed_shapes',
    },
    {
      name: 'an NDJSON line that is not an object',
      make: () => file('notobj.ndjson', mpText + '[1,2,3]\n' + mpText),
      message: /is not a JSON object/,
      reason: 'not_an_object',
    },
    {
      name: 'an NDJSON export cut mid-record',
      make: () => file('cut.ndjson', mpText + '{"event":"Signed Up","properties":{"time":176'),
      message: /ends in the middle of record/,
      reason: 'truncated',
    },
    // Found by the importer fuzz test: each overflowed the stack (a 500) before.
    {
      name: 'an NDJSON record nesting an array 20,000 deep',
      make: () => file('deep-array.ndjson', `{"event":"x","properties":{"time":${'['.repeat(20000)}1${']'.repeat(20000)}}}\n` + mpText),
      message: /record 1 is nested more than 256 levels deep/,
      reason: 'too_deep',
    },
    {
      name: 'an NDJSON record nesting objects 20,000 deep',
      make: () => file('deep-object.ndjson', mpText + `{"event":"x","p":${'{"a":'.repeat(20000)}1${'}'.repeat(20000)}}\n`),
      message: /nested more than 256 levels deep/,
      reason: 'too_deep',
    },
    {
      name: 'a zip member with no data but a size in the directory',
      make: () =>
        file(
          'hollow.zip',
          zipOf([
            { name: 'a.json', data: Buffer.from(mpText) },
            { name: 'b.json', data: Buffer.alloc(0), store: true, fakeSize: 100 },
          ]),
        ),
      message: /member "b\.json" is corrupt.*100 bytes but no compressed data/,
      reason: 'corrupt_zip',
    },
    // Found by the importer fuzz test (seed 8, case 111): the Rust reader panicked inside an async
    // call, an uncaught error, and the request was never answered.
    {
      name: 'a Parquet file whose damaged footer makes the reader panic',
      make: () => path.join(__dirname, '..', 'fixtures', 'import', 'parquet-footer-panic.parquet'),
      message: /Cannot read the Parquet file .*: the file is damaged/,
      reason: 'corrupt_parquet',
    },
    {
      name: 'a zip holding only a Parquet file: says so, not just "no records" (found by the fuzz test)',
      make: () =>
        file(
          'pq.zip',
          zipOf([
            { name: 'events.parquet', data: fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'import', 'parquet-footer-panic.parquet')) },
            { name: 'blob.bin', data: Buffer.from([1, 0, 2, 0]) },
          ]),
        ),
      message: /holds no records: "events\.parquet" is a Parquet file, which is read on its own, not inside a zip: left out\. "blob\.bin" is not text/,
      reason: 'empty_file',
    },
    {
      name: 'a gzip whose content is binary',
      make: () => file('bin.gz', zlib.gzipSync(Buffer.from([1, 2, 0, 0, 3, 4]))),
      message: /binary data/,
      reason: 'binary_file',
    },
    {
      name: 'a Parquet file with an unsupported encoding',
      make: async () => {
        const { DuckDBInstance } = await import('@duckdb/node-api');
        const db = await DuckDBInstance.create(':memory:');
        const c = await db.connect();
        const p = path.join(dir, 'enc.parquet');
        await c.run(`COPY (SELECT 'u' || (i % 7) AS user_id, i AS n FROM range(300) t(i)) TO '${p}' (FORMAT parquet, COMPRESSION uncompressed)`);
        const b = fs.readFileSync(p);
        // Data page headers (thrift compact): num_values 300 then the encoding, set to BIT_PACKED (4, zigzag 8), long deprecated.
        let hits = 0;
        for (let i = 0; i < b.length - 5; i++)
          if (b[i] === 0x15 && b[i + 1] === 0xd8 && b[i + 2] === 0x04 && b[i + 3] === 0x15) {
            b[i + 4] = 0x08;
            hits++;
          }
        expect(hits).toBeGreaterThan(0);
        fs.writeFileSync(p, b);
        return p;
      },
      message: /does not support.*BIT_PACKED/,
      reason: 'unsupported_parquet',
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const err = await failure(ctx.engine.dispatch('datasets:import', { path: await c.make() }));
      expect(err.kind).toBe('validation');
      expect(err.message).toMatch(c.message);
      expect((err.details as { reason?: string }).reason).toBe(c.reason);
      await expectNothingStored();
    });
  }

  it('cancelling a nested import mid-file stores nothing', async () => {
    const big = file('big.ndjson', ndjson(mixpanelLines(canonEvents(20000, 3)).lines));
    expect(fs.statSync(big).size).toBeGreaterThan(8 << 20);
    const ac = new AbortController();
    let seen = 0;
    const err = await failure(
      ctx.engine.dispatch(
        'datasets:import',
        { path: big },
        {
          signal: ac.signal,
          onProgress: (ev) => {
            seen++;
            if (ev.phase === 'parse') ac.abort();
          },
        },
      ),
    );
    expect(seen).toBeGreaterThan(0);
    expect(err.kind).toBe('cancelled');
    await expectNothingStored();
  });

  it('an empty member beside the export is passed over (found by the fuzz test: a 500 before)', async () => {
    const z = zipOf([
      { name: 'empty.json', data: Buffer.alloc(0), store: true },
      { name: 'a.json', data: Buffer.from(mpText) },
      { name: 'empty2.json', data: Buffer.alloc(0) },
    ]);
    const ds = await ctx.engine.dispatch('datasets:import', { path: file('with-empty.zip', z) });
    const res = await ctx.engine.dispatch('funnels:compute', { datasetId: ds.id, definition: { steps } });
    expect(res.stages.map((s) => s.users)).toEqual(prevStages);
    await ctx.engine.dispatch('datasets:delete', { id: ds.id });
  });

  it('an archive imported as another kind than an event log: told to unpack it, not "binary file" (found by the fuzz test)', async () => {
    const userTable = 'user_id,variant,converted\nu1,a,1\nu2,b,0\n';
    const packed: [string, Buffer, RegExp][] = [
      ['users.csv.gz', zlib.gzipSync(userTable), /is a gzip file, which is read only as an event log/],
      ['users.zip', zipOf([{ name: 'users.csv', data: Buffer.from(userTable) }]), /is a zip file, which is read only as an event log/],
    ];
    for (const [name, bytes, message] of packed) {
      for (const kind of ['user_table', 'aggregated'] as const) {
        const p = file(name, bytes);
        const err = await failure(ctx.engine.dispatch('datasets:import', { path: p, kind }));
        expect(err.message).toMatch(message);
        expect((err.details as { reason?: string }).reason).toBe('packed_not_event_log');
        const pre = await failure(ctx.engine.dispatch('datasets:preview', { path: p, kind }));
        expect(pre.message).toMatch(message);
        await expectNothingStored();
      }
    }
  });

  it('an export time past what a Date holds is a bad timestamp, not a 500 (found by the fuzz test)', async () => {
    const far = mpText.replace(/"time":\d+/, '"time":9007199254740993');
    expect(far).not.toBe(mpText);
    const ds = await ctx.engine.dispatch('datasets:import', { path: file('far.ndjson', far) });
    expect(ds.warnings).toEqual([expect.objectContaining({ reason: 'bad_timestamp', count: 1 }), expect.objectContaining({ reason: 'duplicate_event' })]);
    expect(Date.parse(ds.timeRange!.end)).toBeLessThan(Date.UTC(2027, 0, 1));
    await ctx.engine.dispatch('datasets:delete', { id: ds.id });
  });

  it('a Parquet timestamp past what a Date holds is a bad timestamp, not a 500 (found by the fuzz test)', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const p = path.join(dir, 'far.parquet');
    // Year 287,000: DuckDB holds it (microseconds in 64 bits), a JavaScript Date does not.
    await c.run(
      `COPY (SELECT 'u' || (i % 5) AS user_id, CASE WHEN i = 7 THEN epoch_ms(9000000000000000) ELSE epoch_ms(1767225600000 + i * 60000) END AS ts, CASE WHEN i % 3 = 0 THEN 'view' ELSE 'buy' END AS event FROM range(40) t(i)) TO '${p}' (FORMAT parquet)`,
    );
    const ds = await ctx.engine.dispatch('datasets:import', { path: p });
    expect(ds.rowCount).toBe(39);
    expect(ds.warnings).toEqual([expect.objectContaining({ reason: 'bad_timestamp', count: 1 })]);
    await ctx.engine.dispatch('datasets:delete', { id: ds.id });
  });

  it('events with no user or no time are skipped and counted; the rest is stored', async () => {
    const lines = mixpanelLines(ev).lines;
    const bad = [
      JSON.stringify({ event: 'Signed Up', properties: { time: 1767225600 } }),
      JSON.stringify({ event: 'Signed Up', properties: { distinct_id: 'x', time: 'soon' } }),
    ];
    const ds = await ctx.engine.dispatch('datasets:import', { path: file('somebad.ndjson', ndjson([...lines, ...bad])) });
    const w = Object.fromEntries(ds.warnings.map((x) => [x.reason, x.count]));
    expect(w.missing_user).toBe(1);
    expect(w.bad_timestamp).toBe(1);
    await ctx.engine.dispatch('datasets:delete', { id: ds.id });
  });
});

describe('what the preview and the import say about an export', () => {
  const dir = tempDir();
  let ctx: ReturnType<typeof tempEngine>;
  const ev = canonEvents(80);
  const file = (name: string, content: string | Buffer) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, content);
    return p;
  };
  beforeAll(() => {
    ctx = tempEngine();
  });
  afterAll(() => {
    ctx.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('Mixpanel: named with confidence; duplicates by $insert_id dropped and counted; $insert_id kept but flagged', async () => {
    const mp = mixpanelLines(ev);
    const p = file('mp.json.gz', zlib.gzipSync(ndjson(mp.lines)));
    const pv = await ctx.engine.dispatch('datasets:preview', { path: p });
    expect(pv.shape).toMatchObject({ container: 'gzip', tool: 'mixpanel', label: 'Mixpanel export', timeUnit: 'unix_s' });
    expect(pv.shape!.confidence).toBeGreaterThan(0.9);
    expect(pv.mapping).toMatchObject({ user: 'properties.distinct_id', time: 'properties.time', event: 'event' });
    expect(pv.shape!.userReason).toMatch(/distinct_id/);
    expect(pv.columns.find((c) => c.name === 'properties.user_intent')).toMatchObject({ short: 'user_intent', sample: expect.arrayContaining(['buy']) });
    const ds = await ctx.engine.dispatch('datasets:import', { path: p });
    expect(ds.rowCount).toBe(ev.length);
    expect(ds.warnings.find((w) => w.reason === 'duplicate_event')?.count).toBe(mp.duplicates);
    expect(ds.columns.find((c) => c.name === 'properties.$insert_id')?.highCardinality).toBe(true);
    expect(ds.columns.find((c) => c.name === 'properties.plan')?.highCardinality).toBeUndefined();
    // The short name and the dotted path name the same column, in a breakdown and a filter.
    const def = (by: string, where: string) => ({ steps: EXPORT_STEPS.map((event) => ({ event })), breakdown: by, include: { [where]: ['pro'] } });
    const a = await ctx.engine.dispatch('funnels:compute', { datasetId: ds.id, definition: def('user_intent', 'plan') });
    const b = await ctx.engine.dispatch('funnels:compute', { datasetId: ds.id, definition: def('properties.user_intent', 'properties.plan') });
    expect(a.stages).toEqual(b.stages);
    expect(a.segment_breakdown).toEqual(b.segment_breakdown);
    const all = await ctx.engine.dispatch('funnels:compute', { datasetId: ds.id, definition: { steps: EXPORT_STEPS.map((event) => ({ event })) } });
    expect(a.stages[0].users).toBeLessThan(all.stages[0].users);
  });

  it('Amplitude: user_id falling back to device_id, said in the preview; amplitude_id can be chosen', async () => {
    const p = file('amp.ndjson', ndjson(amplitudeLines(ev)));
    const pv = await ctx.engine.dispatch('datasets:preview', { path: p });
    expect(pv.shape).toMatchObject({ tool: 'amplitude', label: 'Amplitude export', timeUnit: 'iso' });
    expect(pv.mapping).toMatchObject({ user: 'user_id', userFallback: 'device_id', event: 'event_type', time: 'event_time' });
    expect(pv.shape!.userReason).toMatch(/device_id/);
    const anon = new Set(ev.filter((e) => e.anonymous).map((e) => e.user)).size;
    const ds = await ctx.engine.dispatch('datasets:import', { path: p });
    expect(ds.userCount).toBe(new Set(ev.map((e) => e.user)).size);
    expect(anon).toBeGreaterThan(0);
    const over = await ctx.engine.dispatch('datasets:preview', { path: p, mapping: { user: 'amplitude_id' } });
    expect(over.mapping.user).toBe('amplitude_id');
    expect(over.mapping.userFallback).toBeUndefined();
    expect(over.shape!.userReason).toMatch(/amplitude_id/);
    const ds2 = await ctx.engine.dispatch('datasets:import', { path: p, mapping: { user: 'amplitude_id' } });
    expect(ds2.userCount).toBe(ev.length);
  });

  it('Segment: identify calls skipped and counted in the warnings; page calls are events of their own', async () => {
    const seg = segmentCalls(ev);
    const p = file('seg.json', JSON.stringify(seg.calls));
    const pv = await ctx.engine.dispatch('datasets:preview', { path: p });
    expect(pv.shape).toMatchObject({ tool: 'segment' });
    const ds = await ctx.engine.dispatch('datasets:import', { path: p });
    expect(ds.warnings.find((w) => w.reason === 'not_an_event')).toMatchObject({
      count: seg.identifies,
      message: expect.stringMatching(/identify, group or alias/),
    });
    expect(ds.events.map((e) => e.name)).toContain('Viewed Home Page');
    expect(ds.rowCount).toBe(ev.length);
  });
});
