import { IafaError, type FunnelDefinition, type FunnelResult, type ImportMapping } from '../../../shared/contract';
import type { AnalyzeParsed, CausalParsed, CausalResult, ExperimentAnalysis } from '../../../shared/contract/experiments';
import type { BackendSchema, CallOptions, DatasetBackend, EventCount, ExperimentAggregateSpec, ExperimentAggregates, PropertyInfo, ValueCount } from '../types';
import { ClickHouseConnection, limitsFromEnv, parseClickHouseUrl, type QueryLimits } from './connection';
import { clickhouseCausal, clickhouseExperiment, clickhouseExperimentAggregates } from './experiment';
import { clickhouseFunnel } from './funnel';
import { describeTable, eventTable, requireColumn, stringExpr, tableRef, type ChColumn, type EventTable } from './schema';
import { num, str } from './sql';

export { isClickHouseUrl, parseClickHouseUrl, urlWithMapping } from './connection';

export interface ClickHouseOptions {
  /** A URL with a database and no table is accepted (for listing tables); analyses then fail. */
  tableOptional?: boolean;
  mapping?: ImportMapping;
  /** IAFA_CLICKHOUSE_PASSWORD is read from env when no password is given. */
  password?: string;
  limits?: QueryLimits;
  env?: NodeJS.ProcessEnv;
}

/**
 * A ClickHouse table (or view, or Distributed table) as a dataset: the DatasetBackend whose
 * analyses run as SQL on the server and return aggregates only.
 */
export class ClickHouseBackend implements DatasetBackend {
  readonly kind = 'clickhouse';
  readonly conn: ClickHouseConnection;
  private columns: Promise<ChColumn[]> | null = null;
  private events_: Promise<EventTable> | null = null;
  private range: Promise<{ rows: number; timeMin: number | null; timeMax: number | null }> | null = null;

  constructor(
    url: string,
    private readonly o: ClickHouseOptions = {},
  ) {
    const env = o.env ?? process.env;
    this.conn = new ClickHouseConnection(
      parseClickHouseUrl(url, { tableOptional: o.tableOptional }),
      o.password ?? env.IAFA_CLICKHOUSE_PASSWORD ?? '',
      o.limits ?? limitsFromEnv(env),
    );
  }

  get label(): string {
    return this.conn.label;
  }

  private cols(co: CallOptions): Promise<ChColumn[]> {
    this.columns ??= this.conn.serverVersion(co).then(() => describeTable(this.conn, co));
    this.columns.catch(() => (this.columns = null));
    return this.columns;
  }

  private async eventTable(co: CallOptions): Promise<EventTable> {
    this.events_ ??= this.cols(co).then((c) => eventTable(this.conn, c, { ...this.conn.target.mapping, ...this.o.mapping }, co));
    this.events_.catch(() => (this.events_ = null));
    return this.events_;
  }

  private async timeRange(co: CallOptions) {
    const t = await this.eventTable(co);
    this.range ??= this.conn
      .rows<{ n: number; lo: number | null; hi: number | null }>(
        `SELECT count() AS n, min(${t.timeMs}) AS lo, max(${t.timeMs}) AS hi FROM ${t.from} WHERE ${t.validRows}`,
        co,
      )
      .then((r) => {
        const n = Number(r[0]?.n ?? 0);
        return { rows: n, timeMin: n ? Number(r[0].lo) : null, timeMax: n ? Number(r[0].hi) : null };
      });
    this.range.catch(() => (this.range = null));
    return this.range;
  }

  async describe(co: CallOptions = {}): Promise<BackendSchema> {
    const cols = await this.cols(co);
    let t: EventTable | null = null;
    try {
      t = await this.eventTable(co);
    } catch (e) {
      if (!(e instanceof IafaError && (e.details as { reason?: string } | undefined)?.reason === 'no_role')) throw e;
    }
    if (!t) {
      const r = await this.conn.rows<{ n: number }>(`SELECT count() AS n FROM ${tableRef(this.conn)}`, co);
      return { kind: 'user_table', rows: Number(r[0].n), columns: cols.map((c) => ({ ...c, role: 'property' as const })), timeMin: null, timeMax: null };
    }
    const range = await this.timeRange(co);
    const roleOf = (c: ChColumn) => (c === t.user ? 'user' : c === t.time ? 'time' : c === t.event ? 'event' : 'property');
    return { kind: 'event_log', rows: range.rows, columns: cols.map((c) => ({ ...c, role: roleOf(c) })), timeMin: range.timeMin, timeMax: range.timeMax };
  }

