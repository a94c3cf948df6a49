import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseBackend } from '../../src/core/backends/clickhouse';
import { clickhouseFunnel } from '../../src/core/backends/clickhouse/funnel';
import { seededRandom } from '../../src/core/random';
import { FunnelDefinition, type FunnelDefinitionInput, type FunnelResult, type FunnelStep } from '../../src/shared/contract';
import { chdb, chdbSession, loadStoreIntoChdb, NO_CHDB, type ChdbTable } from '../helpers/chdb';
import { ANALYST_PASSWORD, CLICKHOUSE_BIN, NO_CLICKHOUSE, loadEventStore, startCluster, type TestCluster } from '../helpers/clickhouse';
import { tempDir, tempEngine } from '../helpers/engine';
import { HAS_SHARED_DATA, sharedData } from '../helpers/shared';

/**
 * windowFunnel's options (strict order, deduplication, once, reentry, with and without strict
 * increase) compiled to SQL, against the local engine (src/core/funnel/modes-pass.ts) on the same
 * events: on Debian's ClickHouse 18.16 (a two-shard Distributed table) and on a current one
 * (chdb). A generated log with many ties and noise events, the sample, and Taobao.
 */
if (!CLICKHOUSE_BIN) console.warn(`skipping ClickHouse 18.16 mode tests: ${NO_CLICKHOUSE}`);
if (!chdb) console.warn(`skipping current-dialect mode tests: ${NO_CHDB}`);

type Flags = Pick<FunnelDefinitionInput, 'strictOrder' | 'strictDeduplication' | 'strictOnce' | 'allowReentry' | 'strict'>;
const FLAGS: Flags[] = [
  { strictOrder: true },
  { strictDeduplication: true },
  { strictOnce: true },
  { strictOrder: true, allowReentry: true },
  { strictOrder: true, strict: true },
  { strictDeduplication: true, strict: true },
  { strictOnce: true, strict: true },
  { strictOrder: true, strictDeduplication: true },
  { strictOrder: true, allowReentry: true, strictDeduplication: true },
  { strictOnce: true, strictOrder: true },
  { strictOnce: true, strictDeduplication: true, strict: true },
  { strictOrder: true, allowReentry: true, strictDeduplication: true, strictOnce: true, strict: true },
];
const name = (f: Flags) => Object.keys(f).join('+');
/** The flag sets also run on the sample and Taobao (each option, with strict, and all at once): the generated log takes every one. */
const REAL = new Set([
  'strictOrder',
  'strictDeduplication',
  'strictOnce',
  'strictOrder+allowReentry',
  'strictOrder+strict',
  'strictOnce+strict',
  'strictOrder+allowReentry+strictDeduplication+strictOnce+strict',
]);

/** Each case runs several funnels on two servers; on a shared 2-core machine that can pass a minute. */
const SLOW = 300_000;

const BASE = Date.UTC(2026, 2, 1, 20, 0, 0);

/** Users with up to 14 events on a 20-minute grid over three days (many ties), noise events x and y. */
function generatedCsv(seed: number): string {
  const r = seededRandom(seed);
  const lines = ['user_id,event_time,event_name,plat,seg'];
  for (let u = 0; u < 600; u++) {
    const seg = ['p', 'q', 'r'][Math.floor(r() * 3)];
    const n = 1 + Math.floor(r() * 14);
    for (let i = 0; i < n; i++) {
      const t = BASE + Math.floor(r() * 200) * 20 * 60_000 + (r() < 0.1 ? 1000 : 0);
      lines.push(`u${u},${new Date(t).toISOString()},${['a', 'b', 'c', 'd', 'x', 'y'][Math.floor(r() * 6)]},${r() < 0.5 ? 'ios' : 'web'},${seg}`);
    }
  }
  return lines.join('\n') + '\n';
}

const GEN_STEPS: FunnelStep[][] = [
  [{ event: 'a' }, { event: 'b' }, { event: 'c' }, { event: 'd' }],
  [{ event: 'a', orEvents: ['x'] }, { event: 'b', where: { column: 'plat', values: ['ios'] } }, { event: 'c' }],
];

const strip = (r: FunnelResult): FunnelResult => ({ ...r, dataset_id: '', computed_ms: 0 });

