import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalDatasets, type LocalBackend } from '../../src/core/backends/local';
import { computeFunnel } from '../../src/core/funnel';
import { ColumnStore, importFiles } from '../../src/core/import';
import { seededRandom } from '../../src/core/random';
import { FunnelDefinition, IafaError } from '../../src/shared/contract';
import { tempDir } from '../helpers/engine';

// The local backend's answers are counted here again from the rows this test writes, in plain
// JavaScript over the CSV lines (not over the store), and must agree.
const dir = tempDir();
const file = path.join(dir, 'log.csv');
const rows: { user: string; event: string; country: string; plan: string }[] = [];
const events = ['view', 'cart', 'buy', 'noise'];
let backend: LocalBackend;
let storeDir = '';
let datasetId = '';

beforeAll(async () => {
  const r = seededRandom(7);
  const lines = ['user_id,ts,event,country,plan'];
  for (let i = 0; i < 4000; i++) {
    const row = {
      user: `u${Math.floor(r() * 300)}`,
      event: events[Math.floor(r() ** 2 * 4)],
      country: ['US', 'DE', 'FR', ''][Math.floor(r() * 4)],
      plan: r() < 0.3 ? 'pro' : 'free',
    };
    rows.push(row);
    lines.push(`${row.user},${1_767_225_600 + Math.floor(r() * 20 * 86400)},${row.event},${row.country},${row.plan}`);
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const out = await importFiles(
    { path: file },
    { dataDir: path.join(dir, 'data'), budgetBytes: 1 << 30, signal: new AbortController().signal, progress: () => {} },
  );
  storeDir = out.dir;
  datasetId = out.id;
  // Reopened from disk, as every call after the import's first funnel reads it.
  backend = new LocalDatasets().backend(out.id, out.dir, { user: 'user_id', time: 'ts' });
}, 60_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function countBy<T>(xs: T[], key: (x: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return m;
}

describe('the local backend', () => {
  it('describes the event log with its roles, rows and time range', async () => {
    const d = await backend.describe();
    expect(d.kind).toBe('event_log');
    expect(d.rows).toBe(rows.length);
    expect(d.columns.map((c) => [c.name, c.role])).toEqual([
      ['user_id', 'user'],
      ['ts', 'time'],
      ['event', 'event'],
      ['country', 'property'],
      ['plan', 'property'],
    ]);
    expect(d.timeMin).toBeGreaterThanOrEqual(1_767_225_600_000);
    expect(d.timeMax).toBeLessThan(1_767_225_600_000 + 20 * 86_400_000);
  });

  it('counts events and their distinct users, most frequent first', async () => {
    const want = [...countBy(rows, (r) => r.event)].map(([event, count]) => ({
      event,
      count,
      users: new Set(rows.filter((r) => r.event === event).map((r) => r.user)).size,
    }));
    want.sort((a, b) => b.count - a.count || a.event.localeCompare(b.event));
    expect(await backend.events()).toEqual(want);
    expect(await backend.events({ limit: 2 })).toEqual(want.slice(0, 2));
  });

  it("lists the properties with their distinct values, and a property's values with their rows", async () => {
    expect(await backend.properties()).toEqual([
      { name: 'country', type: 'string', distinct: new Set(rows.map((r) => r.country)).size },
      { name: 'plan', type: 'string', distinct: 2 },
    ]);
    const want = [...countBy(rows, (r) => r.country)]
      .map(([value, count]) => ({ value, count }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
    expect(await backend.propertyValues('country')).toEqual(want);
    expect(await backend.propertyValues('country', { limit: 1 })).toEqual(want.slice(0, 1));
    await expect(backend.propertyValues('nope')).rejects.toMatchObject({ kind: 'validation' });
  });

  it('computes the funnel the engine computes, and reports progress', async () => {
    const def = FunnelDefinition.parse({ steps: [{ event: 'view' }, { event: 'cart' }, { event: 'buy' }], window: '3d', breakdown: 'country' });
    const notes: number[] = [];
    const got = await backend.funnel(def, { onProgress: (f) => notes.push(f) });
    const want = computeFunnel(ColumnStore.open(storeDir), def, datasetId);
    expect(got.stages[0].users).toBeGreaterThan(0);
    expect({ ...got, computed_ms: 0 }).toEqual({ ...want, computed_ms: 0 });
    expect(notes).toEqual([0, 1]);
  });

  it('a cancelled call fails as cancelled, and a closed backend refuses calls', async () => {
    const c = new AbortController();
    const def = FunnelDefinition.parse({ steps: [{ event: 'view' }, { event: 'buy' }] });
    const running = backend.funnel(def, { signal: c.signal });
    // Aborted after the call started but before it did its work: the turn it yields lets this in.
    c.abort();
    const err = await running.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IafaError);
    expect((err as IafaError).kind).toBe('cancelled');
    const other = new LocalDatasets().backend(datasetId, storeDir);
    await other.close();
    await expect(other.events()).rejects.toMatchObject({ kind: 'internal' });
  });
});
