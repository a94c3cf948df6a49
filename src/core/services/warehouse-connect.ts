import type { CallParsedInput, WarehouseConnectOutput } from '../../shared/contract';
import { ClickHouseBackend } from '../backends/clickhouse';
import type { AppContext, CallContext } from './context';

/**
 * warehouse:connect: the first step of connecting a ClickHouse table. The password is used for
 * this call's queries and forgotten; the answer names the limits every query will run under.
 */
export async function warehouseConnect(app: AppContext, input: CallParsedInput<'warehouse:connect'>, ctx: CallContext): Promise<WarehouseConnectOutput> {
  const backend = new ClickHouseBackend(input.url, { env: app.env, password: input.password, tableOptional: true });
  try {
    const co = { signal: ctx.signal };
    const version = (await backend.conn.serverVersion(co)).join('.');
    const tables = await backend.tables(co);
    let table: WarehouseConnectOutput['table'] = null;
    if (backend.conn.target.table) {
      const d = await backend.describe(co);
      const events = d.kind === 'event_log' ? await backend.events({ ...co, limit: 50 }) : [];
      table = { name: backend.conn.target.table, kind: d.kind, rows: d.rows, columns: d.columns, time_min: d.timeMin, time_max: d.timeMax, events };
    }
    const l = backend.conn.limits;
    return {
      label: backend.label,
      server_version: version,
      database: backend.conn.target.database,
      tables,
      table,
      limits: { timeout_seconds: l.timeoutSeconds, max_result_rows: l.maxResultRows, max_memory_mb: Math.round(l.maxMemoryBytes / 1024 ** 2) },
      readonly_profile: backend.conn.readonlyProfile,
    };
  } finally {
    await backend.close();
  }
}
