import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { funnel } from '../../src/cli/commands/funnel';
import { makeRuntime, parseCommandArgs } from '../../src/cli/framework';
import type { FunnelResult } from '../../src/shared/contract';
import { tempDir } from '../helpers/engine';

/**
 * ClickHouse's own windowFunnel tests (tests/queries/0_stateless in ClickHouse/ClickHouse:
 * 00632_aggregation_window_funnel, 00678_shard_funnel_window, 01646_fix_window_funnel_inconistency),
 * translated into event files and `iafa funnel` flags, each expecting the value of ClickHouse's
 * .reference file. The mapping: a table is a CSV (times as seconds after a fixed instant, since
 * only differences matter); `windowFunnel(w, opts…)(t, c1, c2, …)` is `--window ws` plus one flag
 * per option (strict_increase → --strict, strict_order → --strict-order, …) and one step per
 * condition: `event = x` is the step x, a range of events is the step x|y|z of the events in the
 * table that satisfy it, and conditions on other columns are step conditions on a constant event
 * (`a is null and b is null` → e[a=(none),b=(none)]). ClickHouse's per-user levels are read back
 * from a breakdown by a copy of the user column: a user's level is the number of stages they
 * reach. A one-condition funnel is run as that condition twice and read as "reached step 1".
 */

const BASE = Date.UTC(2024, 0, 1);
interface Row {
  user: string;
  t: number;
  event: string;
  a?: string;
  b?: string;
}

const rows = (user: string, list: [number, string][]): Row[] => list.map(([t, event]) => ({ user, t, event }));
const seq = (from: number, events: number[], step = 1): [number, string][] => events.map((e, i) => [from + i * step, String(e)]);
const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => String(lo + i)).join('|');
const abc = (user: string, evs: string) =>
  rows(
    user,
    evs.split(' ').map((e, i) => [i + 1, e]),
  );

const TABLES: Record<string, Row[]> = {
  // 00632: funnel_test, funnel_test2 (DateTime 2018-01-01 01:01:01..08), funnel_test_u64 (1e14 + 1..8)
  funnel_test: rows('u1', seq(0, [1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008])),
  funnel_test2: rows('u1', seq(3661, [1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008])),
  funnel_test_u64: rows('u1', seq(1, [1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008])),
  funnel_test_strict: rows('u1', [
    [0, '1000'],
    [10, '1001'],
    [20, '1002'],
    [30, '1003'],
    [40, '1004'],
    [50, '1005'],
    [51, '1005'],
    [60, '1006'],
    [70, '1007'],
    [80, '1008'],
  ]),
  funnel_test_strict_order: [
    ...abc('u1', 'a b c'),
    ...abc('u2', 'a d b c'),
    ...abc('u3', 'a a b b c c'),
    ...abc('u4', 'a a a a b b c c'),
    ...abc('u5', 'a a b b d c c'),
    ...abc('u6', 'c c b b a a'),
  ],
  funnel_test_strict_order_u7: abc('u7', 'a c b'),
  strict_BiteTheDDDD: abc('u1', 'a b c b d'),
  funnel_test_non_null: [
    { user: 'u1', t: 1, event: 'e', a: 'a1', b: 'b1' },
    { user: 'u1', t: 2, event: 'e', a: 'a2', b: 'b2' },
    { user: 'u2', t: 1, event: 'e', a: 'a1' },
    { user: 'u2', t: 2, event: 'e', a: 'a2' },
    { user: 'u3', t: 1, event: 'e' },
    { user: 'u4', t: 1, event: 'e', b: 'b1' },
    { user: 'u4', t: 2, event: 'e', a: 'a2' },
    { user: 'u4', t: 3, event: 'e', b: 'b3' },
  ],
  funnel_test_strict_increase: rows('u1', [
    [0, '1000'],
    [1, '1001'],
    [1, '1002'],
    [1, '1003'],
    [2, '1004'],
  ]),
  funnel_test2_results: [
    ...rows('u234', [
      [100, 'failure'],
      [250, 'failure'],
    ]),
    ...rows('u345', [
      [200, 'success'],
      [210, 'failure'],
      [230, 'success'],
    ]),
    ...rows('u123', [
      [180, 'failure'],
      [220, 'failure'],
      [250, 'success'],
    ]),
  ],
  funnel_test_allow_reentry: [
    ...abc('u1', 'a b a c'),
    ...abc('u2', 'a b a b c'),
    ...abc('u3', 'a b c b d'),
    ...abc('u4', 'a c b'),
    ...abc('u5', 'a b c a b c d'),
  ],
  funnel_test_ecommerce: [
    ...rows('u1', [
      [100, 'begin_checkout'],
      [200, 'view_product_detail'],
      [300, 'begin_checkout'],
      [400, 'complete_payment'],
    ]),
    ...rows('u2', [
      [100, 'begin_checkout'],
      [200, 'view_product_detail'],
      [250, 'view_product_detail'],
      [300, 'begin_checkout'],
      [400, 'complete_payment'],
    ]),
    ...rows('u3', [
      [100, 'begin_checkout'],
      [200, 'view_product_detail'],
      [300, 'complete_payment'],
    ]),
  ],
  // 00678: 10,000 users, its = action_code = number % 3
  remote_test: Array.from({ length: 10000 }, (_, n) => ({ user: `n${n}`, t: n % 3, event: String(n % 3) })),
  // 01646: the two insert orders (2019-01-29 10:00 twice, then 2019-01-28 10:00)
  trend_a: rows('u1', [
    [86400, '1004'],
    [86400, '1003'],
    [0, '1002'],
  ]),
  trend_b: rows('u1', [
    [86400, '1003'],
    [86400, '1004'],
    [0, '1002'],
  ]),
};

