import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FunnelDefinition, FunnelResult } from '../../shared/contract';
import { schema } from '../db';
import { computeFunnel } from '../funnel';
import { nowIso } from '../ids';
import { importFiles, MAX_COLUMNS, previewAny, StoreCache, type ColumnStore } from '../import';
import type { AppContext, HandlerGroup } from './context';
import { datasetStoreDir, getDatasetRow, toDataset } from './datasets';
import { warehouseFunnel } from './warehouse-datasets';
import { getFunnel } from './funnels';

const caches = new WeakMap<AppContext, StoreCache>();

function storeCache(app: AppContext): StoreCache {
  let cache = caches.get(app);
  if (!cache) caches.set(app, (cache = new StoreCache(4)));
  return cache;
}

/** Opened datasets stay in memory (a few, LRU) so re-filtering and re-breaking-down skip the disk. */
export function openDatasetStore(app: AppContext, datasetId: string): ColumnStore {
  const row = getDatasetRow(app, datasetId);
  return storeCache(app).get(datasetId, datasetStoreDir(app, row));
}

/** The funnel engine on a stored dataset: also for other services (insights, reports). */
export function funnelFor(app: AppContext, datasetId: string, definition: FunnelDefinition): FunnelResult {
  return computeFunnel(openDatasetStore(app, datasetId), definition, datasetId);
}

/** IAFA_IMPORT_MEMORY_MB caps what one import may hold in memory; default half the RAM, at most 8 GB. */
export function importBudgetBytes(env: NodeJS.ProcessEnv): number {
  const mbEnv = Number(env.IAFA_IMPORT_MEMORY_MB);
  if (Number.isFinite(mbEnv) && mbEnv > 0) return mbEnv * 1048576;
  return Math.min(os.totalmem() / 2, 8 * 1024 ** 3);
}

/** IAFA_MAX_COLUMNS: files with more columns are refused (default MAX_COLUMNS). */
export function importMaxColumns(env: NodeJS.ProcessEnv): number {
  const n = Number(env.IAFA_MAX_COLUMNS);
  return Number.isInteger(n) && n > 0 ? n : MAX_COLUMNS;
}

export function importHandlers(app: AppContext): HandlerGroup<'datasets:import' | 'datasets:preview' | 'funnels:compute'> {
  return {
    'datasets:preview': (input) => previewAny(input, importBudgetBytes(app.env), importMaxColumns(app.env)),
    'datasets:import': async (input, ctx) => {
      const minMb = Number(app.env.IAFA_IMPORT_PARALLEL_MIN_MB);
      const out = await importFiles(input, {
        dataDir: app.dataDir,
        budgetBytes: importBudgetBytes(app.env),
        maxColumns: importMaxColumns(app.env),
        signal: ctx.signal,
        progress: ctx.progress,
        parallelMinBytes: Number.isFinite(minMb) && app.env.IAFA_IMPORT_PARALLEL_MIN_MB ? minMb * 1048576 : undefined,
        jsonParallel: app.env.IAFA_IMPORT_JSON_PARALLEL === '1',
      });
      const name = input.name ?? (input.path === 'sample' ? 'Pinterest sample' : path.basename(input.path).replace(/(\.(csv|tsv|txt|json|ndjson|jsonl|parquet))?(\.(gz|zip))?$/i, ''));
      const row = {
        id: out.id,
        name,
        kind: out.kind,
        format: out.format,
        sourceName: out.sourceName,
        sourceBytes: out.sourceBytes,
        rowCount: out.rowCount,
        userCount: out.userCount,
        columnsJson: JSON.stringify(out.columns),
        mappingJson: JSON.stringify(out.mapping),
        warningsJson: JSON.stringify(out.warnings),
        eventsJson: JSON.stringify(out.events),
        timeStart: out.timeRange?.start ?? null,
        timeEnd: out.timeRange?.end ?? null,
        storePath: out.id,
        createdAt: nowIso(),
      };
      let dataset: ReturnType<typeof toDataset>;
      try {
        if (ctx.signal.aborted) throw new Error('cancelled');
        // Checked before the insert: a row the contract cannot read back would break every
        // later datasets:list, so such an import must leave nothing behind.
        dataset = toDataset(row);
        app.db.insert(schema.datasets).values(row).run();
      } catch (err) {
        fs.rmSync(out.dir, { recursive: true, force: true });
        throw err;
      }
      // The first funnel (the Dashboard opens one right away) reads nothing back from disk.
      if (out.store) storeCache(app).put(out.id, out.store);
      return dataset;
    },
    'funnels:compute': async (input, ctx) => {
      // A clickhouse:// source computes in ClickHouse (backends/clickhouse); only aggregates come back.
      // So does a warehouse table saved as a dataset, or a saved funnel on one.
      if (input.funnelId) {
        const f = getFunnel(app, input.funnelId);
        return { ...((await warehouseFunnel(app, f.datasetId, f.definition, ctx.signal)) ?? funnelFor(app, f.datasetId, f.definition)), funnel_name: f.name };
      }
      return (await warehouseFunnel(app, input.datasetId!, input.definition!, ctx.signal)) ?? funnelFor(app, input.datasetId!, input.definition!);
    },
  };
}
