import { useRef, useState } from 'react';
import type { Dataset, FunnelResult, WarehouseConnectOutput } from '../../../../shared/contract';
import { api, errorMessage } from '../../api/client';
import { isAbort } from '../../format';
import { Badge, ErrorNote, Panel } from '../../components/ui';

type Roles = { user: string; time: string; event: string };
type Limits = WarehouseConnectOutput['limits'];

/** Where a saved dataset can be used next (Data.tsx lands it like an import). */
export interface SavedLanding {
  href: string;
  label: string;
}

/** clickhouse://user@host:port/db (any trailing table or slash dropped) from the form's fields. */
function baseUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

/**
 * "Connect to a warehouse": a ClickHouse URL and password, a connection test that lists the
 * tables, the chosen table's columns with their roles, and a funnel computed there. The password
 * goes to the engine once (warehouse:connect), which keeps it in memory for this session only;
 * it is never shown again or returned by the API. "Save as dataset" stores the table (URL, roles,
 * limits) as a dataset every workspace lists; the engine puts that password in the OS secret store.
 */
export function WarehousePanel({ onSaved }: { onSaved?(ds: Dataset): Promise<SavedLanding> }) {
  const [url, setUrl] = useState('');
  const [password, setPassword] = useState('');
  const [server, setServer] = useState<WarehouseConnectOutput | null>(null);
  const [table, setTable] = useState<WarehouseConnectOutput['table']>(null);
  const [roles, setRoles] = useState<Roles | null>(null);
  const [steps, setSteps] = useState('');
  const [funnel, setFunnel] = useState<FunnelResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [name, setName] = useState('');
  const [limits, setLimits] = useState<Limits | null>(null);
  const [saved, setSaved] = useState<{ ds: Dataset; landing: SavedLanding | null } | null>(null);
  const abort = useRef<AbortController | null>(null);

  /** Runs one call at a time; Cancel aborts the request, and the engine then kills the query on the server. */
  async function run<T>(f: (signal: AbortSignal) => Promise<T>): Promise<T | null> {
    abort.current = new AbortController();
    setBusy(true);
    setError(null);
    try {
      return await f(abort.current.signal);
    } catch (e) {
      setError(isAbort(e) || abort.current?.signal.aborted ? 'Cancelled: the query was stopped on the server.' : errorMessage(e));
      return null;
    } finally {
      abort.current = null;
      setBusy(false);
    }
  }

  async function testConnection() {
    setServer(null);
    setTable(null);
    setFunnel(null);
    const r = await run(() => api('warehouse:connect', { url: baseUrl(url), ...(password ? { password } : {}) }));
    if (r) {
      setServer(r);
      setLimits(r.limits);
      // The engine holds the password now; the form forgets it.
      setPassword('');
    }
  }

  async function pickTable(name: string) {
    setFunnel(null);
    const r = await run(() => api('warehouse:connect', { url: `${baseUrl(url)}/${encodeURIComponent(name)}` }));
    if (!r?.table) return;
    setTable(r.table);
    setName(`${r.table.name} (ClickHouse)`);
    setSaved(null);
    const role = (k: 'user' | 'time' | 'event') => r.table!.columns.find((c) => c.role === k)?.name ?? '';
    setRoles({ user: role('user'), time: role('time'), event: role('event') });
    setSteps(
      r.table.events
        .slice(0, 3)
        .map((e) => e.event)
        .join(', '),
    );
  }

  async function computeFunnel() {
    if (!table || !roles) return;
    const q = new URLSearchParams({ user_col: roles.user, time_col: roles.time, event_col: roles.event });
    const datasetId = `${baseUrl(url)}/${encodeURIComponent(table.name)}?${q.toString()}`;
    const list = steps
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const r = await run((signal) => api('funnels:compute', { datasetId, definition: { steps: list.map((event) => ({ event })) } }, { signal }));
    if (r) setFunnel(r);
  }

  async function saveDataset() {
    if (!table || !roles || !limits) return;
    const ds = await run((signal) =>
      api(
        'warehouse:save',
        {
          url: `${baseUrl(url)}/${encodeURIComponent(table.name)}`,
          name: name.trim() || undefined,
          roles: table.kind === 'event_log' ? roles : undefined,
          limits,
        },
        { signal },
      ),
    );
    if (!ds) return;
    setSaved({ ds, landing: null });
    const landing = (await onSaved?.(ds).catch(() => null)) ?? null;
    setSaved({ ds, landing });
  }

  return (
    <Panel title="Connect to a warehouse" id="warehouse">
      <p className="small">
        ClickHouse over HTTP (<code>clickhouses://</code> for TLS). The analysis runs in ClickHouse: only the queries leave this machine and only aggregates
        come back.
      </p>
      <div className="inline-form warehouse-form">
        <label className="field inline">
          URL
          <input aria-label="Warehouse URL" placeholder="clickhouse://user@host:8123/database" value={url} onChange={(e) => setUrl(e.target.value)} size={48} />
        </label>
        <label className="field inline">
          Password
          <input aria-label="Warehouse password" type="password" autoComplete="off" value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <button type="button" onClick={() => void testConnection()} disabled={busy || !url.trim()}>
          Test connection
        </button>
      </div>
      <ErrorNote message={error} />
      {server && (
        <div className="warehouse-server">
          <p>
            <Badge tone="good">Connected</Badge> ClickHouse {server.server_version}, database <strong>{server.database}</strong>. Every query is read-only,
            stops after {server.limits.timeout_seconds} s, returns at most {server.limits.max_result_rows.toLocaleString('en-US')} rows and uses at most{' '}
            {server.limits.max_memory_mb.toLocaleString('en-US')} MB
            {server.readonly_profile ? ' (your user is read-only by profile: its own limits apply)' : ''}.
          </p>
          <label className="field inline">
            Table
            <select aria-label="Warehouse table" value={table?.name ?? ''} onChange={(e) => void pickTable(e.target.value)} disabled={busy}>
              <option value="" disabled>
                Pick a table…
              </option>
              {server.tables.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
      {table && roles && (
        <div className="warehouse-table">
          <p>
            {table.rows.toLocaleString('en-US')} rows, {table.kind === 'event_log' ? 'an event log' : 'a table without user/time/event columns'}.
          </p>
          <div className="inline-form">
            {(['user', 'time', 'event'] as const).map((k) => (
              <label key={k} className="field inline">
                {k}
                <select aria-label={`${k} column`} value={roles[k]} onChange={(e) => setRoles({ ...roles, [k]: e.target.value })}>
                  {table.columns.map((c) => (
                    <option key={c.name} value={c.name}>
                      {c.name} ({c.type})
                    </option>
                  ))}
                </select>
              </label>
            ))}
          </div>
          <div className="inline-form">
            <label className="field inline">
              Steps
              <input aria-label="Funnel steps" value={steps} onChange={(e) => setSteps(e.target.value)} size={48} />
            </label>
            <button type="button" onClick={() => void computeFunnel()} disabled={busy || !steps.trim()}>
              Compute funnel in ClickHouse
            </button>
            {busy && (
              <button type="button" onClick={() => abort.current?.abort()}>
                Cancel
              </button>
            )}
          </div>
          <p className="small">
            Most frequent events:{' '}
            {table.events
              .slice(0, 8)
              .map((e) => `${e.event} (${e.count.toLocaleString('en-US')})`)
              .join(', ')}
          </p>
          {limits && (
            <fieldset className="warehouse-save">
              <legend>Save as a dataset</legend>
              <p className="small">
                Every workspace then lists it and analyses it in ClickHouse. The URL, roles and limits are stored; the password goes to the OS secret store
                (IAFA_CLICKHOUSE_PASSWORD, when set, is used instead).
              </p>
              <div className="inline-form">
                <label className="field inline">
                  Name
                  <input aria-label="Dataset name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
                </label>
                <label className="field inline">
                  Time limit (s)
                  <input
                    aria-label="Time limit"
                    type="number"
                    min={1}
                    value={limits.timeout_seconds}
                    onChange={(e) => setLimits({ ...limits, timeout_seconds: Number(e.target.value) })}
                  />
                </label>
                <label className="field inline">
                  Max rows
                  <input
                    aria-label="Max result rows"
                    type="number"
                    min={1}
                    value={limits.max_result_rows}
                    onChange={(e) => setLimits({ ...limits, max_result_rows: Number(e.target.value) })}
                  />
                </label>
                <label className="field inline">
                  Memory (MB)
                  <input
                    aria-label="Memory limit"
                    type="number"
                    min={1}
                    value={limits.max_memory_mb}
                    onChange={(e) => setLimits({ ...limits, max_memory_mb: Number(e.target.value) })}
                  />
                </label>
                <button
                  type="button"
                  onClick={() => void saveDataset()}
                  disabled={busy || !(limits.timeout_seconds > 0 && limits.max_result_rows > 0 && limits.max_memory_mb > 0)}
                >
                  Save as dataset
                </button>
              </div>
            </fieldset>
          )}
          {saved && (
            <p role="status">
              <Badge tone="good">Saved</Badge> “{saved.ds.name}” is listed with your datasets.{' '}
              {saved.landing && <a href={saved.landing.href}>{saved.landing.label}</a>}
              {saved.ds.warnings.map((w) => (
                <span key={w.reason} className="small warn">
                  {' '}
                  {w.message}
                </span>
              ))}
            </p>
          )}
        </div>
      )}
      {funnel && (
        <table className="table compact warehouse-funnel" aria-label="Warehouse funnel">
          <thead>
            <tr>
              <th>Stage</th>
              <th>Users</th>
              <th>% of step 1</th>
              <th>% of previous</th>
            </tr>
          </thead>
          <tbody>
            {funnel.stages.map((s) => (
              <tr key={s.stage_name}>
                <td>{s.stage_name}</td>
                <td>{s.users.toLocaleString('en-US')}</td>
                <td>{s.conversion_rate}%</td>
                <td>{s.step_conversion_rate}%</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