  async funnel(def: FunnelDefinition, co: CallOptions = {}): Promise<FunnelResult> {
    const t = await this.eventTable(co);
    const range = await this.timeRange(co);
    co.onProgress?.(0, 'querying ClickHouse');
    const r = await clickhouseFunnel(this.conn, t, range, def, { signal: co.signal, datasetId: this.label });
    co.onProgress?.(1);
    return r;
  }

  async events(co: CallOptions & { limit?: number } = {}): Promise<EventCount[]> {
    const t = await this.eventTable(co);
    const rows = await this.conn.rows<{ e: string; c: number; u: number }>(
      `SELECT ${t.eventExpr} AS e, count() AS c, uniqExact(${t.userExpr}) AS u FROM ${t.from} WHERE ${t.validRows} GROUP BY e ORDER BY c DESC, e LIMIT ${num(co.limit ?? 1000)}`,
      co,
    );
    return rows.map((r) => ({ event: r.e, count: Number(r.c), users: Number(r.u) }));
  }

  async properties(co: CallOptions = {}): Promise<PropertyInfo[]> {
    const t = await this.eventTable(co);
    const props = t.columns.filter((c) => c !== t.user && c !== t.time && c !== t.event);
    if (!props.length) return [];
    const rows = await this.conn.rows<Record<string, number>>(
      `SELECT ${props.map((c, i) => `uniqExact(${stringExpr(c)}) AS p${i}`).join(', ')} FROM ${t.from}`,
      co,
    );
    return props.map((c, i) => ({ name: c.name, type: c.type, distinct: Number(rows[0][`p${i}`]) }));
  }

  async propertyValues(column: string, co: CallOptions & { limit?: number } = {}): Promise<ValueCount[]> {
    const cols = await this.cols(co);
    const c = requireColumn(cols, column, 'property', `${this.conn.target.database}.${this.conn.target.table}`);
    const rows = await this.conn.rows<{ v: string; c: number }>(
      `SELECT ${stringExpr(c)} AS v, count() AS c FROM ${tableRef(this.conn)} GROUP BY v ORDER BY c DESC, v LIMIT ${num(co.limit ?? 100)}`,
      co,
    );
    return rows.map((r) => ({ value: r.v, count: Number(r.c) }));
  }

  async experimentAggregates(spec: ExperimentAggregateSpec, co: CallOptions = {}): Promise<ExperimentAggregates> {
    return clickhouseExperimentAggregates(this.conn, await this.cols(co), spec, { signal: co.signal });
  }

  /** The experiment read-out of a user-level table, from per-variant aggregates computed on the server. */
  async experimentAnalysis(input: AnalyzeParsed, co: CallOptions = {}): Promise<ExperimentAnalysis> {
    const cols = await this.cols(co);
    return clickhouseExperiment(this.conn, cols, input, { signal: co.signal, file: `${this.conn.target.database}.${this.conn.target.table}` });
  }

  /** The causal interpretation of a user-level table, from aggregates computed on the server. */
  async experimentCausal(input: CausalParsed, co: CallOptions = {}): Promise<CausalResult> {
    const cols = await this.cols(co);
    return clickhouseCausal(this.conn, cols, input, { signal: co.signal, file: `${this.conn.target.database}.${this.conn.target.table}` });
  }

  /** The tables and views of the URL's database (a connection test that needs no table). */
  async tables(co: CallOptions = {}): Promise<string[]> {
    const rows = await this.conn.rows<{ name: string }>(`SELECT name FROM system.tables WHERE database = ${str(this.conn.target.database)} ORDER BY name`, co);
    return rows.map((r) => r.name);
  }

  async close(): Promise<void> {
    await this.conn.close();
  }
}
