import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hasFunnelThread, LocalDatasets } from '../../src/core/backends/local';
import { computeFunnel } from '../../src/core/funnel';
import { hasHelper, HelperThread, runBlocks, splitLimits } from '../../src/core/helper-thread';
import { ColumnStore, importFiles, type ImportEnv } from '../../src/core/import';
import { seededRandom } from '../../src/core/random';
import { FunnelDefinition, type FunnelDefinitionInput } from '../../src/shared/contract';
import { tempDir } from '../helpers/engine';

// The import keeps a parse worker as a helper thread that takes blocks of the chunk merge, and the
// local backend keeps its own helper thread for blocks of each large funnel pass (on shared memory).
// Here every size is "large", so both splits run on a small log, and must give exactly what one
// thread gives.
const dir = tempDir();
const file = path.join(dir, 'log.csv');
const limit = splitLimits.minRows;

beforeAll(() => {
  splitLimits.minRows = 0;
  const r = seededRandom(21);
  const events = ['view', 'cart', 'checkout', 'buy', 'noise'];
  const rows = ['user_id,ts,event,country,plan'];
  for (let i = 0; i < 120_000; i++) {
    const u = Math.floor(r() * 6000);
    const t = 1_767_225_600 + Math.floor(r() * 40 * 86400);
    rows.push(`${u},${t},${events[Math.floor(r() * 5)]},${['US', 'DE', 'FR'][u % 3]},${r() < 0.5 ? 'free' : 'pro'}`);
  }
  fs.writeFileSync(file, rows.join('\n') + '\n');
});
afterAll(() => {
  splitLimits.minRows = limit;
  fs.rmSync(dir, { recursive: true, force: true });
});

const env = (name: string, workers: number): ImportEnv => ({
  dataDir: path.join(dir, name),
  budgetBytes: 1 << 30,
  signal: new AbortController().signal,
  progress: () => {},
  parallelMinBytes: 0,
  workers,
});

const steps = ['view', 'cart', 'checkout', 'buy'].map((event) => ({ event }));
const defs: FunnelDefinitionInput[] = [
  { steps, window: '7d', breakdown: 'country' },
  { steps, window: '24h', mode: 'first-touch', include: { plan: ['pro'] } },
  { steps, window: '2d', strict: true, exclude: { country: ['FR'] }, from: '2026-01-10', to: '2026-01-25' },
  { steps: [{ event: 'view', where: { column: 'plan', values: ['free'] } }, { event: 'buy' }], window: 'none', breakdown: 'plan' },
  // The modes' pass splits the same way.
  {
    steps: [
      { event: 'view', orEvents: ['noise'] },
      {
        event: 'cart',
        where: [
          { column: 'plan', values: ['pro'] },
          { column: 'country', values: ['US', 'DE'] },
        ],
      },
      { event: 'buy' },
    ],
    window: '3d',
    strictOrder: true,
    allowReentry: true,
    strictDeduplication: true,
    breakdown: 'country',
  },
  { steps, window: '7d', strictOnce: true, strict: true, from: '2026-01-05', to: '2026-01-30' },
];

/**
 * Funnels until the funnel helper has taken blocks of one: under vitest its TypeScript loader
 * takes about a second to start, and a job posted before that is done by the caller alone.
 */
