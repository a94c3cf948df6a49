import fs from 'node:fs';
import { expect } from 'vitest';
import { dataPaths } from '../../src/core/paths';
import { createEngine, type Engine } from '../../src/core/services';
import type { FunnelStep } from '../../src/shared/contract';

/**
 * After a refused import: the only dataset is the earlier one, nothing is left in staging, and a
 * second engine on the same folder (reading the columns from disk, not the open-store cache)
 * still gives that dataset's funnel.
 */
export async function expectOnlyDataset(engine: Engine, dataDir: string, prevId: string, steps: FunnelStep[], prevStages: number[]): Promise<void> {
  const { datasets } = await engine.dispatch('datasets:list', {});
  expect(datasets.map((d) => d.id)).toEqual([prevId]);
  const p = dataPaths(dataDir);
  expect(fs.readdirSync(p.datasets)).toEqual([prevId]);
  expect(fs.existsSync(p.tmp) ? fs.readdirSync(p.tmp) : []).toEqual([]);
  const fresh = createEngine({ dataDir, env: {} });
  try {
    const res = await fresh.dispatch('funnels:compute', { datasetId: prevId, definition: { steps } });
    expect(res.stages.map((s) => s.users)).toEqual(prevStages);
  } finally {
    fresh.close();
  }
}
