import { z } from 'zod';
import { call } from './call';

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
