import { z } from 'zod';
import { call } from './call';
import { Dataset, WarehouseLimits } from './datasets';

/**
 * "Connect to a warehouse", step one: test the connection, list the database's tables and, when
 * the URL names a table, its columns with their detected roles and the most frequent events.
 * The password is input only: no output field carries it.
 */
export const WarehouseConnectInput = z.object({
  /** clickhouse://[user@]host:port/database[/table] (clickhouses:// for TLS). */
  url: z.string().min(1).max(2000),
  /** Sent to the server for this call only; when absent IAFA_CLICKHOUSE_PASSWORD is used. */
  password: z.string().max(1000).optional(),
});

export const WarehouseConnectOutput = z.object({
  /** The URL without any secret. */
  label: z.string(),
  server_version: z.string(),
  database: z.string(),
  tables: z.array(z.string()),
  table: z
    .object({
      name: z.string(),
      kind: z.enum(['event_log', 'user_table']),
      rows: z.number().int().nonnegative(),
      columns: z.array(z.object({ name: z.string(), type: z.string(), role: z.enum(['user', 'time', 'event', 'property']) })),
      time_min: z.number().nullable(),
      time_max: z.number().nullable(),
      events: z.array(z.object({ event: z.string(), count: z.number(), users: z.number() })),
    })
    .nullable(),
  /** The limits every query runs under (IAFA_CLICKHOUSE_TIMEOUT_S, _MAX_ROWS, _MAX_MEMORY_MB). */
  limits: z.object({ timeout_seconds: z.number(), max_result_rows: z.number(), max_memory_mb: z.number() }),
  /** The server refused IAFA's settings: the user's profile is read-only and its limits apply. */
  readonly_profile: z.boolean(),
});
export type WarehouseConnectOutput = z.infer<typeof WarehouseConnectOutput>;

export const warehouseConnect = call({
  name: 'warehouse:connect',
  summary: 'Test a ClickHouse connection; list its tables, and the columns and events of the table the URL names.',
  http: { method: 'POST', path: '/api/v1/warehouse/connect' },
  input: WarehouseConnectInput,
  output: WarehouseConnectOutput,
});

export const WarehouseSaveInput = z.object({
  /** clickhouse://[user@]host:port/database/table (the table is required). */
  url: z.string().min(1).max(2000),
  /** Kept in the OS secret store under this dataset; when absent, the one given to warehouse:connect this session. */
  password: z.string().max(1000).optional(),
  name: z.string().trim().min(1).max(200).optional(),
  /** The column roles; detected from the table when absent. */
  roles: z
    .object({ user: z.string().min(1).max(500), time: z.string().min(1).max(500), event: z.string().min(1).max(500) })
    .partial()
    .optional(),
  /** Per-dataset limits; the IAFA_CLICKHOUSE_* defaults when absent. */
  limits: WarehouseLimits.partial().optional(),
});

export const warehouseSave = call({
  name: 'warehouse:save',
  summary:
    'Save a ClickHouse table as a dataset (URL, column roles, limits; the password in the OS secret store): every workspace then analyses it in ClickHouse.',
  http: { method: 'POST', path: '/api/v1/warehouse/datasets' },
  input: WarehouseSaveInput,
  output: Dataset,
});