async function untilHelperTakesPart(funnel: (def: FunnelDefinition) => Promise<unknown>): Promise<void> {
  const spy = vi.spyOn(HelperThread.prototype, 'runBlocks');
  try {
    for (let i = 0; i < 200 && !spy.mock.results.some((r) => r.value === true); i++) {
      await funnel(FunnelDefinition.parse({ ...defs[0], window: `${1 + (i % 30)}d` }));
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(spy.mock.results.some((r) => r.value === true)).toBe(true);
  } finally {
    spy.mockRestore();
  }
}

/** A reopened store whose columns are read into plain memory, so its funnels run on one thread. */
function singleThreadStore(dir: string): ColumnStore {
  splitLimits.minRows = Infinity;
  try {
    return ColumnStore.open(dir);
  } finally {
    splitLimits.minRows = 0;
  }
}

describe('the helper thread', () => {
  it('is kept by a parallel import, and splitting the merge and the funnel pass changes no stored byte and no funnel', async () => {
    const one = await importFiles({ path: file }, env('one', 0));
    const merges = vi.spyOn(HelperThread.prototype, 'runBlocks');
    const three = await importFiles({ path: file }, env('three-way', 3));
    const two = await importFiles({ path: file }, env('two', 2));
    // Both rounds of each merge (copies, then orderings) went through the helper's blocks.
    expect(merges.mock.calls.filter(([job]) => job?.type === 'merge').length).toBe(4);
    merges.mockRestore();
    expect(hasHelper()).toBe(true);
    // The split merge left the columns in shared memory: the funnels below split their pass.
    expect(two.store!.time.buffer).toBeInstanceOf(SharedArrayBuffer);
    for (const f of fs.readdirSync(one.dir)) {
      expect(fs.readFileSync(path.join(two.dir, f)).equals(fs.readFileSync(path.join(one.dir, f))), f).toBe(true);
      expect(fs.readFileSync(path.join(three.dir, f)).equals(fs.readFileSync(path.join(one.dir, f))), f).toBe(true);
    }
    const reopened = ColumnStore.open(two.dir);
    const local = new LocalDatasets();
    local.adopt(two.id, two.store!);
    const backend = local.backend(two.id, two.dir);
    await untilHelperTakesPart((def) => backend.funnel(def));
    const splits = vi.spyOn(HelperThread.prototype, 'runBlocks');
    try {
      for (const d of defs) {
        const def = FunnelDefinition.parse(d);
        const split = await backend.funnel(def);
        const single = computeFunnel(reopened, def, two.id);
        expect(split.stages[1].users).toBeGreaterThan(0);
        expect({ ...split, computed_ms: 0 }).toEqual({ ...single, computed_ms: 0 });
      }
      // The passes were offered to the funnel helper (each pass and each time-to-convert
      // summary), and it took part in some (a job it gets to after this thread took every
      // block is not waited for).
      expect(splits.mock.calls.filter(([job]) => job?.type === 'pass').length).toBeGreaterThanOrEqual(defs.length);
      expect(splits.mock.results.filter((r) => r.value === true).length).toBeGreaterThan(0);
    } finally {
      splits.mockRestore();
    }
    // A job a helper failed would have been redone here and that helper dropped.
    expect(hasHelper()).toBe(true);
    expect(hasFunnelThread()).toBe(true);
  }, 60_000);

  it('a thread that may not block gets the same funnel, without the helper', async () => {
    const out = await importFiles({ path: file }, env('nowait', 2));
    const local = new LocalDatasets();
    local.adopt(out.id, out.store!);
    expect(hasFunnelThread()).toBe(true);
    const def = FunnelDefinition.parse(defs[0]);
    const single = computeFunnel(singleThreadStore(out.dir), def, out.id);
    const wait = vi.spyOn(Atomics, 'wait').mockImplementation(() => {
      throw new TypeError('Atomics.wait cannot be called in this context');
    });
    try {
      // (Whether the helper took blocks, finished them before this thread looked, or was dropped
      // for being waited on, the funnel is the same.)
      expect({ ...(await local.backend(out.id, out.dir).funnel(def)), computed_ms: 0 }).toEqual({ ...single, computed_ms: 0 });
    } finally {
      wait.mockRestore();
    }
  }, 60_000);

  it('a job the helper does not know: the caller does every block once, without waiting, and keeps the helper', async () => {
    if (!hasHelper()) await importFiles({ path: file }, env('three', 2));
    expect(hasHelper()).toBe(true);
    const ran: number[] = [];
    const helped = runBlocks({ type: 'no-such-job' }, 8, (b) => ran.push(b));
    expect(helped).toBe(false);
    expect(ran).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(hasHelper()).toBe(true);
  }, 60_000);

  it('a helper that fails in a block: the caller redoes its unfinished blocks and drops it; a block that cannot be redone is an error', async () => {
    // A copy job with no chunks: the helper's first block throws.
    const broken = { type: 'merge', phase: 'copy', chunks: [], columns: [] };
    // The caller's first block lasts long enough for the helper to take (and fail) one.
    const slowFirst = (ran: number[]) => (b: number) => {
      if (ran.length === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
      ran.push(b);
    };
    if (!hasHelper()) await importFiles({ path: file }, env('four', 2));
    const ran: number[] = [];
    expect(runBlocks(broken, 8, slowFirst(ran))).toBe(false);
    expect([...ran].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(hasHelper()).toBe(false);
    await importFiles({ path: file }, env('five', 2));
    expect(hasHelper()).toBe(true);
    expect(() => runBlocks(broken, 8, slowFirst([]), { redo: false })).toThrow(/helper thread stopped in the middle of a merge job/);
    expect(hasHelper()).toBe(false);
  }, 60_000);

  it('a reopened large dataset is read into shared memory and its funnels split their pass with the funnel helper', async () => {
    const out = await importFiles({ path: file }, env('reopen', 0));
    expect(out.store!.time.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    // Opened from disk through the local backend (no columns handed over by the import).
    const backend = new LocalDatasets().backend(out.id, out.dir);
    const reopened = backend.store();
    expect(reopened.time.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(reopened.column('country').codes.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(hasFunnelThread()).toBe(true);
    const single = singleThreadStore(out.dir);
    expect(single.time.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(reopened.time)).toEqual(Array.from(single.time));
    await untilHelperTakesPart((def) => backend.funnel(def));
    const splits = vi.spyOn(HelperThread.prototype, 'runBlocks');
    try {
      for (const d of defs) {
        const def = FunnelDefinition.parse(d);
        const split = await backend.funnel(def);
        expect(split.stages[1].users).toBeGreaterThan(0);
        expect({ ...split, computed_ms: 0 }).toEqual({ ...computeFunnel(single, def, out.id), computed_ms: 0 });
      }
      // The passes did go to the funnel helper; one it failed would have dropped it.
      expect(splits.mock.calls.filter(([job]) => job?.type === 'pass').length).toBeGreaterThanOrEqual(defs.length);
      expect(splits.mock.results.filter((r) => r.value === true).length).toBeGreaterThan(0);
      expect(hasFunnelThread()).toBe(true);
    } finally {
      splits.mockRestore();
    }
  }, 60_000);
});
