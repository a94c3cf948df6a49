import { DuckDBInstance } from '@duckdb/node-api';

/**
 * The fastest exact windowFunnel (any-start, inclusive window) we could write for DuckDB: for a
 * fixed start, taking the earliest next step at or after the previous one is optimal, and ASOF
 * joins find exactly that in a sort-merge. The level of a user is the best over their starts;
 * their segment comes from their first step-1 event.
 */
export function duckdbFunnelSql(file: string, steps: string[], windowS: number, by: string, source?: string): string {
  const s = steps.map((e, i) => `s${i + 1} AS (SELECT u, t${i === 0 ? `, ${by} AS seg` : ''} FROM ev WHERE e = '${e}')`);
  const chain: string[] = [`c1 AS (SELECT u, t AS t1, seg FROM s1)`];
  for (let k = 2; k <= steps.length; k++) {
    chain.push(
      `c${k} AS (SELECT c${k - 1}.*, s${k}.t AS t${k} FROM c${k - 1} ASOF LEFT JOIN s${k} ON c${k - 1}.u = s${k}.u AND s${k}.t >= c${k - 1}.t${k - 1})`,
    );
  }
  // Each level requires all the previous ones: an ASOF probe with a NULL key is not trusted.
  const cond = (k: number) => Array.from({ length: k - 1 }, (_, i) => `t${i + 2} <= t1 + ${windowS}`).join(' AND ');
  const lvl = ['1', ...steps.slice(1).map((_, i) => `coalesce((${cond(i + 2)})::INT, 0)`)].join(' + ');
  const counts = steps.map((_, i) => `count(*) FILTER (WHERE lvl >= ${i + 1}) AS l${i + 1}`).join(', ');
  return `
    WITH ev AS (${
      source ??
      `SELECT user_id AS u, "timestamp" AS t, event AS e, ${by} FROM read_csv('${file}', header = true, delim = ',',
           columns = {'user_id': 'BIGINT', 'timestamp': 'BIGINT', 'event': 'VARCHAR', 'country': 'VARCHAR', 'platform': 'VARCHAR', 'plan': 'VARCHAR', 'tenure': 'VARCHAR'})`
    }),
    ${s.join(',\n    ')},
    ${chain.join(',\n    ')},
    users AS (SELECT u, max(${lvl}) AS lvl, arg_min(seg, t1) AS seg FROM c${steps.length} GROUP BY u)
    SELECT seg, ${counts} FROM users GROUP BY seg ORDER BY seg`;
}

export async function duckdbFunnel(
  file: string,
  steps: string[],
  windowS: number,
  by: string,
  source?: string,
): Promise<{ ms: number; bySegment: Record<string, number[]> }> {
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  const t0 = performance.now();
  const rows = (await con.runAndReadAll(duckdbFunnelSql(file, steps, windowS, by, source))).getRows();
  const ms = performance.now() - t0;
  con.closeSync();
  return { ms, bySegment: Object.fromEntries(rows.map((r) => [String(r[0]), r.slice(1).map(Number)])) };
}

/**
 * The same funnel on a Mixpanel-shaped NDJSON export (plain or .gz) or its Parquet copy: DuckDB
 * reads the nested properties itself (read_ndjson_auto / read_parquet), the rest of the SQL is the same.
 */
export function duckdbExportSource(file: string, kind: 'ndjson' | 'parquet', by: string): string {
  const read = kind === 'ndjson' ? `read_ndjson_auto('${file}')` : `read_parquet('${file}')`;
  return `SELECT properties.distinct_id AS u, properties.time AS t, event AS e, properties.${by} AS ${by} FROM ${read}`;
}

/**
 * The export-like CSV (bench/export-like-data.ts) for the same SQL: ids as text, and the ISO
 * times read as TIMESTAMPTZ, which applies each row's zone offset (a time without one is UTC,
 * as IAFA reads it), then epoch milliseconds: the window is then given in ms.
 */
export function duckdbExportLikeSource(file: string, by: string): string {
  return `SELECT user_id AS u, epoch_ms("time") AS t, event AS e, ${by} FROM read_csv('${file}', header = true, delim = ',',
           columns = {'user_id': 'VARCHAR', 'time': 'TIMESTAMPTZ', 'event': 'VARCHAR', 'country': 'VARCHAR', 'platform': 'VARCHAR', 'plan': 'VARCHAR', 'page': 'VARCHAR'})`;
}
