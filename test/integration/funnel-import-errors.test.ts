import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IafaError } from '../../src/shared/contract';
import { dataPaths } from '../../src/core/paths';
import { tempDir, tempEngine } from '../helpers/engine';
import { sharedData } from '../helpers/shared';
import { expectOnlyDataset } from '../helpers/stored';

const TAOBAO = sharedData('taobao_userbehavior_head.csv');

async function failure(p: Promise<unknown>): Promise<IafaError> {
  try {
    await p;
  } catch (e) {
    return e as IafaError;
  }
  throw new Error('expected the import to fail');
}

describe('bad inputs: a specific error, nothing stored, earlier datasets intact', () => {
  let ctx: ReturnType<typeof tempEngine>;
  let prevId = '';
  let prevStages: number[] = [];
  const dir = tempDir();
  const file = (name: string, content: string | Buffer) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, content);
    return p;
  };
  const steps = [{ event: 'pv' }, { event: 'cart' }, { event: 'buy' }];

  beforeAll(async () => {
    ctx = tempEngine();
    prevId = (await ctx.engine.dispatch('datasets:import', { path: TAOBAO })).id;
    prevStages = (await ctx.engine.dispatch('funnels:compute', { datasetId: prevId, definition: { steps } })).stages.map((s) => s.users);
  });
  afterAll(() => {
    ctx.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const expectNothingStored = () => expectOnlyDataset(ctx.engine, ctx.dataDir, prevId, steps, prevStages);

  const cases: { name: string; make: () => Record<string, unknown>; kind: string; message: RegExp; reason?: string; env?: NodeJS.ProcessEnv }[] = [
    { name: 'empty file', make: () => ({ path: file('empty.csv', '') }), kind: 'validation', message: /empty/, reason: 'empty_file' },
    {
      name: 'header only',
      make: () => ({ path: file('header.csv', 'user_id,timestamp,event\r\n') }),
      kind: 'validation',
      message: /no data rows/,
      reason: 'empty_file',
    },
    {
      name: 'binary file',
      make: () => ({ path: file('img.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82])) }),
      kind: 'validation',
      message: /binary/,
      reason: 'binary_file',
    },
    {
      name: 'most rows bad',
      make: () => ({
        path: file(
          'bad.csv',
          ['user_id,timestamp,event', 'u1,2026-01-01T00:00:00Z,a', ...Array.from({ length: 9 }, (_, i) => `u${i},not a time,a`)].join('\n'),
        ),
        mapping: { timeFormat: 'iso' },
      }),
      kind: 'validation',
      message: /Most rows could not be read \(9 of 10\).*line/,
      reason: 'most_rows_bad',
    },
    {
      name: 'explicit mapping to a missing column',
      make: () => ({ path: TAOBAO, mapping: { time: 'event_time' } }),
      kind: 'validation',
      message: /"event_time"/,
      reason: 'missing_column',
    },
    {
      name: 'an event log without an event column',
      make: () => ({ path: file('noevent.csv', 'user_id,timestamp\nu1,2026-01-01\nu1,2026-01-02\n'), kind: 'event_log' }),
      kind: 'validation',
      message: /Missing required event column/,
      reason: 'missing_column',
    },
    {
      name: 'over the memory budget',
      make: () => ({ path: TAOBAO }),
      kind: 'validation',
      message: /memory budget/,
      reason: 'over_budget',
      env: { IAFA_IMPORT_MEMORY_MB: '1' },
    },
    {
      name: 'malformed JSON (line and column)',
      make: () => ({ path: file('bad.json', '[\n  {"user_id": "u1", "ts": 1},\n  {"user_id": "u2", "ts": }\n]') }),
      kind: 'validation',
      message: /line 3, column 27/,
      reason: 'malformed_json',
    },
    {
      name: 'malformed NDJSON line',
      make: () => ({ path: file('bad.ndjson', '{"user_id":"u1","ts":1,"event":"a"}\n{"user_id":"u2","ts":2,"event":"a"}\n{"user_id":"u3", ts:3}\n') }),
      kind: 'validation',
      message: /line 3, column 18/,
      reason: 'malformed_json',
    },
    {
      name: 'a quote never closed',
      make: () => ({ path: file('quote.csv', 'user_id,timestamp,event\nu1,2026-01-01T00:00:00Z,a\nu2,2026-01-01T00:00:00Z,"b\nu3,2026-01-01T00:00:00Z,c\n') }),
      kind: 'validation',
      message: /line 3 is never closed/,
      reason: 'unterminated_quote',
    },
    { name: 'a missing file', make: () => ({ path: path.join(dir, 'nope.csv') }), kind: 'not_found', message: /not found/ },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const engine = c.env ? tempEngine(c.env) : null;
      // A budget test needs its own engine (env is per engine); the rest share one with a dataset in it.
      if (engine) {
        const err = await failure(engine.engine.dispatch('datasets:import', c.make()));
        expect(err.kind).toBe(c.kind);
        expect(err.message).toMatch(c.message);
        expect(fs.readdirSync(dataPaths(engine.dataDir).tmp)).toEqual([]);
        expect((await engine.engine.dispatch('datasets:list', {})).datasets).toEqual([]);
        engine.cleanup();
        return;
      }
      const err = await failure(ctx.engine.dispatch('datasets:import', c.make()));
      expect(err.kind).toBe(c.kind);
      expect(err.message).toMatch(c.message);
      if (c.reason) expect((err.details as { reason?: string }).reason).toBe(c.reason);
      await expectNothingStored();
    });
  }

  it('cancelling mid-import stores nothing', async () => {
    const big = file(
      'big.csv',
      ['user_id,timestamp,event', ...Array.from({ length: 400_000 }, (_, i) => `u${i % 5000},${1700000000 + i},e${i % 7}`)].join('\n'),
    );
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

  it('a few bad rows are skipped and reported with their lines; the rest is stored', async () => {
    const p = file(
      'some-bad.csv',
      [
        'user_id,timestamp,event',
        'u1,2026-01-01T00:00:00Z,a',
        'u1,yesterday,b',
        ',2026-01-01T00:01:00Z,a',
        'u2,2026-01-01T00:02:00Z,',
        'u2,2026-01-01T00:03:00Z,a',
        'u2,2026-01-01T00:04:00Z,b',
      ].join('\n'),
    );
    const ds = await ctx.engine.dispatch('datasets:import', { path: p, mapping: { timeFormat: 'iso' } });
    expect(ds.rowCount).toBe(3);
    expect(Object.fromEntries(ds.warnings.map((w) => [w.reason, [w.count, w.lines]]))).toEqual({
      bad_timestamp: [1, [3]],
      missing_user: [1, [4]],
      missing_event: [1, [5]],
    });
    expect(ds.warnings[0].message).toMatch(/line 3/);
    await ctx.engine.dispatch('datasets:delete', { id: ds.id });
    await expectNothingStored();
  });
});
