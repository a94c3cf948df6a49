import fs from 'node:fs';
import path from 'node:path';
import { LocalDatasets, type LocalBackend } from '../src/core/backends/local';
import type { FunnelDefinition, FunnelDefinitionInput } from '../src/shared/contract';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

/**
 * A stored dataset reopened in a fresh process, as the app does after a restart: the time to read
 * the columns a funnel by country needs, the first funnel, the resident bytes per event, then a
 * re-filter and a re-breakdown (each after a warm-up with another filter, so no pass is reused).
 * Shared by the funnel and the scale benches (their child processes).
 */
export async function reopenFigures(dataDir: string, datasetId: string, def: (d: Partial<FunnelDefinitionInput>) => FunnelDefinition) {
  const dir = path.join(dataDir, 'datasets', datasetId);
  const rows = (JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { rows: number }).rows;
  gc();
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const backend: LocalBackend = new LocalDatasets().backend(datasetId, dir);
  const store = backend.store();
  void store.time;
  void store.userStart;
  store.column(store.manifest.eventColumn!);
  store.column('country');
  const reopenMs = performance.now() - t0;
  const t1 = performance.now();
  await backend.funnel(def({ breakdown: 'country' }));
  const firstFunnelMs = performance.now() - t1;
  gc();
  const resident = process.memoryUsage().rss - rss0;
  await backend.funnel(def({ breakdown: 'country', include: { platform: ['ios'] } }));
  const t2 = performance.now();
  await backend.funnel(def({ breakdown: 'country', include: { platform: ['android'] } }));
  const refilterMs = performance.now() - t2;
  const t3 = performance.now();
  await backend.funnel(def({ breakdown: 'plan', include: { platform: ['android'] } }));
  const rebreakdownMs = performance.now() - t3;
  return { backend, figures: { reopenMs, firstFunnelMs, refilterMs, rebreakdownMs, residentBytesPerEvent: resident / rows } };
}
