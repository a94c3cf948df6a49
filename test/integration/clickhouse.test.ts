import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseBackend } from '../../src/core/backends/clickhouse';
import { parseCsv } from '../../src/core/experiments';
import type { FunnelDefinitionInput } from '../../src/shared/contract';
import { FunnelDefinition } from '../../src/shared/contract';
import { ANALYST_PASSWORD, CLICKHOUSE_BIN, NO_CLICKHOUSE, loadCsvTable, loadEventStore, startCluster, type TestCluster } from '../helpers/clickhouse';
import { runCliCaptured } from '../helpers/cli';
import { apiFetch, serverFor } from '../helpers/http';
import { tempEngine } from '../helpers/engine';
import { HAS_SHARED_DATA, sharedData } from '../helpers/shared';

/**
 * The ClickHouse backend against a real two-shard cluster (Debian's clickhouse-server, started
 * by the harness): parity with the local engine on the same events, the aggregates-only and
 * read-only rules read back from the servers' query_log, cancel, and each failure's message.
 */
if (!CLICKHOUSE_BIN) console.warn(`skipping ClickHouse tests: ${NO_CLICKHOUSE}`);

const STEPS = [{ event: 'pin_view' }, { event: 'save' }, { event: 'click' }, { event: 'purchase' }];

describe.skipIf(!CLICKHOUSE_BIN)('ClickHouse backend on a two-shard Distributed table', () => {
  let cluster: TestCluster;
  let local: ReturnType<typeof tempEngine>;
  let sampleId: string;
  let url: string;
  let port: number;
  const backends: ClickHouseBackend[] = [];
  const env = () => ({ IAFA_DATA_DIR: local.dataDir, IAFA_CLICKHOUSE_PASSWORD: ANALYST_PASSWORD, OLLAMA_HOST: 'http://127.0.0.1:2' });
  const backend = (u = url, extra: ConstructorParameters<typeof ClickHouseBackend>[1] = {}) => {
    const b = new ClickHouseBackend(u, { password: ANALYST_PASSWORD, env: {}, ...extra });
    backends.push(b);
    return b;
  };
  const strip = (json: string) => ({ ...JSON.parse(json), dataset_id: null, computed_ms: null });

  beforeAll(async () => {
    cluster = await startCluster(2);
    port = cluster.servers[0].http;
    url = `clickhouse://analyst@127.0.0.1:${port}/iafa/pinterest`;
    local = tempEngine();
    const ds = await local.engine.dispatch('datasets:import', { path: 'sample' });
    sampleId = ds.id;
    await loadEventStore(cluster, path.join(local.dataDir, 'datasets', ds.id), 'iafa', 'pinterest');
  }, 180_000);

  afterAll(async () => {
    // A client left with a stuck socket must not hold up stopping the servers.
    for (const b of backends) await Promise.race([b.close().catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    await cluster?.stop();
    local?.cleanup();
    // The servers were stopped by PID: none may be left.
    for (const s of cluster?.servers ?? []) expect(() => process.kill(s.pid, 0)).toThrow();
  }, 120_000);

  it('the table really is split over both shards, users included', async () => {
    const counts = await Promise.all([0, 1].map(async (i) => Number(await cluster.admin('SELECT count() FROM iafa.pinterest_local', i))));
    expect(counts[0]).toBeGreaterThan(100_000);
    expect(counts[1]).toBeGreaterThan(100_000);
    expect(Number(await cluster.admin('SELECT count() FROM iafa.pinterest'))).toBe(272_277);
  });

  const CASES: [string, Partial<FunnelDefinitionInput>][] = [
    ['any-start, 7d', {}],
    ['breakdown, date range, previous period', { breakdown: 'user_intent', from: '2026-01-26', to: '2026-02-22' }],
    ['first-touch, strict', { mode: 'first-touch', strict: true, breakdown: 'platform' }],
    ['strict any-start, 1h', { strict: true, window: '1h' }],
    ['unordered, 24h, breakdown', { mode: 'unordered', window: '24h', breakdown: 'user_tenure' }],
    ['unordered, no window', { mode: 'unordered', window: 'none' }],
    ['window none, first-touch', { mode: 'first-touch', window: 'none' }],
    ['filters include and exclude', { include: { platform: ['iOS', 'Web'] }, exclude: { user_tenure: ['New'] }, breakdown: 'surface' }],
    ['time zone with half-hour offset', { tz: 'Asia/Kolkata', from: '2026-01-26', to: '2026-02-08' }],
    ['time zone with DST', { tz: 'America/New_York', window: '30m', breakdown: 'surface' }],
    [
      'repeated step and a step filter',
      { steps: [{ event: 'pin_view' }, { event: 'pin_view' }, { event: 'save', where: { column: 'surface', values: ['Home', 'Search'] } }], window: '2h' },
    ],
    ['empty result (injection-looking filter value)', { include: { platform: ["iOS' OR '1'='1", "\\'; DROP TABLE x; --"] } }],
  ];

  it.each(CASES)('funnel parity with the local engine: %s', async (_, extra) => {
    const def = FunnelDefinition.parse({ steps: STEPS, ...extra });
    const want = await local.engine.dispatch('funnels:compute', { datasetId: sampleId, definition: def });
    const got = await backend().funnel(def);
    expect({ ...got, dataset_id: null, computed_ms: null }).toEqual({ ...want, dataset_id: null, computed_ms: null });
  });

  it('done-when: `iafa funnel clickhouse://… --by … --json` prints the same JSON as for the sample file', async () => {
    const args = ['--steps', 'pin_view,save,click,purchase', '--window', '7d', '--by', 'user_intent', '--from', '2026-01-26', '--to', '2026-02-22', '--json'];
    const file = await runCliCaptured(['funnel', 'sample', ...args], env());
    const ch = await runCliCaptured(['funnel', `clickhouse://analyst@127.0.0.1:${port}/iafa/pinterest`, ...args], env());
    expect(ch.stderr).not.toContain(ANALYST_PASSWORD);
    expect(file.code).toBe(0);
    expect(ch.code).toBe(0);
    expect(strip(ch.stdout)).toEqual(strip(file.stdout));
    expect(strip(ch.stdout).total_users).toBeGreaterThan(1000);
    // Same text, apart from the two fields that name the source and time the run.
    const norm = (s: string) => s.replace(/"dataset_id": "[^"]*"/, '').replace(/"computed_ms": [\d.]+/, '');
    expect(norm(ch.stdout)).toBe(norm(file.stdout));
  });

  it('columns named by --user-col/--time-col/--event-col, a DateTime time column, a Nullable column, a name with spaces', async () => {
    for (const i of [0, 1]) {
      await cluster.admin(
        'CREATE TABLE iafa.renamed_local (`who am i` String, `when` DateTime, what String, intent Nullable(String)) ENGINE = MergeTree() ORDER BY `who am i`',
        i,
      );
      await cluster.admin(
        "INSERT INTO iafa.renamed_local SELECT user_id, toDateTime(intDiv(ts, 1000)), event, if(user_intent = '', NULL, user_intent) FROM iafa.pinterest_local",
        i,
      );
      await cluster.admin('CREATE TABLE iafa.renamed AS iafa.renamed_local ENGINE = Distributed(iafa_test, iafa, renamed_local, rand())', i);
    }
    const args = ['--steps', 'pin_view,save,click', '--window', '24h', '--by', 'user_intent', '--tz', 'Europe/Paris', '--json'];
    const file = await runCliCaptured(['funnel', 'sample', ...args], env());
    const ch = await runCliCaptured(
      [
        'funnel',
        `clickhouse://analyst@127.0.0.1:${port}/iafa/renamed`,
        ...args.map((a) => (a === 'user_intent' ? 'intent' : a)),
        '--user-col',
        'who am i',
        '--time-col',
        'when',
        '--event-col',
        'what',
      ],
      env(),
    );
    expect(ch.stderr).toContain('only aggregates come back');
    expect(ch.code, ch.stderr).toBe(0);
    const want = strip(file.stdout);
    const got = strip(ch.stdout);
    expect(got.segment_by).toBe('intent');
    expect({ ...got, segment_by: null, definition: null }).toEqual({ ...want, segment_by: null, definition: null });
    const noRole = await runCliCaptured(['funnel', `clickhouse://analyst@127.0.0.1:${port}/iafa/renamed`, '--steps', 'pin_view,save', '--json'], env());
    expect(noRole.code).toBe(2);
    expect(noRole.stderr).toMatch(/No user column recognised .*--user-col/);
  });

  it.skipIf(!HAS_SHARED_DATA)('done-when: `iafa experiment analyze clickhouse://…` matches the file (cookie_cats)', async () => {
    const csv = sharedData('cookie_cats.csv');
    await loadCsvTable(cluster, parseCsv(fs.readFileSync(csv, 'utf8')).columns, 'iafa', 'cookie_cats');
    const args = [
      '--variant-col',
      'version',
      '--control',
      'gate_30',
      '--treatment',
      'gate_40',
      '--metric',
      'retention_7,sum_gamerounds',
      '--guardrail',
      'retention_1',
      '--segment-by',
      'retention_1',
      '--no-save',
      '--json',
    ];
    const file = await runCliCaptured(['experiment', 'analyze', csv, ...args], env());
    const ch = await runCliCaptured(['experiment', 'analyze', `clickhouse://analyst@127.0.0.1:${port}/iafa/cookie_cats`, ...args], env());
    expect(file.code).toBe(0);
    expect(ch.code).toBe(0);
    const a = JSON.parse(file.stdout);
    const b = JSON.parse(ch.stdout);
    expect(b.statistical_analysis.primary_metric.control_value).toBeGreaterThan(0);
    expectSame(b, a);
    // The Bayesian read-out takes the same path: the engine choice is not dropped on ClickHouse.
    const fileB = await runCliCaptured(['experiment', 'analyze', csv, ...args, '--engine', 'bayesian'], env());
    const chB = await runCliCaptured(
      ['experiment', 'analyze', `clickhouse://analyst@127.0.0.1:${port}/iafa/cookie_cats`, ...args, '--engine', 'bayesian'],
      env(),
    );
    expect(chB.code, chB.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(chB.stdout))).toMatch(/chance_to_(beat|win)/);
    expectSame(JSON.parse(chB.stdout), JSON.parse(fileB.stdout));
    // A/B/n is read on the server too (clickhouse-experiments.test.ts checks its numbers); an arm
    // that does not exist is refused with the file's message.
    const abnArgs = ['--variant-col', 'version', '--control', 'gate_30', '--treatment', 'gate_40,gate_40x', '--metric', 'retention_7', '--no-save', '--json'];
    const abn = await runCliCaptured(['experiment', 'analyze', `clickhouse://analyst@127.0.0.1:${port}/iafa/cookie_cats`, ...abnArgs], env());
    const abnFile = await runCliCaptured(['experiment', 'analyze', csv, ...abnArgs], env());
    expect(abn.code).toBe(2);
    expect(abnFile.code).toBe(2);
    expect(abn.stderr).toMatch(/The treatment value "gate_40x" does not occur in column "version"/);
    expect(abn.stderr.trim()).toBe(abnFile.stderr.trim());
  });

  it.skipIf(!HAS_SHARED_DATA)('parity on a real file (Taobao, second timestamps: many ties) over modes, strict, breakdown, time zone', async () => {
    const ds = await local.engine.dispatch('datasets:import', { path: sharedData('taobao_userbehavior_head.csv') });
    await loadEventStore(cluster, path.join(local.dataDir, 'datasets', ds.id), 'iafa', 'taobao');
    const b = backend(`clickhouse://analyst@127.0.0.1:${port}/iafa/taobao`);
    const steps = [{ event: 'pv' }, { event: 'cart' }, { event: 'buy' }];
    const cases: Partial<FunnelDefinitionInput>[] = [
      { window: '1h' },
      { window: '1d', strict: true },
      { mode: 'first-touch', window: 'none' },
      { mode: 'unordered', window: '1h' },
      { breakdown: 'category_id', window: '1d' },
      { tz: 'Asia/Shanghai', window: '1d', from: '2017-11-26', to: '2017-12-01' },
    ];
    for (const extra of cases) {
      const def = FunnelDefinition.parse({ steps, ...extra });
      const want = await local.engine.dispatch('funnels:compute', { datasetId: ds.id, definition: def });
      expect(want.total_users).toBeGreaterThan(500);
      const got = await b.funnel(def);
      expect({ ...got, dataset_id: null, computed_ms: null }, JSON.stringify(extra)).toEqual({ ...want, dataset_id: null, computed_ms: null });
    }
    // Steps of several events and several conditions (all must hold).
    const cats = [
      ...new Set(
        fs
          .readFileSync(sharedData('taobao_userbehavior_head.csv'), 'utf8')
          .split('\n')
          .slice(1, 400)
          .map((l) => l.split(',')[2])
          .filter(Boolean),
      ),
    ].slice(0, 40);
    const multi = FunnelDefinition.parse({
      window: '1d',
      steps: [
        { event: 'pv' },
        { event: 'cart', orEvents: ['fav'] },
        {
          event: 'buy',
          where: [
            { column: 'behavior_type', values: ['buy'] },
            { column: 'category_id', values: cats },
          ],
        },
      ],
    });
    const wantMulti = await local.engine.dispatch('funnels:compute', { datasetId: ds.id, definition: multi });
    expect(wantMulti.stages[2].users).toBeGreaterThan(0);
    expect(wantMulti.stages[2].users).toBeLessThan(
      (
        await local.engine.dispatch('funnels:compute', {
          datasetId: ds.id,
          definition: FunnelDefinition.parse({ window: '1d', steps: [{ event: 'pv' }, { event: 'cart', orEvents: ['fav'] }, { event: 'buy' }] }),
        })
      ).stages[2].users,
    );
    expect({ ...(await b.funnel(multi)), dataset_id: null, computed_ms: null }).toEqual({ ...wantMulti, dataset_id: null, computed_ms: null });
    // strict-once on steps that share an event is not compiled: refused, never silently approximated.
    await expect(b.funnel(FunnelDefinition.parse({ steps: [{ event: 'pv' }, { event: 'cart', orEvents: ['pv'] }], strictOnce: true }))).rejects.toThrow(
      /strict-once with steps that share an event \("pv" in steps 1 and 2\) is not available on the ClickHouse backend/,
    );
  });

  it.skipIf(!HAS_SHARED_DATA)(
    'experiment with a date column (daily, sequential looks) and segments matches the file (AdSmart); the aggregates match a direct count',
    async () => {
      const csv = sharedData('adsmart_ab_data.csv');
      const table = parseCsv(fs.readFileSync(csv, 'utf8'));
      await loadCsvTable(cluster, table.columns, 'iafa', 'adsmart');
      const args = [
        '--variant-col',
        'experiment',
        '--control',
        'control',
        '--treatment',
        'exposed',
        '--metric',
        'yes',
        '--segment-by',
        'platform_os',
        '--date-col',
        'date',
        '--sequential',
        '--no-save',
        '--json',
      ];
      const file = await runCliCaptured(['experiment', 'analyze', csv, ...args], env());
      const ch = await runCliCaptured(['experiment', 'analyze', `clickhouse://analyst@127.0.0.1:${port}/iafa/adsmart`, ...args], env());
      expect(file.code, file.stderr).toBe(0);
      expect(ch.code, ch.stderr).toBe(0);
      const b = JSON.parse(ch.stdout);
      expect(b.daily.length).toBeGreaterThan(3);
      expect(b.statistical_analysis.sequential.looks).toBe(b.daily.length);
      expect(Object.keys(b.segment_analysis).length).toBeGreaterThan(1);
      expectSame(b, JSON.parse(file.stdout));

      // The interface's aggregates against a count made here from the CSV.
      const agg = await backend(`clickhouse://analyst@127.0.0.1:${port}/iafa/adsmart`).experimentAggregates({
        variantColumn: 'experiment',
        metrics: ['yes'],
        segmentBy: ['platform_os'],
        dateColumn: 'date',
      });
      const rows = table.columns.experiment.length;
      const want = new Map<string, { units: number; yes: number }>();
      for (let i = 0; i < rows; i++) {
        const v = String(table.columns.experiment[i]);
        const w = want.get(v) ?? { units: 0, yes: 0 };
        w.units++;
        w.yes += Number(table.columns.yes[i]);
        want.set(v, w);
      }
      for (const a of agg.arms) {
        expect(a.units).toBe(want.get(a.variant)!.units);
        expect(a.metrics.yes).toMatchObject({ n: want.get(a.variant)!.units, sum: want.get(a.variant)!.yes, binary: true });
      }
      expect(agg.segments.platform_os.values.reduce((s, g) => s + g.units, 0)).toBe(rows);
      expect(agg.daily.length).toBe(new Set(table.columns.date).size);
    },
  );

  it('events, properties and property values match a count made here from the sample CSV', async () => {
    const b = backend();
    const csv = parseCsv(fs.readFileSync(path.resolve(__dirname, '../../resources/samples/pinterest_events.csv'), 'utf8')).columns;
    const byEvent = new Map<string, { count: number; users: Set<string> }>();
    const surfaces = new Map<string, number>();
    csv.event.forEach((e, i) => {
      const x = byEvent.get(String(e)) ?? { count: 0, users: new Set<string>() };
      x.count++;
      x.users.add(String(csv.user_id[i]));
      byEvent.set(String(e), x);
      surfaces.set(String(csv.surface[i] ?? ''), (surfaces.get(String(csv.surface[i] ?? '')) ?? 0) + 1);
    });
    const events = await b.events();
    expect(events.length).toBe(byEvent.size);
    for (const e of events) expect(e).toEqual({ event: e.event, count: byEvent.get(e.event)!.count, users: byEvent.get(e.event)!.users.size });
    expect(events[0].count).toBe(Math.max(...[...byEvent.values()].map((x) => x.count)));
    const props = await b.properties();
    expect(props.map((p) => p.name).sort()).toEqual(['platform', 'surface', 'user_intent', 'user_tenure']);
    expect(props.find((p) => p.name === 'surface')!.distinct).toBe(surfaces.size);
    const values = await b.propertyValues('surface');
    expect(Object.fromEntries(values.map((v) => [v.value, v.count]))).toEqual(Object.fromEntries(surfaces));
    const schema = await b.describe();
    expect(schema).toMatchObject({ kind: 'event_log', rows: 272_277 });
    expect(schema.columns.filter((c) => c.role !== 'property').map((c) => [c.name, c.role])).toEqual([
      ['user_id', 'user'],
      ['ts', 'time'],
      ['event', 'event'],
    ]);
  });

  it('a user with 300,000 events (a bot) costs linear work: no lambda copies an array per element', async () => {
    for (const i of [0, 1]) {
      await cluster.admin('CREATE TABLE iafa.heavy_local (user_id String, ts Int64, event String) ENGINE = MergeTree() ORDER BY (user_id, ts)', i);
      await cluster.admin('CREATE TABLE iafa.heavy AS iafa.heavy_local ENGINE = Distributed(iafa_test, iafa, heavy_local, rand())', i);
      // a, b, c, a, b, c … one second apart; the other server holds a small ordinary user.
      await cluster.admin(
        i === 0
          ? "INSERT INTO iafa.heavy_local SELECT 'bot', toInt64(1767225600000 + number * 1000), ['a', 'b', 'c'][number % 3 + 1] FROM numbers(300000)"
          : "INSERT INTO iafa.heavy_local VALUES ('human', 1767225600000, 'a'), ('human', 1767225660000, 'b')",
        i,
      );
    }
    const b = backend(`clickhouse://analyst@127.0.0.1:${port}/iafa/heavy`, { limits: { timeoutSeconds: 60, maxResultRows: 1000, maxMemoryBytes: 2 ** 30 } });
    const steps = [{ event: 'a' }, { event: 'b' }, { event: 'c' }];
    const chain = await b.funnel(FunnelDefinition.parse({ steps, window: '1h' }));
    expect(chain.stages.map((x) => x.users)).toEqual([2, 2, 1]);
    // The bot's first chain is a → b → c one second apart; the human's a → b took 60 s.
    expect(chain.time_to_convert.map((t) => [t.users, t.median_seconds])).toEqual([
      [2, 30.5],
      [1, 1],
    ]);
    const strict = await b.funnel(FunnelDefinition.parse({ steps, window: '1s', strict: true, mode: 'first-touch' }));
    expect(strict.stages.map((x) => x.users)).toEqual([2, 1, 0]);
    const unordered = await b.funnel(FunnelDefinition.parse({ steps, window: '1s', mode: 'unordered' }));
    expect(unordered.stages.map((x) => x.users)).toEqual([2, 1, 0]);
  });

  it("only aggregates come back, every query read-only (from both servers' query_log)", async () => {
    const b = backend();
    const def = FunnelDefinition.parse({ steps: STEPS, breakdown: 'surface', from: '2026-01-26', to: '2026-02-22' });
    const r = await b.funnel(def);
    await b.events();
    await b.properties();
    await b.propertyValues('surface');
    const ids = b.conn.sent;
    expect(ids.length).toBeGreaterThan(4);
    const list = ids.map((id) => `'${id}'`).join(',');
    let log: { query_id: string; result_rows: string; ro: string; query: string }[] = [];
    // A query is logged just after its answer is sent: flush until every one is there.
    for (let tries = 0; tries < 50 && log.length < ids.length; tries++) {
      await cluster.admin('SYSTEM FLUSH LOGS');
      log = (
        await cluster.admin(
          `SELECT query_id, result_rows, Settings.Values[indexOf(Settings.Names, 'readonly')] AS ro, query FROM system.query_log WHERE type = 2 AND query_id IN (${list}) FORMAT JSONEachRow`,
        )
      )
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { query_id: string; result_rows: string; ro: string; query: string });
      if (log.length < ids.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(new Set(log.map((l) => l.query_id))).toEqual(new Set(ids));
    // The funnel's groups: levels × (segments + days) + 1; nothing per user (there are 100,000) or per event.
    const groups = 5 * (Object.keys(r.segment_breakdown!).length + 1 + r.daily.length) + 1;
    for (const l of log) {
      expect(Number(l.result_rows), l.query.slice(0, 120)).toBeLessThanOrEqual(Math.max(groups, 1000));
      expect(l.ro, l.query.slice(0, 120)).toBe('2');
    }
  });

  it('a write is refused: the read-only setting holds even for a user who may write', async () => {
    const b = backend(`clickhouse://127.0.0.1:${port}/iafa/pinterest`, { password: '' });
    await expect(b.conn.rows('CREATE TABLE iafa.evil (x UInt8) ENGINE = Memory')).rejects.toMatchObject({ details: { reason: 'readonly' } });
    await expect(b.conn.rows('DROP TABLE iafa.pinterest_local')).rejects.toMatchObject({ details: { reason: 'readonly' } });
    expect(Number(await cluster.admin('SELECT count() FROM iafa.pinterest_local'))).toBeGreaterThan(0);
  });

  it('a user read-only by profile (readonly = 1, no settings allowed) still gets the funnel; writes stay refused', async () => {
    const b = backend(`clickhouse://viewer@127.0.0.1:${port}/iafa/pinterest`, { password: '' });
    const def = FunnelDefinition.parse({ steps: STEPS, breakdown: 'platform' });
    const want = await local.engine.dispatch('funnels:compute', { datasetId: sampleId, definition: def });
    const got = await b.funnel(def);
    expect(b.conn.readonlyProfile).toBe(true);
    expect({ ...got, dataset_id: null, computed_ms: null }).toEqual({ ...want, dataset_id: null, computed_ms: null });
    await expect(b.conn.rows('CREATE TABLE iafa.evil2 (x UInt8) ENGINE = Memory')).rejects.toMatchObject({ details: { reason: 'readonly' } });
  });

  it('cancel stops the query on the server (KILL QUERY by id)', async () => {
    const b = backend();
    await b.conn.serverVersion();
    const ac = new AbortController();
    const slow = b.conn.rows('SELECT count() FROM numbers(100000000000) WHERE NOT ignore(cityHash64(number))', { signal: ac.signal });
    const id = () => b.conn.sent[b.conn.sent.length - 1];
    const running = async () => Number(await cluster.admin(`SELECT count() FROM system.processes WHERE query_id = '${id()}'`));
    for (let i = 0; i < 50 && (await running()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await running()).toBe(1);
    ac.abort();
    await expect(slow).rejects.toMatchObject({ kind: 'cancelled' });
    let left = 1;
    for (let i = 0; i < 50 && left > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await running();
    }
    expect(left).toBe(0);
  });

  it('says what is wrong: down, slow, bad password, missing column, missing function, unknown event', async () => {
    const def = FunnelDefinition.parse({ steps: STEPS });
    await expect(backend(`clickhouse://127.0.0.1:1/iafa/pinterest`).funnel(def)).rejects.toMatchObject({ details: { reason: 'unreachable' } });
    await expect(backend(url, { password: 'wrong' }).funnel(def)).rejects.toMatchObject({ details: { reason: 'auth_failed' } });
    const slow = backend(url, { limits: { timeoutSeconds: 1, maxResultRows: 1000, maxMemoryBytes: 2 ** 31 } });
    await expect(slow.conn.rows('SELECT count() FROM numbers(100000000000) WHERE NOT ignore(cityHash64(number))')).rejects.toMatchObject({
      details: { reason: 'timeout' },
    });
    const b = backend();
    await expect(b.funnel(FunnelDefinition.parse({ steps: STEPS, breakdown: 'no_such_column' }))).rejects.toMatchObject({
      details: { reason: 'unknown_column' },
    });
    await expect(b.conn.rows('SELECT no_such_column FROM iafa.pinterest')).rejects.toMatchObject({ details: { reason: 'missing_column' } });
    await expect(b.conn.rows('SELECT arrayFold((acc, x) -> acc + x, [1, 2], 0)')).rejects.toMatchObject({ details: { reason: 'missing_function' } });
    await expect(b.funnel(FunnelDefinition.parse({ steps: [{ event: 'pin_view' }, { event: 'teleport' }] }))).rejects.toThrow(
      /Unknown event "teleport" in step 2/,
    );
    await expect(backend(`clickhouse://analyst@127.0.0.1:${port}/iafa/no_table`).funnel(def)).rejects.toMatchObject({ details: { reason: 'unknown_table' } });
    const rows = backend(url, { limits: { timeoutSeconds: 30, maxResultRows: 3, maxMemoryBytes: 2 ** 31 } });
    await expect(rows.propertyValues('surface')).rejects.toMatchObject({ details: { reason: 'too_many_rows' } });
  });

  it('`iafa insights`, `hypotheses` and `ask` on clickhouse:// give the same findings and facts as on the file', async () => {
    // Ids and fingerprints are derived from the source's name; everything else must agree.
    const norm = (json: string): unknown =>
      JSON.parse(json, (k, v) => {
        if (['generation_id', 'duration_ms', 'generated_at', 'fingerprint'].includes(k)) return undefined;
        if (typeof v === 'string') return v.replace(/clickhouse:\/\/[^\s"]*|\b(ds|rec|exp_rec|gen)_[0-9a-z]+/g, '<id>');
        return v;
      });
    for (const cmd of ['insights', 'hypotheses']) {
      const args = ['--steps', 'pin_view,save,click,purchase', '--by', 'user_intent', '--json'];
      const file = await runCliCaptured([cmd, 'sample', ...args], env());
      const ch = await runCliCaptured([cmd, `clickhouse://analyst@127.0.0.1:${port}/iafa/pinterest`, ...args], env());
      expect(ch.code, ch.stderr).toBe(0);
      expect(JSON.parse(ch.stdout).facts.length).toBeGreaterThan(10);
      expect(norm(ch.stdout)).toEqual(norm(file.stdout));
    }
    const q = ['which step loses the most users?', '--steps', 'pin_view,save,click,purchase', '--by', 'user_intent', '--provider', 'none', '--json'];
    const a = await runCliCaptured(['ask', 'sample', ...q], env());
    const b = await runCliCaptured(['ask', `clickhouse://analyst@127.0.0.1:${port}/iafa/pinterest`, ...q], env());
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout).answer).toBe(JSON.parse(a.stdout).answer);
    expect(JSON.parse(b.stdout).supporting_data).toEqual(JSON.parse(a.stdout).supporting_data);
  });

  it("`iafa report` on clickhouse:// is the file's report but for the source's name and the time", async () => {
    const args = ['--steps', 'pin_view,save,click,purchase', '--by', 'user_intent', '--provider', 'none', '--format', 'markdown'];
    const file = await runCliCaptured(['report', 'sample', ...args], env());
    const ch = await runCliCaptured(['report', `clickhouse://analyst@127.0.0.1:${port}/iafa/pinterest`, ...args], env());
    expect(ch.code, ch.stderr).toBe(0);
    const norm = (md: string) => md.split('\n').filter((l) => !/Data source|Generated:|^\*Executive report/.test(l));
    expect(ch.stdout).toContain('iafa/pinterest');
    expect(norm(ch.stdout).length).toBeGreaterThan(100);
    expect(norm(ch.stdout)).toEqual(norm(file.stdout));
  });

  it('a server that accepts the connection but never answers gives a timeout message, not a hang', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((sock) => void sockets.push(sock));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const p = (silent.address() as net.AddressInfo).port;
    try {
      const b = backend(`clickhouse://127.0.0.1:${p}/iafa/pinterest`, { limits: { timeoutSeconds: 1, maxResultRows: 1000, maxMemoryBytes: 2 ** 31 } });
      const t0 = Date.now();
      await expect(b.funnel(FunnelDefinition.parse({ steps: STEPS }))).rejects.toMatchObject({ details: { reason: 'timeout' } });
      expect(Date.now() - t0).toBeLessThan(20_000);
    } finally {
      for (const sock of sockets) sock.destroy();
      silent.close();
    }
  });

  it('over this whole file, no query IAFA sent (query ids iafa-…) returned per-user or per-event rows', async () => {
    await cluster.admin('SYSTEM FLUSH LOGS');
    const log = (
      await cluster.admin(
        "SELECT query_id, result_rows, query FROM system.query_log WHERE type = 2 AND is_initial_query AND startsWith(query_id, 'iafa-') FORMAT JSONEachRow",
      )
    )
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { query_id: string; result_rows: string; query: string });
    expect(log.length).toBeGreaterThan(100);
    // The sample has 100,000 users and 272,277 events, cookie_cats 90,189 units, AdSmart 8,077:
    // their answers are a few hundred groups at most. (Taobao's breakdown by category is larger
    // by design: one group per category and level.)
    for (const l of log.filter((x) => /pinterest|cookie_cats|adsmart|renamed/.test(x.query)))
      expect(Number(l.result_rows), l.query.slice(0, 160)).toBeLessThanOrEqual(1000);
  });

  it('HTTP API warehouse:connect: tests the connection, lists tables, detects roles, shows the limits, never returns the password', async () => {
    const server = await serverFor(local.engine);
    try {
      const db = await apiFetch(server, 'POST', '/api/v1/warehouse/connect', {
        url: `clickhouse://analyst@127.0.0.1:${port}/iafa`,
        password: ANALYST_PASSWORD,
      });
      expect(db.status).toBe(200);
      expect(db.json.tables).toEqual(expect.arrayContaining(['pinterest', 'pinterest_local']));
      expect(db.json.table).toBeNull();
      expect(db.json.server_version).toMatch(/^18\.16/);
      expect(db.json.limits).toEqual({ timeout_seconds: 120, max_result_rows: 100_000, max_memory_mb: 4096 });
      const t = await apiFetch(server, 'POST', '/api/v1/warehouse/connect', {
        url: `clickhouse://analyst@127.0.0.1:${port}/iafa/pinterest`,
        password: ANALYST_PASSWORD,
      });
      expect(t.status).toBe(200);
      expect(t.json.table).toMatchObject({ name: 'pinterest', kind: 'event_log', rows: 272_277 });
      expect(t.json.table.columns.find((c: { role: string }) => c.role === 'event').name).toBe('event');
      expect(t.json.table.events[0].count).toBeGreaterThan(t.json.table.events[1].count);
      expect(JSON.stringify(t.json)).not.toContain(ANALYST_PASSWORD);
      const bad = await apiFetch(server, 'POST', '/api/v1/warehouse/connect', { url: `clickhouse://analyst@127.0.0.1:${port}/iafa`, password: 'nope' });
      expect(bad.status).toBe(400);
      expect(bad.json.error?.message ?? JSON.stringify(bad.json)).toMatch(/refused the user "analyst"/);
      const down = await apiFetch(server, 'POST', '/api/v1/warehouse/connect', { url: 'clickhouse://127.0.0.1:1/iafa' });
      expect(down.status).toBe(400);
      expect(JSON.stringify(down.json)).toMatch(/not reachable/);
      // A funnel on the warehouse through the same API (the datasetId is the URL).
      const f = await apiFetch(server, 'POST', '/api/v1/funnels/compute', {
        datasetId: `clickhouse://viewer@127.0.0.1:${port}/iafa/pinterest`,
        definition: { steps: STEPS },
      });
      expect(f.status).toBe(200);
      expect(f.json.total_users).toBeGreaterThan(1000);
    } finally {
      await server.close();
    }
  });

  it('CLI: a bad password is exit 2 with the message, and the password is never printed', async () => {
    const r = await runCliCaptured(['funnel', url, '--steps', 'pin_view,save', '--json'], { ...env(), IAFA_CLICKHOUSE_PASSWORD: 'not-the-password' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refused the user "analyst"/);
    expect(r.stdout + r.stderr).not.toContain('not-the-password');
  });
});

/** Deep equality where numbers may differ in the last bits (a warehouse sums in another order). */
function expectSame(got: unknown, want: unknown, where = '$'): void {
  if (typeof want === 'number' && typeof got === 'number') {
    if (want === got) return;
    expect(Math.abs(got - want), `${where}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
    return;
  }
  if (Array.isArray(want)) {
    expect(Array.isArray(got), where).toBe(true);
    expect((got as unknown[]).length, where).toBe(want.length);
    want.forEach((w, i) => expectSame((got as unknown[])[i], w, `${where}[${i}]`));
    return;
  }
  if (want && typeof want === 'object') {
    const g = got as Record<string, unknown>;
    // What names the source or times the run differs by nature; everything else must agree.
    const keys = Object.keys(want).filter((k) => !['provenance', 'generation_id', 'duration_ms', 'generated_at'].includes(k));
    for (const k of keys) expectSame(g[k], (want as Record<string, unknown>)[k], `${where}.${k}`);
    return;
  }
  expect(got, where).toEqual(want);
}
