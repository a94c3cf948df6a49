import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempEngine } from '../helpers/engine';
import { sharedData } from '../helpers/shared';

const FILE = sharedData('taobao_userbehavior_head.csv');

/**
 * Reference counts written directly from the definition as SQL joins (no window functions, no
 * greedy pass): a user is at level ≥ k when events p, c, b exist with p.t ≤ c.t ≤ b.t ≤ p.t + W.
 */
async function referenceCounts(con: DuckDBConnection, windowS: number, mode: 'any-start' | 'first-touch', strict: boolean): Promise<number[]> {
  const le = strict ? '<' : '<=';
  const start = mode === 'first-touch' ? "(SELECT user_id, min(t) AS t FROM ev WHERE e = 'pv' GROUP BY user_id)" : "(SELECT user_id, t FROM ev WHERE e = 'pv')";
  const sql = `
    WITH p AS ${start},
         c AS (SELECT user_id, t FROM ev WHERE e = 'cart'),
         b AS (SELECT user_id, t FROM ev WHERE e = 'buy')
    SELECT
      (SELECT count(DISTINCT user_id) FROM p) AS l1,
      (SELECT count(DISTINCT c.user_id) FROM c JOIN p ON p.user_id = c.user_id AND p.t ${le} c.t AND c.t <= p.t + ${windowS}) AS l2,
      (SELECT count(DISTINCT b.user_id) FROM b
         JOIN c ON c.user_id = b.user_id AND c.t ${le} b.t
         JOIN p ON p.user_id = b.user_id AND p.t ${le} c.t AND b.t <= p.t + ${windowS}) AS l3`;
  const rows = (await con.runAndReadAll(sql)).getRows()[0];
  return rows.map((v) => Number(v));
}

describe('Taobao UserBehavior head: pv → cart → buy against DuckDB SQL', () => {
  let ctx: ReturnType<typeof tempEngine>;
  let datasetId = '';
  let con: DuckDBConnection;
  beforeAll(async () => {
    ctx = tempEngine();
    const ds = await ctx.engine.dispatch('datasets:import', { path: FILE });
    datasetId = ds.id;
    const inst = await DuckDBInstance.create(':memory:');
    con = await inst.connect();
    await con.run(`CREATE TABLE ev AS SELECT user_id, behavior_type AS e, "timestamp"::BIGINT AS t FROM read_csv('${FILE}', header = true)`);
  });
  afterAll(() => {
    con?.closeSync();
    ctx.cleanup();
  });

  it('detects the event log mapping and imports every row', async () => {
    const ds = await ctx.engine.dispatch('datasets:get', { id: datasetId });
    expect(ds.kind).toBe('event_log');
    expect(ds.mapping).toMatchObject({ user: 'user_id', time: 'timestamp', event: 'behavior_type', timeFormat: 'unix_s' });
    const n = Number((await con.runAndReadAll('SELECT count(*) FROM ev')).getRows()[0][0]);
    const users = Number((await con.runAndReadAll('SELECT count(DISTINCT user_id) FROM ev')).getRows()[0][0]);
    expect(ds.rowCount).toBe(n);
    expect(ds.userCount).toBe(users);
    expect(ds.warnings).toEqual([]);
  });

  for (const [w, s] of [
    ['24h', 86_400],
    ['7d', 604_800],
  ] as const) {
    for (const mode of ['any-start', 'first-touch'] as const) {
      for (const strict of [false, true]) {
        it(`${mode}, window ${w}${strict ? ', strict' : ''}`, async () => {
          const res = await ctx.engine.dispatch('funnels:compute', {
            datasetId,
            definition: { steps: [{ event: 'pv' }, { event: 'cart' }, { event: 'buy' }], window: w, mode, strict },
          });
          const ref = await referenceCounts(con, s, mode, strict);
          expect(res.stages.map((x) => x.users)).toEqual(ref);
          expect(ref[2]).toBeGreaterThan(0);
          expect(res.overall_conversion_rate).toBeCloseTo((ref[2] / ref[0]) * 100, 2);
        });
      }
    }
  }
});
