import { desc, eq } from 'drizzle-orm';
import fs from 'node:fs';
import path from 'node:path';
import { Dataset, IafaError } from '../../shared/contract';
import { schema } from '../db';
import { dataPaths } from '../paths';
import type { AppContext, HandlerGroup } from './context';

type Row = typeof schema.datasets.$inferSelect;

export function toDataset(r: Omit<Row, 'warehouseJson'> & { warehouseJson?: string | null }): Dataset {
  return Dataset.parse({
    id: r.id,
    name: r.name,
    kind: r.kind,
    format: r.format,
    sourceName: r.sourceName,
    sourceBytes: r.sourceBytes,
    rowCount: r.rowCount,
    userCount: r.userCount,
    columns: JSON.parse(r.columnsJson),
    mapping: JSON.parse(r.mappingJson),
    warnings: JSON.parse(r.warningsJson),
    events: JSON.parse(r.eventsJson),
    timeRange: r.timeStart && r.timeEnd ? { start: r.timeStart, end: r.timeEnd } : null,
    createdAt: r.createdAt,
    warehouse: r.warehouseJson ? JSON.parse(r.warehouseJson) : null,
  });
}

/** The secret store's name for a warehouse dataset's password (names are [a-z0-9-]). */
export function warehouseSecretName(datasetId: string): string {
  return `clickhouse-${datasetId.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

export function getDatasetRow(app: AppContext, id: string): Row {
  const row = app.db.select().from(schema.datasets).where(eq(schema.datasets.id, id)).get();
  if (!row) throw new IafaError('not_found', `No dataset with id "${id}".`);
  return row;
}

export function datasetStoreDir(app: AppContext, row: Pick<Row, 'storePath'>): string {
  return path.join(dataPaths(app.dataDir).datasets, path.basename(row.storePath));
}

export function datasetHandlers(app: AppContext): HandlerGroup<'datasets:list' | 'datasets:get' | 'datasets:rename' | 'datasets:delete'> {
  return {
    'datasets:list': () => ({
      datasets: app.db.select().from(schema.datasets).orderBy(desc(schema.datasets.createdAt)).all().map(toDataset),
    }),
    'datasets:get': ({ id }) => toDataset(getDatasetRow(app, id)),
    'datasets:rename': ({ id, name }) => {
      getDatasetRow(app, id);
      app.db.update(schema.datasets).set({ name }).where(eq(schema.datasets.id, id)).run();
      return toDataset(getDatasetRow(app, id));
    },
    'datasets:delete': ({ id }) => {
      const row = getDatasetRow(app, id);
      app.db.delete(schema.datasets).where(eq(schema.datasets.id, id)).run();
      if (row.warehouseJson) app.secrets.set(warehouseSecretName(id), '');
      // The row goes first: a crash between the two leaves an orphan folder, never a dataset
      // whose columns are missing.
      fs.rmSync(datasetStoreDir(app, row), { recursive: true, force: true });
      return { deleted: true as const };
    },
  };
}
