import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/core/services';
import { tempDir, tempEngine } from '../helpers/engine';
import { sharedData } from '../helpers/shared';

const TAOBAO = sharedData('taobao_userbehavior_head.csv');
const steps = [{ event: 'pv' }, { event: 'cart' }, { event: 'buy' }];

describe('parallel (worker thread) CSV parsing', () => {
  const single = tempEngine();
  const parallel = tempEngine({ IAFA_IMPORT_PARALLEL_MIN_MB: '0' });
  const dir = tempDir();
  afterAll(() => {
    single.cleanup();
    parallel.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores the same dataset as the sequential reader, with file line numbers in warnings', async () => {
    // Shuffled rows and a few bad ones, so merging chunks must keep file order and line numbers.
    const lines = fs.readFileSync(TAOBAO, 'utf8').trim().split('\n');
    const body = lines.slice(1);
    for (let i = body.length - 1, s = 7; i > 0; i--) {
      s = (s * 48271) % 2147483647;
      const j = s % (i + 1);
      [body[i], body[j]] = [body[j], body[i]];
    }
    body[100] = '1,2,3,pv,notatime';
    body[70000] = ',2,3,pv,1511544070';
    const file = path.join(dir, 'shuffled.csv');
    fs.writeFileSync(file, [lines[0], ...body].join('\n') + '\n');

    const a = await single.engine.dispatch('datasets:import', { path: file });
    const b = await parallel.engine.dispatch('datasets:import', { path: file });
    expect(b.rowCount).toBe(a.rowCount);
    expect(b.userCount).toBe(a.userCount);
    expect(b.events).toEqual(a.events);
    expect(b.warnings).toEqual(a.warnings);
    expect(a.warnings.map((w) => w.lines[0]).sort()).toEqual([102, 70002]);
    for (const def of [
      { steps, window: '24h', breakdown: 'category_id' },
      { steps, window: '7d', mode: 'first-touch' as const },
    ]) {
      const ra = await single.engine.dispatch('funnels:compute', { datasetId: a.id, definition: def });
      const rb = await parallel.engine.dispatch('funnels:compute', { datasetId: b.id, definition: def });
      expect({ ...rb, computed_ms: 0, dataset_id: '' }).toEqual({ ...ra, computed_ms: 0, dataset_id: '' });
    }
  });

  it('the first funnel, on the columns the import still holds, equals one on the stored files', async () => {
    const ds = await parallel.engine.dispatch('datasets:import', { path: TAOBAO });
    const def = { steps, window: '24h', breakdown: 'category_id', from: '2017-11-26', to: '2017-11-30' };
    const fromMemory = await parallel.engine.dispatch('funnels:compute', { datasetId: ds.id, definition: def });
    // A second engine on the same folder has nothing in memory: it reads the dataset back.
    const again = createEngine({ dataDir: parallel.dataDir, env: { OLLAMA_HOST: 'http://127.0.0.1:2' } });
    try {
      const fromDisk = await again.dispatch('funnels:compute', { datasetId: ds.id, definition: def });
      expect(fromMemory.stages[0].users).toBeGreaterThan(0);
      expect({ ...fromDisk, computed_ms: 0 }).toEqual({ ...fromMemory, computed_ms: 0 });
    } finally {
      again.close();
    }
  });

  it('falls back to the sequential reader when quotes may hide newlines', async () => {
    const file = path.join(dir, 'quoted.csv');
    fs.writeFileSync(file, 'user_id,timestamp,event,note\nu1,2026-01-01T00:00:00Z,a,"x\ny"\nu1,2026-01-01T00:01:00Z,b,plain\n');
    const ds = await parallel.engine.dispatch('datasets:import', { path: file });
    expect(ds.rowCount).toBe(2);
    const res = await parallel.engine.dispatch('funnels:compute', { datasetId: ds.id, definition: { steps: [{ event: 'a' }, { event: 'b' }] } });
    expect(res.stages.map((s) => s.users)).toEqual([1, 1]);
  });
});