interface Case {
  sql: string;
  table: keyof typeof TABLES;
  steps: string;
  window: string;
  flags?: string[];
  /** ClickHouse's level per user (users not listed: 0). */
  levels?: Record<string, number>;
  /** Or users per level (00678 and 01646 check a histogram). */
  histogram?: Record<number, number>;
  /** A one-condition funnel: run with the condition twice, read as reached step 1 or not. */
  single?: boolean;
}

const C1003_1007 = '1003,1004,1005,1006,1007';
const ORDER = ['--strict-order'];
const CASES: Case[] = [
  // 00632 (reference: every line "1", i.e. the level on the left of `=`)
  { sql: '1 = windowFunnel(10000)(timestamp, event = 1000)', table: 'funnel_test', steps: '1000', window: '10000s', single: true, levels: { u1: 1 } },
  { sql: '2 = windowFunnel(10000)(…1000, 1001)', table: 'funnel_test', steps: '1000,1001', window: '10000s', levels: { u1: 2 } },
  { sql: '3 = windowFunnel(10000)(…1000, 1001, 1002)', table: 'funnel_test', steps: '1000,1001,1002', window: '10000s', levels: { u1: 3 } },
  { sql: '4 = windowFunnel(10000)(…1000, 1001, 1002, 1008)', table: 'funnel_test', steps: '1000,1001,1002,1008', window: '10000s', levels: { u1: 4 } },
  { sql: '1 = windowFunnel(1)(timestamp, event = 1000)', table: 'funnel_test', steps: '1000', window: '1s', single: true, levels: { u1: 1 } },
  { sql: '3 = windowFunnel(2)(…1003..1007)', table: 'funnel_test', steps: C1003_1007, window: '2s', levels: { u1: 3 } },
  { sql: '4 = windowFunnel(3)(…1003..1007)', table: 'funnel_test', steps: C1003_1007, window: '3s', levels: { u1: 4 } },
  { sql: '5 = windowFunnel(4)(…1003..1007)', table: 'funnel_test', steps: C1003_1007, window: '4s', levels: { u1: 5 } },
  ...(['funnel_test2', 'funnel_test_u64'] as const).flatMap((table): Case[] => [
    { sql: `5 = windowFunnel(4)(…1003..1007) from ${table}`, table, steps: C1003_1007, window: '4s', levels: { u1: 5 } },
    { sql: `2 = windowFunnel(10000)(…1001, 1008) from ${table}`, table, steps: '1001,1008', window: '10000s', levels: { u1: 2 } },
    { sql: `1 = windowFunnel(10000)(…1008, 1001) from ${table}`, table, steps: '1008,1001', window: '10000s', levels: { u1: 1 } },
    {
      sql: `4 = windowFunnel(4)(timestamp, event <= 1007, event >= 1002, event <= 1006, event >= 1004) from ${table}`,
      table,
      steps: [range(1001, 1007), range(1002, 1008), range(1001, 1006), range(1004, 1008)].join(','),
      window: '4s',
      levels: { u1: 4 },
    },
  ]),
  {
    sql: "6 = windowFunnel(10000, 'strict_deduplication')(…1000..1006)",
    table: 'funnel_test_strict',
    steps: '1000,1001,1002,1003,1004,1005,1006',
    window: '10000s',
    flags: ['--strict-deduplication'],
    levels: { u1: 6 },
  },
  {
    sql: '7 = windowFunnel(10000)(…1000..1006)',
    table: 'funnel_test_strict',
    steps: '1000,1001,1002,1003,1004,1005,1006',
    window: '10000s',
    levels: { u1: 7 },
  },
  {
    sql: "windowFunnel(86400)(dt, event='a', event='b', event='c')",
    table: 'funnel_test_strict_order',
    steps: 'a,b,c',
    window: '86400s',
    levels: { u1: 3, u2: 3, u3: 3, u4: 3, u5: 3, u6: 1 },
  },
  {
    sql: "windowFunnel(86400, 'strict_order')(a, b, c)",
    table: 'funnel_test_strict_order',
    steps: 'a,b,c',
    window: '86400s',
    flags: ORDER,
    levels: { u1: 3, u2: 1, u3: 3, u4: 3, u5: 2, u6: 1 },
  },
  {
    sql: "windowFunnel(86400, 'strict_deduplication', 'strict_order')(a, b, c)",
    table: 'funnel_test_strict_order',
    steps: 'a,b,c',
    window: '86400s',
    flags: [...ORDER, '--strict-deduplication'],
    levels: { u1: 3, u2: 1, u3: 2, u4: 2, u5: 2, u6: 1 },
  },
  {
    sql: "windowFunnel(10, 'strict_order')(a, b, c) where user = 7",
    table: 'funnel_test_strict_order_u7',
    steps: 'a,b,c',
    window: '10s',
    flags: ORDER,
    levels: { u7: 1 },
  },
  {
    sql: "3 = windowFunnel(86400, 'strict_deduplication')(ts, a, b, c, d)",
    table: 'strict_BiteTheDDDD',
    steps: 'a,b,c,d',
    window: '86400s',
    flags: ['--strict-deduplication'],
    levels: { u1: 3 },
  },
  {
    sql: "windowFunnel(86400)(dt, COALESCE(a, '') = 'a1', COALESCE(a, '') = 'a2')",
    table: 'funnel_test_non_null',
    steps: 'e[a=a1],e[a=a2]',
    window: '86400s',
    levels: { u1: 2, u2: 2 },
  },
  {
    sql: "windowFunnel(86400)(dt, COALESCE(a, '') = 'a1', COALESCE(b, '') = 'b2')",
    table: 'funnel_test_non_null',
    steps: 'e[a=a1],e[b=b2]',
    window: '86400s',
    levels: { u1: 2, u2: 1 },
  },
  {
    sql: 'windowFunnel(86400)(dt, a is null and b is null)',
    table: 'funnel_test_non_null',
    steps: 'e[a=(none),b=(none)]',
    window: '86400s',
    single: true,
    levels: { u3: 1 },
  },
  {
    sql: "windowFunnel(86400)(dt, a is null, COALESCE(b, '') = 'b3')",
    table: 'funnel_test_non_null',
    steps: 'e[a=(none)],e[b=b3]',
    window: '86400s',
    levels: { u3: 1, u4: 2 },
  },
  {
    sql: "windowFunnel(86400, 'strict_order')(dt, a is null, COALESCE(b, '') = 'b3')",
    table: 'funnel_test_non_null',
    steps: 'e[a=(none)],e[b=b3]',
    window: '86400s',
    flags: ORDER,
    levels: { u3: 1, u4: 1 },
  },
  { sql: '5 = windowFunnel(10000)(…1000..1004)', table: 'funnel_test_strict_increase', steps: '1000,1001,1002,1003,1004', window: '10000s', levels: { u1: 5 } },
  {
    sql: "2 = windowFunnel(10000, 'strict_increase')(…1000..1004)",
    table: 'funnel_test_strict_increase',
    steps: '1000,1001,1002,1003,1004',
    window: '10000s',
    flags: ['--strict'],
    levels: { u1: 2 },
  },
  { sql: '3 = windowFunnel(10000)(…1004, 1004, 1004)', table: 'funnel_test_strict_increase', steps: '1004,1004,1004', window: '10000s', levels: { u1: 3 } },
  {
    sql: "1 = windowFunnel(10000, 'strict_once')(…1004, 1004, 1004)",
    table: 'funnel_test_strict_increase',
    steps: '1004,1004,1004',
    window: '10000s',
    flags: ['--strict-once'],
    levels: { u1: 1 },
  },
  {
    sql: "1 = windowFunnel(10000, 'strict_increase')(…1004, 1004, 1004)",
    table: 'funnel_test_strict_increase',
    steps: '1004,1004,1004',
    window: '10000s',
    flags: ['--strict'],
    levels: { u1: 1 },
  },
  ...[['--strict-once', '--strict'], ['--strict-once'], ['--strict-once', '--strict-deduplication']].map((flags): Case => ({
    sql: `windowFunnel(200, ${flags.join(', ')})(event_ts, result='failure', result='failure', result='success')`,
    table: 'funnel_test2_results',
    steps: 'failure,failure,success',
    window: '200s',
    flags,
    levels: { u123: 3, u234: 2, u345: 1 },
  })),
  {
    sql: "windowFunnel(86400, 'strict_order')(a, b, c) as strict_order_result",
    table: 'funnel_test_allow_reentry',
    steps: 'a,b,c',
    window: '86400s',
    flags: ORDER,
    levels: { u1: 2, u2: 2, u3: 3, u4: 1, u5: 3 },
  },
  {
    sql: "windowFunnel(86400, 'strict_order', 'allow_reentry')(a, b, c)",
    table: 'funnel_test_allow_reentry',
    steps: 'a,b,c',
    window: '86400s',
    flags: [...ORDER, '--allow-reentry'],
    levels: { u1: 3, u2: 3, u3: 3, u4: 1, u5: 3 },
  },
  {
    sql: "windowFunnel(86400, 'strict_order')(a, b, c, d)",
    table: 'funnel_test_allow_reentry',
    steps: 'a,b,c,d',
    window: '86400s',
    flags: ORDER,
    levels: { u1: 2, u2: 2, u3: 4, u4: 1, u5: 3 },
  },
  {
    sql: "windowFunnel(86400, 'strict_order', 'allow_reentry')(a, b, c, d)",
    table: 'funnel_test_allow_reentry',
    steps: 'a,b,c,d',
    window: '86400s',
    flags: [...ORDER, '--allow-reentry'],
    levels: { u1: 3, u2: 3, u3: 4, u4: 1, u5: 4 },
  },
  {
    // The reference file says 1 for user 2 (a b a b c): ClickHouse then returned, on a duplicate,
    // the step of the event just before it (here the second a). ClickHouse's #99003 (2026, for
    // issue #37177) changed that to the level reached, which is what the option means: 2.
    sql: "windowFunnel(86400, 'strict_order', 'allow_reentry', 'strict_deduplication')(a, b, c)",
    table: 'funnel_test_allow_reentry',
    steps: 'a,b,c',
    window: '86400s',
    flags: [...ORDER, '--allow-reentry', '--strict-deduplication'],
    levels: { u1: 3, u2: 2, u3: 3, u4: 1, u5: 3 },
  },
  {
    sql: "windowFunnel(600, 'strict_order')(begin_checkout, view_product_detail, complete_payment)",
    table: 'funnel_test_ecommerce',
    steps: 'begin_checkout,view_product_detail,complete_payment',
    window: '600s',
    flags: ORDER,
    levels: { u1: 2, u2: 2, u3: 3 },
  },
  {
    sql: "windowFunnel(600, 'strict_order', 'allow_reentry')(…3 steps)",
    table: 'funnel_test_ecommerce',
    steps: 'begin_checkout,view_product_detail,complete_payment',
    window: '600s',
    flags: [...ORDER, '--allow-reentry'],
    levels: { u1: 3, u2: 3, u3: 3 },
  },
  {
    sql: "windowFunnel(600, 'strict_order')(bc, vpd, bc, cp)",
    table: 'funnel_test_ecommerce',
    steps: 'begin_checkout,view_product_detail,begin_checkout,complete_payment',
    window: '600s',
    flags: ORDER,
    levels: { u1: 1, u2: 1, u3: 1 },
  },
  {
    sql: "windowFunnel(600, 'strict_order', 'allow_reentry')(bc, vpd, bc, cp)",
    table: 'funnel_test_ecommerce',
    steps: 'begin_checkout,view_product_detail,begin_checkout,complete_payment',
    window: '600s',
    flags: [...ORDER, '--allow-reentry'],
    levels: { u1: 1, u2: 1, u3: 1 },
  },
  // 00678: level, count() → 1 6667, 2 3333
  {
    sql: "windowFunnel(3600)(toUInt32(its), action_code != '', action_code = '2')",
    table: 'remote_test',
    steps: '0|1|2,2',
    window: '3600s',
    histogram: { 1: 6667, 2: 3333 },
  },
  // 01646: level, count() → 2 1, both insert orders
  {
    sql: 'windowFunnel(6048000000000000)(timestamp, 1004, 1003, 1002), first order',
    table: 'trend_a',
    steps: '1004,1003,1002',
    window: '6048000000000000s',
    histogram: { 2: 1 },
  },
  {
    sql: 'windowFunnel(6048000000000000)(timestamp, 1004, 1003, 1002), second order',
    table: 'trend_b',
    steps: '1004,1003,1002',
    window: '6048000000000000s',
    histogram: { 2: 1 },
  },
];

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function csvFor(table: string): string {
  const file = path.join(dir, `${table}.csv`);
  if (!fs.existsSync(file)) {
    const lines = TABLES[table].map((r) => [r.user, new Date(BASE + r.t * 1000).toISOString(), r.event, r.user, r.a ?? '', r.b ?? ''].join(','));
    fs.writeFileSync(file, ['user_id,timestamp,event,who,a,b', ...lines].join('\n') + '\n');
  }
  return file;
}

