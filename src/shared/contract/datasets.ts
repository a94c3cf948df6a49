import { z } from 'zod';
import { call } from './call';

export const DatasetKind = z.enum(['event_log', 'aggregated', 'user_table']);
export type DatasetKind = z.infer<typeof DatasetKind>;

export const ColumnInfo = z.object({
  name: z.string(),
  /** user | time | event | variant | stage | count | date | segment | metric | ignore */
  role: z.string(),
  type: z.enum(['string', 'number', 'boolean', 'timestamp', 'date']),
  distinct: z.number().int().nonnegative().optional(),
  sample: z.array(z.string()).optional(),
  /** A nested property's last path segment, when unique in the dataset: accepted wherever the name is. */
  short: z.string().optional(),
  /** Nearly one value per event (ids, uuids, $insert_id): kept, but not offered first as a breakdown. */
  highCardinality: z.boolean().optional(),
});
export type ColumnInfo = z.infer<typeof ColumnInfo>;

export const ImportWarning = z.object({
  reason: z.string(),
  count: z.number().int().nonnegative(),
  lines: z.array(z.number().int()).default([]),
  message: z.string(),
});
export type ImportWarning = z.infer<typeof ImportWarning>;

/** The limits every query on a warehouse runs under. */
export const WarehouseLimits = z.object({
  timeout_seconds: z.number().positive().max(86_400),
  max_result_rows: z.number().int().positive().max(100_000_000),
  max_memory_mb: z.number().positive().max(1_048_576),
});
export type WarehouseLimits = z.infer<typeof WarehouseLimits>;

/** Where a warehouse dataset's events are: never a password (that is in the OS secret store). */
export const WarehouseSource = z.object({
  /** clickhouse://[user@]host:port/database/table?user_col=…&time_col=…&event_col=… */
  url: z.string(),
  limits: WarehouseLimits,
  /** Where the password comes from: the OS secret store, IAFA_CLICKHOUSE_PASSWORD, or none. */
  password: z.enum(['secret-store', 'environment', 'none']),
});
export type WarehouseSource = z.infer<typeof WarehouseSource>;

export const Dataset = z.object({
  id: z.string(),
  name: z.string(),
  kind: DatasetKind,
  format: z.string(),
  sourceName: z.string(),
  sourceBytes: z.number().int().nonnegative(),
  rowCount: z.number().int().nonnegative(),
  userCount: z.number().int().nonnegative().nullable(),
  columns: z.array(ColumnInfo),
  mapping: z.record(z.string(), z.unknown()),
  warnings: z.array(ImportWarning),
  /** Distinct event names (event logs) or stage names (aggregated), for step pickers. */
  events: z.array(z.object({ name: z.string(), count: z.number() })).default([]),
  timeRange: z.object({ start: z.string(), end: z.string() }).nullable(),
  createdAt: z.string(),
  /** Set for a warehouse table saved as a dataset: its analyses run in the warehouse. */
  warehouse: WarehouseSource.nullable().optional(),
});
export type Dataset = z.infer<typeof Dataset>;

const IdParam = z.object({ id: z.string().min(1).max(200) });

export const datasetsList = call({
  name: 'datasets:list',
  summary: 'List imported datasets, newest first.',
  http: { method: 'GET', path: '/api/v1/datasets' },
  input: z.object({}).strict(),
  output: z.object({ datasets: z.array(Dataset) }),
});

export const datasetsGet = call({
  name: 'datasets:get',
  summary: 'One dataset with its columns, mapping and import warnings.',
  http: { method: 'GET', path: '/api/v1/datasets/:id' },
  input: IdParam,
  output: Dataset,
});

export const datasetsDelete = call({
  name: 'datasets:delete',
  summary: 'Delete a dataset, its stored columns and its funnels.',
  http: { method: 'DELETE', path: '/api/v1/datasets/:id' },
  input: IdParam,
  output: z.object({ deleted: z.literal(true) }),
});

export const datasetsRename = call({
  name: 'datasets:rename',
  summary: 'Rename a dataset.',
  http: { method: 'PATCH', path: '/api/v1/datasets/:id' },
  input: IdParam.extend({ name: z.string().trim().min(1).max(200) }),
  output: Dataset,
});
