import { createClient, ClickHouseError, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import { IafaError } from '../../../shared/contract';
import { newQueryId, str } from './sql';

/** Where a ClickHouse table is: parsed from clickhouse://[user@]host:port/database/table. */
export interface ClickHouseTarget {
  tls: boolean;
  host: string;
  port: number;
  user: string;
  database: string;
  table: string;
  /** Column roles given in the URL (?user_col=…&time_col=…&event_col=…), for callers that pass only a URL. */
  mapping: { user?: string; time?: string; event?: string };
}

/** The limits every query runs under; the defaults are documented in the README ("Warehouse"). */
export interface QueryLimits {
  /** max_execution_time on the server, seconds. */
  timeoutSeconds: number;
  /** max_result_rows (with result_overflow_mode = throw): a guard that only aggregates come back. */
  maxResultRows: number;
  /** max_memory_usage per query, bytes. */
  maxMemoryBytes: number;
}

/** How much longer than max_execution_time the client waits before giving up on a silent server. */
const CLIENT_GRACE_S = 5;

export const DEFAULT_LIMITS: QueryLimits = { timeoutSeconds: 120, maxResultRows: 100_000, maxMemoryBytes: 4 * 1024 ** 3 };

/** Limits from IAFA_CLICKHOUSE_TIMEOUT_S, IAFA_CLICKHOUSE_MAX_ROWS and IAFA_CLICKHOUSE_MAX_MEMORY_MB. */
export function limitsFromEnv(env: NodeJS.ProcessEnv): QueryLimits {
  const read = (name: string, fallback: number, scale = 1): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const v = Number(raw);
    if (!(v > 0) || !Number.isFinite(v)) throw new IafaError('validation', `${name} must be a positive number (got "${raw}").`);
    return Math.round(v * scale);
  };
  return {
    timeoutSeconds: read('IAFA_CLICKHOUSE_TIMEOUT_S', DEFAULT_LIMITS.timeoutSeconds),
    maxResultRows: read('IAFA_CLICKHOUSE_MAX_ROWS', DEFAULT_LIMITS.maxResultRows),
    maxMemoryBytes: read('IAFA_CLICKHOUSE_MAX_MEMORY_MB', DEFAULT_LIMITS.maxMemoryBytes, 1024 ** 2) || DEFAULT_LIMITS.maxMemoryBytes,
  };
}

export function isClickHouseUrl(s: string): boolean {
  return /^clickhouses?:\/\//i.test(s);
}

/**
 * clickhouse://[user@]host[:port]/database/table (HTTP, port 8123 by default) or clickhouses://
 * (HTTPS, 8443). A password in the URL is refused: it would end up in shell history and logs.
 */
export function parseClickHouseUrl(raw: string, o: { tableOptional?: boolean } = {}): ClickHouseTarget {
  const m = /^(clickhouses?):\/\/(?:([^@/]*)@)?(\[[0-9a-fA-F:]+\]|[^:/@]+)(?::(\d+))?\/([^/?#]+)(?:\/([^/?#]+))?\/?(?:\?([^#]*))?$/i.exec(raw);
  if (!m || (!m[6] && !o.tableOptional))
    throw new IafaError('validation', 'A ClickHouse source looks like clickhouse://[user@]host:port/database/table (clickhouses:// for TLS).', {
      reason: 'bad_url',
    });
  const [, scheme, userPart, host, port, db, table, query] = m;
  if (userPart?.includes(':'))
    throw new IafaError('validation', 'Do not put the password in the URL: set IAFA_CLICKHOUSE_PASSWORD instead.', { reason: 'password_in_url' });
  const tls = scheme.toLowerCase() === 'clickhouses';
  const p = port ? Number(port) : tls ? 8443 : 8123;
  if (!(p > 0 && p < 65536)) throw new IafaError('validation', `Port ${port} is out of range.`, { reason: 'bad_url' });
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new IafaError('validation', `"${s}" is not valid percent-encoding in the ClickHouse URL.`, { reason: 'bad_url' });
    }
  };
  const mapping: ClickHouseTarget['mapping'] = {};
  for (const [k, v] of new URLSearchParams(query ?? '')) {
    const role = { user_col: 'user', time_col: 'time', event_col: 'event' }[k] as 'user' | 'time' | 'event' | undefined;
    if (!role) throw new IafaError('validation', `Unknown option "${k}" in the ClickHouse URL (known: user_col, time_col, event_col).`, { reason: 'bad_url' });
    mapping[role] = v;
  }
  return { tls, host, port: p, user: userPart ? dec(userPart) : 'default', database: dec(db), table: table ? dec(table) : '', mapping };
}

