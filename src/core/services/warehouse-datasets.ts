import { eq } from 'drizzle-orm';
import { FunnelDefinition } from '../../shared/contract';
import type { CallParsedInput, Dataset, SuggestedFunnel, WarehouseSource } from '../../shared/contract';
import { IafaError } from '../../shared/contract';
import { ClickHouseBackend, isClickHouseUrl, parseClickHouseUrl, urlWithMapping } from '../backends/clickhouse';
import { limitsFromEnv } from '../backends/clickhouse/connection';
import { schema } from '../db';
import { newId, nowIso } from '../ids';
import type { AppContext, CallContext } from './context';
import { getDatasetRow, toDataset, warehouseSecretName } from './datasets';
import { passwordFor } from './warehouse-connect';

/**
 * A warehouse table saved as a dataset: the datasets row holds its URL (with the column roles)
 * and limits, the OS secret store holds its password under the dataset's id. Every analysis on
 * such a dataset opens a ClickHouseBackend here, so the services treat a warehouse dataset id
 * exactly like a clickhouse:// URL.
 */

/** The saved warehouse source of a dataset id, or null for an imported dataset or a URL. */
export function warehouseOf(app: AppContext, datasetId: string): WarehouseSource | null {
  if (isClickHouseUrl(datasetId)) return null;
  const row = app.db.select({ w: schema.datasets.warehouseJson }).from(schema.datasets).where(eq(schema.datasets.id, datasetId)).get();
  return row?.w ? (JSON.parse(row.w) as WarehouseSource) : null;
}

/** True when analyses of this source run in a warehouse (a clickhouse:// URL or a saved warehouse dataset). */
export function isWarehouseSource(app: AppContext, source: string): boolean {
  return isClickHouseUrl(source) || warehouseOf(app, source) !== null;
}

/**
 * The backend for a clickhouse:// URL (password from warehouse:connect this session, else
 * IAFA_CLICKHOUSE_PASSWORD) or a saved warehouse dataset (IAFA_CLICKHOUSE_PASSWORD when set,
 * else its entry in the secret store); null for an imported dataset.
 */
export function openWarehouse(app: AppContext, source: string): ClickHouseBackend | null {
  if (isClickHouseUrl(source)) return new ClickHouseBackend(source, { env: app.env, password: passwordFor(app, source) });
  const w = warehouseOf(app, source);
  if (!w) return null;
  const password = app.env.IAFA_CLICKHOUSE_PASSWORD || app.secrets.get(warehouseSecretName(source));
  const l = w.limits;
  return new ClickHouseBackend(w.url, {
    env: app.env,
    password,
    limits: { timeoutSeconds: l.timeout_seconds, maxResultRows: l.max_result_rows, maxMemoryBytes: Math.round(l.max_memory_mb * 1024 ** 2) },
  });
}

/** Runs f on the source's warehouse backend and closes it; null for an imported dataset. */
export async function withWarehouse<T>(app: AppContext, source: string, f: (b: ClickHouseBackend) => Promise<T>): Promise<T | null> {
  const backend = openWarehouse(app, source);
  if (!backend) return null;
  try {
    return await f(backend);
  } finally {
    await backend.close();
  }
}

/** datasets:suggest-funnel on a warehouse dataset: its three most frequent events, counted as a funnel there. */
export async function warehouseSuggestion(app: AppContext, datasetId: string, backend: ClickHouseBackend, signal: AbortSignal): Promise<SuggestedFunnel> {
  const ds = toDataset(getDatasetRow(app, datasetId));
  const steps = ds.events.slice(0, 3).map((e) => e.name);
  if (steps.length < 2) return { steps: [], users: [], totalUsers: ds.userCount ?? 0 };
  const r = await backend.funnel(FunnelDefinition.parse({ steps: steps.map((event) => ({ event })) }), { signal });
  return { steps, users: r.stages.map((s) => s.users), totalUsers: ds.userCount ?? r.stages[0]?.users ?? 0 };
}

type ColType = Dataset['columns'][number]['type'];
function columnType(chType: string): ColType {
  const t = chType.replace(/^(Nullable|LowCardinality)\((.*)\)$/, '$2').replace(/^(Nullable|LowCardinality)\((.*)\)$/, '$2');
  if (/^DateTime/.test(t)) return 'timestamp';
  if (/^Date/.test(t)) return 'date';
  if (/^(U?Int|Float|Decimal)/.test(t)) return 'number';
  if (/^Bool/.test(t)) return 'boolean';
  return 'string';
}

/** Column names that usually hold an experiment's arm. */
const VARIANT_NAME = /variant|group|arm\b|experiment|version|bucket|treatment|cohort/i;
/** String columns of a user-level table profiled on save (one GROUP BY each, at most 21 rows back). */
const MAX_PROFILED = 12;

/**
 * A user-level table's string columns with their values (up to 20, as the importer samples them),
 * and its variant column: the first with 2 to 20 values and an arm-like name. This is what the
 * Experiments analyzer preselects from, as for an imported A/B table.
 */