describe.skipIf(!CLICKHOUSE_BIN && !chdb)('funnel modes compiled to ClickHouse SQL, same results as the local engine', () => {
  let cluster: TestCluster | null = null;
  let local: ReturnType<typeof tempEngine>;
  const dir = tempDir();
  const ids: Record<string, string> = {};
  const backends: ClickHouseBackend[] = [];
  const onChdb: Record<string, ChdbTable> = {};
  let session: ReturnType<typeof chdbSession>['session'] | null = null;

  beforeAll(async () => {
    local = tempEngine();
    const file = path.join(dir, 'gen.csv');
    fs.writeFileSync(file, generatedCsv(7));
    const sources: [string, string][] = [
      ['gen', file],
      ['pinterest', 'sample'],
    ];
    if (HAS_SHARED_DATA) sources.push(['taobao', sharedData('taobao_userbehavior_head.csv')]);
    // IAFA_TEST_NO_CLUSTER=1 or IAFA_TEST_NO_CHDB=1 runs one dialect alone (quicker while working on the SQL).
    if (CLICKHOUSE_BIN && !process.env.IAFA_TEST_NO_CLUSTER) cluster = await startCluster(2);
    const s = chdb && !process.env.IAFA_TEST_NO_CHDB ? chdbSession() : null;
    session = s?.session ?? null;
    for (const [table, p] of sources) {
      ids[table] = (await local.engine.dispatch('datasets:import', { path: p })).id;
      const store = path.join(local.dataDir, 'datasets', ids[table]);
      if (cluster) await loadEventStore(cluster, store, 'iafa', table);
      if (s) onChdb[table] = await loadStoreIntoChdb(s.session, s.runner, store, table);
    }
  }, 240_000);

  afterAll(async () => {
    for (const b of backends) await Promise.race([b.close().catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    await cluster?.stop();
    session?.cleanup();
    local?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  const byTable = new Map<string, ClickHouseBackend>();
  const backend = (table: string) => {
    let b = byTable.get(table);
    if (!b) {
      b = new ClickHouseBackend(`clickhouse://analyst@127.0.0.1:${cluster!.servers[0].http}/iafa/${table}`, { password: ANALYST_PASSWORD, env: {} });
      byTable.set(table, b);
      backends.push(b);
    }
    return b;
  };

  /** The local engine's result, and the same funnel on 18.16 and on chdb, compared whole. */
  async function parity(table: string, input: FunnelDefinitionInput): Promise<FunnelResult> {
    const def = FunnelDefinition.parse(input);
    const want = strip(await local.engine.dispatch('funnels:compute', { datasetId: ids[table], definition: def }));
    const label = `${table} ${JSON.stringify(input)}`;
    if (cluster) expect(strip(await backend(table).funnel(def)), `18.16: ${label}`).toEqual(want);
    if (onChdb[table]) {
      const c = onChdb[table];
      expect(strip(await clickhouseFunnel(c.runner, c.table, c.range, def, { datasetId: 'x' })), `chdb: ${label}`).toEqual(want);
    }
    return want;
  }

  describe.each(FLAGS)('%o', (flags) => {
    it(
      `generated log: two funnels, windows 1h and none, breakdown, dates and previous period (${name(flags)})`,
      async () => {
        for (const steps of GEN_STEPS) {
          const want = await parity('gen', { steps, window: '1h', breakdown: 'seg', ...flags });
          expect(want.total_users).toBeGreaterThan(100);
          expect(want.stages[1].users).toBeGreaterThan(0);
          expect((await parity('gen', { steps, window: 'none', ...flags })).completed_users).toBeGreaterThan(0);
          await parity('gen', { steps, window: '1d', from: '2026-03-03', to: '2026-03-04', tz: 'Asia/Kolkata', include: { plat: ['ios'] }, ...flags });
        }
      },
      SLOW,
    );

    it.skipIf(!REAL.has(name(flags)))(
      `sample: breakdown, date range, previous period, time zone (${name(flags)})`,
      async () => {
        const steps = [{ event: 'pin_view' }, { event: 'save' }, { event: 'click' }, { event: 'purchase' }];
        const want = await parity('pinterest', { steps, breakdown: 'user_intent', from: '2026-01-26', to: '2026-02-22', tz: 'America/New_York', ...flags });
        expect(want.completed_users).toBeGreaterThan(0);
        await parity('pinterest', { steps, window: '1h', exclude: { platform: ['Web'] }, ...flags });
      },
      SLOW,
    );

    it.skipIf(!HAS_SHARED_DATA || !REAL.has(name(flags)))(
      `Taobao, second timestamps (${name(flags)})`,
      async () => {
        const steps = [{ event: 'pv' }, { event: 'cart' }, { event: 'buy' }];
        const want = await parity('taobao', { steps, window: '1d', breakdown: 'behavior_type', ...flags });
        expect(want.completed_users).toBeGreaterThan(0);
        await parity('taobao', { steps, window: '1h', tz: 'Asia/Shanghai', from: '2017-11-26', to: '2017-12-01', ...flags });
      },
      SLOW,
    );
  });
});