/** The URL without any secret, for messages and logs. */
export function targetLabel(t: ClickHouseTarget): string {
  return `${t.tls ? 'clickhouses' : 'clickhouse'}://${t.user === 'default' ? '' : encodeURIComponent(t.user) + '@'}${t.host}:${t.port}/${encodeURIComponent(t.database)}/${encodeURIComponent(t.table)}`;
}

/** The URL with column roles added as query options (what the CLI passes to services that take only a source). */
export function urlWithMapping(url: string, mapping: { user?: string; time?: string; event?: string }): string {
  const t = parseClickHouseUrl(url);
  const m = { ...t.mapping, ...mapping };
  const q = new URLSearchParams();
  if (m.user) q.set('user_col', m.user);
  if (m.time) q.set('time_col', m.time);
  if (m.event) q.set('event_col', m.event);
  const base = url.replace(/\?.*$/, '');
  return q.size ? `${base}?${q.toString()}` : base;
}

export interface QueryOptions {
  signal?: AbortSignal;
  /** Extra server settings for this query (numbers only; dropped for a readonly = 1 profile, like the limits). */
  settings?: Record<string, number>;
}

/**
 * One connection's queries: every one read-only (readonly = 2: reads and settings only, so the
 * limits below can still be set per query), under the limits, with its own query id so a cancel
 * can KILL it on the server. Errors come back as IafaErrors with a message that says what is wrong.
 */
export class ClickHouseConnection {
  private client: ClickHouseClient;
  private version: Promise<number[]> | null = null;
  /** Every query id sent, for the tests' check of system.query_log. */
  readonly sent: string[] = [];
  /**
   * True once the server said this user may not change settings (a readonly = 1 profile): it is
   * read-only by the server's own rule, and the profile's limits replace IAFA's.
   */
  readonlyProfile = false;

  constructor(
    readonly target: ClickHouseTarget,
    password: string,
    readonly limits: QueryLimits = DEFAULT_LIMITS,
  ) {
    this.client = createClient({
      url: `${target.tls ? 'https' : 'http'}://${target.host}:${target.port}`,
      username: target.user,
      password,
      database: target.database,
      application: 'iafa',
      // The server stops the query at max_execution_time; the client waits a little longer so
      // the server's own message (not a socket timeout) is what the user sees.
      request_timeout: (limits.timeoutSeconds + CLIENT_GRACE_S) * 1000,
      compression: { response: false, request: false },
      log: { level: ClickHouseLogLevel.OFF },
    });
  }

  get label(): string {
    return targetLabel(this.target);
  }

  /** Server version as numbers ([18, 16, 1]); the dialect and the cancel setting depend on it. */
  serverVersion(o: QueryOptions = {}): Promise<number[]> {
    this.version ??= this.run<{ v: string }>('SELECT version() AS v', o, false).then((r) => r[0].v.split('.').map(Number));
    this.version.catch(() => (this.version = null));
    return this.version;
  }

  /** Runs a SELECT and returns its rows (JSONEachRow; 64-bit integers as numbers). */
  async rows<T>(sql: string, o: QueryOptions = {}): Promise<T[]> {
    const modern = ((await this.serverVersion(o))[0] ?? 0) >= 19;
    return this.run<T>(sql, o, modern);
  }