async function runFunnel(argv: string[]): Promise<FunnelResult> {
  let out = '';
  const io = { stdout: (s: string) => void (out += s), stderr: () => {}, env: { IAFA_DATA_DIR: path.join(dir, 'data') }, isTTY: false };
  const rt = makeRuntime(io, true, new AbortController().signal);
  try {
    await funnel.run(parseCommandArgs(funnel, argv), rt);
  } finally {
    rt.dispose();
  }
  return JSON.parse(out) as FunnelResult;
}

describe("ClickHouse's windowFunnel tests through iafa funnel", () => {
  it.each(CASES.map((c) => [c.sql, c] as const))('%s', async (_sql, c) => {
    const steps = c.single ? `${c.steps},${c.steps}` : c.steps;
    const argv = [
      csvFor(c.table),
      '--steps',
      steps,
      '--window',
      c.window,
      '--user-col',
      'user_id',
      '--time-col',
      'timestamp',
      '--event-col',
      'event',
      '--json',
      ...(c.flags ?? []),
    ];
    if (c.histogram) {
      const r = await runFunnel(argv);
      const counts = Object.entries(c.histogram).map(([lvl, n]) => [Number(lvl), n] as const);
      // Users at level ≥ k, from ClickHouse's users per level.
      const expected = r.stages.map((_, k) => counts.filter(([lvl]) => lvl >= k + 1).reduce((s, [, n]) => s + n, 0));
      expect(r.stages.map((s) => s.users)).toEqual(expected);
      return;
    }
    const r = await runFunnel([...argv, '--by', 'who']);
    const got: Record<string, number> = {};
    for (const [who, core] of Object.entries(r.segment_breakdown ?? {})) {
      const level = core.stages.filter((s) => s.users > 0).length;
      if (level > 0) got[who] = c.single ? Math.min(level, 1) : level;
    }
    const want = Object.fromEntries(Object.entries(c.levels!).filter(([, v]) => v > 0));
    expect(got).toEqual(want);
  });

  it('refuses allow-reentry without strict-order, as ClickHouse does', async () => {
    await expect(runFunnel([csvFor('funnel_test_allow_reentry'), '--steps', 'a,b,c', '--allow-reentry', '--json'])).rejects.toThrow(/strict-order/);
  });
});