async function profileUserTable(
  backend: ClickHouseBackend,
  cols: Dataset['columns'],
  signal: AbortSignal,
): Promise<{ columns: Dataset['columns']; variant: string | undefined }> {
  const out = cols.map((c) => ({ ...c }));
  for (const c of out.filter((x) => x.type === 'string' || x.type === 'boolean').slice(0, MAX_PROFILED)) {
    const values = await backend.propertyValues(c.name, { signal, limit: 21 });
    c.sample = values.slice(0, 20).map((v) => v.value);
    if (values.length > 20) continue;
    c.distinct = values.length;
    // Numbers kept as text (a CSV loaded as String columns) read as the importer would read them.
    const filled = c.sample.filter((v) => v !== '');
    if (c.type === 'string' && filled.length && filled.every((v) => /^-?\d+(\.\d+)?$/.test(v))) {
      c.type = filled.every((v) => v === '0' || v === '1') ? 'boolean' : 'number';
      c.role = 'metric';
    }
  }
  const variant = out.find((c) => c.distinct !== undefined && c.distinct >= 2 && c.distinct <= 20 && VARIANT_NAME.test(c.name));
  if (variant) variant.role = 'variant';
  return { columns: out, variant: variant?.name };
}

/**
 * warehouse:save: checks the table with the given roles and limits (one describe and, for an
 * event log, one event count: aggregates only), stores the password in the secret store, then the row. A failure
 * leaves neither behind.
 */
export async function warehouseSave(app: AppContext, input: CallParsedInput<'warehouse:save'>, ctx: CallContext): Promise<Dataset> {
  const target = parseClickHouseUrl(input.url);
  const url = urlWithMapping(input.url, input.roles ?? {});
  const base = limitsFromEnv(app.env);
  const limits = {
    timeout_seconds: input.limits?.timeout_seconds ?? base.timeoutSeconds,
    max_result_rows: input.limits?.max_result_rows ?? base.maxResultRows,
    max_memory_mb: input.limits?.max_memory_mb ?? Math.round(base.maxMemoryBytes / 1024 ** 2),
  };
  const password = input.password ?? passwordFor(app, input.url);
  const backend = new ClickHouseBackend(url, {
    env: app.env,
    ...(password !== undefined ? { password } : {}),
    limits: { timeoutSeconds: limits.timeout_seconds, maxResultRows: limits.max_result_rows, maxMemoryBytes: Math.round(limits.max_memory_mb * 1024 ** 2) },
  });
  let d: Awaited<ReturnType<ClickHouseBackend['describe']>>;
  let events: Awaited<ReturnType<ClickHouseBackend['events']>>;
  let columns: Dataset['columns'];
  let variant: string | undefined;
  try {
    d = await backend.describe({ signal: ctx.signal });
    // A table without user/time/event columns is saved as a user-level (A/B) table, like an import.
    events = d.kind === 'event_log' ? await backend.events({ signal: ctx.signal, limit: 200 }) : [];
    columns = d.columns.map((c) => ({
      name: c.name,
      role: c.role !== 'property' ? c.role : d.kind === 'user_table' && columnType(c.type) === 'number' ? 'metric' : 'segment',
      type: columnType(c.type),
    }));
    if (d.kind === 'user_table') ({ columns, variant } = await profileUserTable(backend, columns, ctx.signal));
  } finally {
    await backend.close();
  }
  const role = (r: string) => d.columns.find((c) => c.role === r)?.name;
  const id = newId('ds');
  const stored = Boolean(password);
  const source: WarehouseSource = {
    url: urlWithMapping(url, { user: role('user'), time: role('time'), event: role('event') }),
    limits,
    password: stored ? 'secret-store' : app.env.IAFA_CLICKHOUSE_PASSWORD ? 'environment' : 'none',
  };
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const row = {
    id,
    name: input.name ?? `${target.table} (ClickHouse)`,
    kind: d.kind,
    format: 'clickhouse',
    sourceName: backend.label,
    sourceBytes: 0,
    rowCount: d.rows,
    userCount: null,
    columnsJson: JSON.stringify(columns),
    mappingJson: JSON.stringify(
      d.kind === 'user_table' ? { ...(variant ? { variant } : {}) } : { user: role('user'), time: role('time'), event: role('event') },
    ),
    // A password kept in a plain 0600 file (no OS secret store) is said so wherever the dataset is listed.
    warningsJson: JSON.stringify(
      stored && app.secrets.kind === 'file'
        ? [
            {
              reason: 'password_in_file',
              count: 1,
              lines: [],
              message:
                'No OS secret store was found, so this warehouse password is kept unencrypted in a file only your user can read (mode 0600) in the data folder. Set IAFA_CLICKHOUSE_PASSWORD instead to keep it off the disk.',
            },
          ]
        : [],
    ),
    eventsJson: JSON.stringify(events.map((e) => ({ name: e.event, count: e.count }))),
    timeStart: iso(d.timeMin),
    timeEnd: iso(d.timeMax),
    // No folder is ever made for it: datasets:delete's removal of <datasets>/<id> finds nothing.
    storePath: id,
    warehouseJson: JSON.stringify(source),
    createdAt: nowIso(),
  };
  const dataset = toDataset(row);
  if (ctx.signal.aborted) throw new IafaError('cancelled', 'The operation was cancelled.');
  if (stored) {
    try {
      app.secrets.set(warehouseSecretName(id), password!);
    } catch (err) {
      // The store's own message speaks of the API key; this one is about the warehouse password.
      const why = /\((secret-tool: [^)]*)\)/.exec(err instanceof Error ? err.message : String(err))?.[1] ?? 'no reason given';
      throw new IafaError(
        'internal',
        `The OS keyring did not take the warehouse password (${why}). Nothing was saved: unlock the keyring, or set IAFA_CLICKHOUSE_PASSWORD (or IAFA_SECRET_STORE=file) and save again.`,
      );
    }
  }
  try {
    app.db.insert(schema.datasets).values(row).run();
  } catch (err) {
    if (stored) app.secrets.set(warehouseSecretName(id), '');
    throw err;
  }
  return dataset;
}
