import type { CallParsedInput, WarehouseConnectOutput } from '../../shared/contract';
import { ClickHouseBackend, parseClickHouseUrl } from '../backends/clickhouse';
import type { AppContext, CallContext } from './context';

/**
 * Passwords given to warehouse:connect, kept in this process's memory only (per engine, per
 * user@host:port) so the calls that follow (funnels:compute on the URL) can use them. Never
 * written anywhere, never returned; a restart forgets them.
 */
const remembered = new WeakMap<AppContext, Map<string, string>>();
const keyOf = (url: string) => {
  const t = parseClickHouseUrl(url, { tableOptional: true });
  return `${t.tls ? 's' : ''}${t.user}@${t.host}:${t.port}`;
};

/** The password remembered for this URL's server and user, if any (else the backend reads IAFA_CLICKHOUSE_PASSWORD). */
export function passwordFor(app: AppContext, url: string): string | undefined {
  return remembered.get(app)?.get(keyOf(url));
}

/**
 * warehouse:connect: the first step of connecting a ClickHouse table. A password that works is
 * remembered in memory for this session (see passwordFor); the answer names the limits every
 * query will run under.
 */
export async function warehouseConnect(app: AppContext, input: CallParsedInput<'warehouse:connect'>, ctx: CallContext): Promise<WarehouseConnectOutput> {
  const backend = new ClickHouseBackend(input.url, { env: app.env, password: input.password ?? passwordFor(app, input.url), tableOptional: true });
  try {
    const co = { signal: ctx.signal };
    const version = (await backend.conn.serverVersion(co)).join('.');
    const tables = await backend.tables(co);
    if (input.password !== undefined) {
      const map = remembered.get(app) ?? new Map<string, string>();
      map.set(keyOf(input.url), input.password);
      remembered.set(app, map);
    }
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
