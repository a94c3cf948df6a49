import { IafaError, type ImportMapping } from '../../../shared/contract';
import type { ClickHouseConnection, QueryOptions } from './connection';
import { ident } from './sql';
import { EVENT_NAMES as EVENT, normName as norm, TIME_NAMES as TIME, USER_NAMES as USER } from '../../column-roles';

/** A table column as DESCRIBE TABLE reports it. */
export interface ChColumn {
  name: string;
  type: string;
}

/** The roles of an event-log table and the SQL expressions IAFA reads them through. */
export interface EventTable {
  /** `db`.`table` */
  from: string;
  columns: ChColumn[];
  user: ChColumn;
  time: ChColumn;
  event: ChColumn;
  /** Event time as Int64 epoch milliseconds. */
  timeMs: string;
  userExpr: string;
  eventExpr: string;
  /** Rows the importer would skip: empty user or event, no time. */
  validRows: string;
}

export function tableRef(conn: ClickHouseConnection): string {
  return `${ident(conn.target.database)}.${ident(conn.target.table)}`;
}

export async function describeTable(conn: ClickHouseConnection, o: QueryOptions = {}): Promise<ChColumn[]> {
  const rows = await conn.rows<{ name: string; type: string }>(`DESCRIBE TABLE ${tableRef(conn)}`, o);
  return rows.map((r) => ({ name: r.name, type: r.type }));
}

/** The column by its exact name, or a specific error naming the columns there are. */
export function requireColumn(columns: ChColumn[], name: string, role: string, table: string): ChColumn {
  const c = columns.find((x) => x.name === name);
  if (!c)
    throw new IafaError('validation', `The ${role} column "${name}" does not exist in ${table}. Columns: ${columns.map((x) => x.name).join(', ')}.`, {
      reason: 'unknown_column',
      column: name,
    });
  return c;
}

const inner = (type: string) => /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(type)?.[1] ?? type;
const baseType = (type: string): string => {
  let t = type;
  for (let i = 0; i < 3; i++) t = inner(t);
  return t;
};
const nullable = (type: string) => /Nullable\(/.test(type);

/** A column's values as the strings the importer would have read (empty for NULL). */
export function stringExpr(c: ChColumn): string {
  const q = ident(c.name);
  const b = baseType(c.type);
  const s = /^(String|FixedString|Enum)/.test(b)
    ? b.startsWith('FixedString')
      ? `toString(${q})`
      : b.startsWith('Enum')
        ? `toString(${q})`
        : q
    : `toString(${q})`;
  return nullable(c.type) ? `ifNull(${s}, '')` : s;
}

/**
 * Event time as Int64 epoch ms. Integers and floats are epoch seconds unless their largest
 * value is past 1e11 (then milliseconds), as the importer decides for number columns.
 */
export function timeMsExpr(c: ChColumn, numericIsMs: boolean): string {
  const q = ident(c.name);
  const b = baseType(c.type);
  if (/^DateTime64/.test(b)) return `toInt64(toUnixTimestamp64Milli(${q}))`;
  if (/^DateTime/.test(b)) return `(toInt64(toUInt32(${q})) * 1000)`;
  if (b === 'Date') return `(toInt64(toUInt16(${q})) * 86400000)`;
  if (b === 'Date32') return `(toInt64(toInt32(${q})) * 86400000)`;
  if (/^U?Int\d+$/.test(b)) return numericIsMs ? `toInt64(${q})` : `(toInt64(${q}) * 1000)`;
  if (/^Float\d+$/.test(b) || /^Decimal/.test(b)) return `toInt64(round(${numericIsMs ? q : `${q} * 1000`}))`;
  throw new IafaError(
    'validation',
    `The time column "${c.name}" has type ${c.type}; IAFA reads DateTime, DateTime64, Date or epoch seconds/milliseconds as numbers.`,
    { reason: 'bad_time_type', column: c.name },
  );
}

function pick(columns: ChColumn[], names: string[], given: string | undefined, role: string, table: string): ChColumn {
  if (given) return requireColumn(columns, given, role, table);
  for (const n of names) {
    const c = columns.find((x) => norm(x.name) === n);
    if (c) return c;
  }
  throw new IafaError(
    'validation',
    `No ${role} column recognised in ${table} (columns: ${columns.map((c) => c.name).join(', ')}); name it with --${role}-col.`,
    { reason: 'no_role', role },
  );
}

/** Roles from the mapping, else by name as for files; numeric times are probed for ms vs s. */
export async function eventTable(conn: ClickHouseConnection, columns: ChColumn[], mapping: ImportMapping, o: QueryOptions = {}): Promise<EventTable> {
  const table = `${conn.target.database}.${conn.target.table}`;
  const user = pick(columns, USER, mapping.user, 'user', table);
  const time = pick(columns, TIME, mapping.time, 'time', table);
  const event = pick(columns, EVENT, mapping.event, 'event', table);
  const from = tableRef(conn);
  let numericIsMs = false;
  if (/^(U?Int|Float|Decimal)/.test(baseType(time.type))) {
    const r = await conn.rows<{ m: number | null }>(`SELECT toFloat64(max(${ident(time.name)})) AS m FROM ${from}`, o);
    numericIsMs = (r[0]?.m ?? 0) > 1e11;
  }
  const userExpr = stringExpr(user);
  const eventExpr = stringExpr(event);
  const conds = [`${userExpr} != ''`, `${eventExpr} != ''`];
  if (nullable(time.type)) conds.push(`isNotNull(${ident(time.name)})`);
  return { from, columns, user, time, event, timeMs: timeMsExpr(time, numericIsMs), userExpr, eventExpr, validRows: conds.join(' AND ') };
}
