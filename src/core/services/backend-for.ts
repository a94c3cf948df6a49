import type { FunnelDefinition, FunnelResult, ImportMapping } from '../../shared/contract';
import { isClickHouseUrl, type ClickHouseBackend } from '../backends/clickhouse';
import { LocalDatasets, type LocalBackend } from '../backends/local';
import type { DatasetBackend } from '../backends/types';
import type { AppContext } from './context';
import { datasetStoreDir, getDatasetRow } from './datasets';
import { openWarehouse } from './warehouse-datasets';

/**
 * The one place that decides where a dataset's analyses run: every service reaches a dataset's
 * rows only through the DatasetBackend this returns (test/unit/architecture.test.ts holds them
 * to it).
 */

const locals = new WeakMap<AppContext, LocalDatasets>();

/** The imported datasets of this engine's data folder (a few kept open, shared by every call). */
export function localDatasets(app: AppContext): LocalDatasets {
  let l = locals.get(app);
  if (!l) locals.set(app, (l = new LocalDatasets(4)));
  return l;
}

/** An imported dataset's backend; fails with not_found for an unknown id. */
export function localBackendFor(app: AppContext, datasetId: string): LocalBackend {
  const row = getDatasetRow(app, datasetId);
  const mapping = JSON.parse(row.mappingJson) as ImportMapping;
  return localDatasets(app).backend(datasetId, datasetStoreDir(app, row), { user: mapping.user, time: mapping.time });
}

/**
 * The backend of a dataset id or a clickhouse:// URL: ClickHouse for a URL or a saved warehouse
 * dataset, else the imported column store. The caller closes it (withBackend does).
 */
export function backendFor(app: AppContext, datasetId: string): LocalBackend | ClickHouseBackend {
  return openWarehouse(app, datasetId) ?? localBackendFor(app, datasetId);
}

/** Runs f on the dataset's backend and closes it. */
export async function withBackend<T>(app: AppContext, datasetId: string, f: (b: LocalBackend | ClickHouseBackend) => Promise<T>): Promise<T> {
  const backend = backendFor(app, datasetId);
  try {
    return await f(backend);
  } finally {
    await backend.close();
  }
}

/** A funnel on the backend of `datasetId`; a saved warehouse dataset's result carries the dataset's id, not its URL. */
export async function funnelOn(backend: DatasetBackend, datasetId: string, def: FunnelDefinition, signal: AbortSignal): Promise<FunnelResult> {
  const r = await backend.funnel(def, { signal });
  return backend.kind === 'clickhouse' && !isClickHouseUrl(datasetId) ? { ...r, dataset_id: datasetId } : r;
}

/** One funnel on any dataset (imported, saved warehouse table or clickhouse:// URL). */
export function datasetFunnel(app: AppContext, datasetId: string, def: FunnelDefinition, signal: AbortSignal): Promise<FunnelResult> {
  return withBackend(app, datasetId, (b) => funnelOn(b, datasetId, def, signal));
}