  private async run<T>(sql: string, o: QueryOptions, modern: boolean): Promise<T[]> {
    if (o.signal?.aborted) throw new IafaError('cancelled', 'The query was cancelled before it started.');
    const queryId = newQueryId();
    this.sent.push(queryId);
    // A user whose profile is readonly = 1 may not set anything: its profile's limits then apply.
    const settings: Record<string, string | number> = this.readonlyProfile
      ? {}
      : {
          readonly: 2,
          max_execution_time: this.limits.timeoutSeconds,
          max_result_rows: this.limits.maxResultRows,
          result_overflow_mode: 'throw',
          max_memory_usage: this.limits.maxMemoryBytes,
          output_format_json_quote_64bit_integers: 0,
          ...o.settings,
        };
    // Newer servers stop a read-only query themselves when the HTTP connection closes.
    if (modern && !this.readonlyProfile) settings.cancel_http_readonly_queries_on_client_close = 1;
    const local = new AbortController();
    const onAbort = () => {
      local.abort();
      // 18.16 keeps running a query whose client went away: kill it by id, on a fresh request.
      void this.kill(queryId);
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const rs = await this.client.query({
        query: sql,
        format: 'JSONEachRow',
        query_id: queryId,
        abort_signal: local.signal,
        clickhouse_settings: settings as never,
      });
      return (await rs.json()) as T[];
    } catch (e) {
      if (o.signal?.aborted) throw new IafaError('cancelled', 'The ClickHouse query was cancelled (and killed on the server).');
      if (!this.readonlyProfile && /Cannot (override|modify) setting/.test(String((e as Error)?.message))) {
        this.readonlyProfile = true;
        return this.run<T>(sql, o, modern);
      }
      throw this.explain(e);
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** KILL QUERY by id; best effort (the query may have just finished). */
  async kill(queryId: string): Promise<void> {
    try {
      const r = await this.client.command({ query: `KILL QUERY WHERE query_id = ${str(queryId)} ASYNC`, clickhouse_settings: { readonly: 2 } as never });
      await r.query_id;
    } catch {
      /* nothing left to kill, or no right to: the request was closed anyway */
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** A specific message for each way a query can fail. */
  explain(e: unknown): IafaError {
    if (e instanceof IafaError) return e;
    const where = `ClickHouse at ${this.target.host}:${this.target.port}`;
    const err = e as NodeJS.ErrnoException & { code?: string };
    const text = e instanceof Error ? e.message : String(e);
    if (e instanceof ClickHouseError || /Code: \d+/.test(text)) {
      const code = Number((e as ClickHouseError).code ?? /Code: (\d+)/.exec(text)?.[1]);
      const first = text
        .replace(/\s*\(version [^)]*\)\s*$/, '')
        .split('\n')[0]
        .slice(0, 400);
      switch (code) {
        case 192:
        case 193:
        case 194:
        case 516:
          return new IafaError('validation', `${where} refused the user "${this.target.user}" or its password (set IAFA_CLICKHOUSE_PASSWORD).`, {
            reason: 'auth_failed',
            code,
          });
        case 16:
        case 47:
          return new IafaError('validation', `${where}: a column IAFA needs is missing from ${this.target.database}.${this.target.table}: ${first}`, {
            reason: 'missing_column',
            code,
          });
        case 46:
          return new IafaError('validation', `${where} lacks a function IAFA's SQL uses (the server is too old or restricted): ${first}`, {
            reason: 'missing_function',
            code,
          });
        case 60:
        case 81:
          return new IafaError('not_found', `${where}: no table ${this.target.database}.${this.target.table} (${first}).`, { reason: 'unknown_table', code });
        case 159:
          return new IafaError(
            'validation',
            `${where} stopped the query after ${this.limits.timeoutSeconds} s (the time limit; raise it with IAFA_CLICKHOUSE_TIMEOUT_S).`,
            { reason: 'timeout', code },
          );
        case 241:
          return new IafaError(
            'validation',
            `${where} stopped the query at the memory limit of ${Math.round(this.limits.maxMemoryBytes / 1024 ** 2)} MB (raise it with IAFA_CLICKHOUSE_MAX_MEMORY_MB).`,
            { reason: 'memory_limit', code },
          );
        case 396:
        case 158:
          return new IafaError(
            'validation',
            `${where}: the answer would have more than ${this.limits.maxResultRows} rows (IAFA_CLICKHOUSE_MAX_ROWS); narrow the breakdown.`,
            { reason: 'too_many_rows', code },
          );
        case 164:
          return new IafaError('validation', `${where} refused the query in read-only mode: ${first}`, { reason: 'readonly', code });
        case 394:
          return new IafaError('cancelled', `${where}: the query was cancelled.`, { reason: 'cancelled', code });
        default:
          return new IafaError('internal', `${where}: ${first}`, { reason: 'clickhouse_error', code });
      }
    }
    if (err?.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(text))
      return new IafaError('validation', `${where} is not reachable (connection refused): is the server running, and is ${this.target.port} its HTTP port?`, {
        reason: 'unreachable',
      });
    if (err?.code === 'ENOTFOUND' || /ENOTFOUND|EAI_AGAIN/.test(text))
      return new IafaError('validation', `${where}: the host name "${this.target.host}" does not resolve.`, { reason: 'unreachable' });
    if (/timeout|timed out|ETIMEDOUT/i.test(text))
      return new IafaError(
        'validation',
        `${where} did not answer within ${this.limits.timeoutSeconds + CLIENT_GRACE_S} s (a slow or stuck server; the limit is IAFA_CLICKHOUSE_TIMEOUT_S).`,
        { reason: 'timeout' },
      );
    if (/ECONNRESET|socket hang up/i.test(text))
      return new IafaError('validation', `${where} closed the connection (is it an HTTP port? ClickHouse's native port 9000 is not).`, {
        reason: 'connection_reset',
      });
    return new IafaError('internal', `${where}: ${text.slice(0, 400)}`, { reason: 'clickhouse_error' });
  }
}
