import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server';
import { tempDir, tempEngine } from '../helpers/engine';
import { apiFetch } from '../helpers/http';
import { runCliCaptured } from '../helpers/cli';

/**
 * Issue #16 items 14 and 15: filters on columns whose names are Object.prototype's own
 * (`__proto__`, `constructor`, `toString`) and date ranges, over HTTP and the CLI.
 */

// Users u0..u11: each views; every third buys. The columns named like Object.prototype members
// split them so that each filter keeps a known subset (computed here, by hand, not by the engine).
const USERS = Array.from({ length: 12 }, (_, i) => i);
const protoOf = (i: number) => (i % 2 ? 'odd' : 'even');
const ctorOf = (i: number) => (i < 4 ? 'low' : 'high');
const toStrOf = (i: number) => (i % 3 === 0 ? 'x' : 'y');
const buys = (i: number) => i % 3 === 0;

function csv(): string {
  const lines = ['user_id,timestamp,event,__proto__,constructor,toString'];
  for (const i of USERS) {
    const rest = `${protoOf(i)},${ctorOf(i)},${toStrOf(i)}`;
    lines.push(`u${i},2026-03-0${1 + (i % 5)}T10:00:00Z,view,${rest}`);
    if (buys(i)) lines.push(`u${i},2026-03-0${1 + (i % 5)}T11:00:00Z,buy,${rest}`);
  }
  return lines.join('\n') + '\n';
}

describe('filters on any column name, validated date ranges (HTTP and CLI)', () => {
  let ctx: ReturnType<typeof tempEngine>;
  let server: RunningServer;
  let datasetId = '';
  const dir = tempDir();
  const file = path.join(dir, 'proto.csv');
  const steps = [{ event: 'view' }, { event: 'buy' }];

  beforeAll(async () => {
    fs.writeFileSync(file, csv());
    ctx = tempEngine();
    server = await startServer({ engine: ctx.engine, port: 0, allowDirs: [dir] });
    datasetId = (await ctx.engine.dispatch('datasets:import', { path: file })).id;
  });
  afterAll(async () => {
    await server.close();
    ctx.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const compute = (definition: Record<string, unknown>) =>
    apiFetch(server, 'POST', '/api/v1/funnels/compute', { datasetId, definition: { steps, ...definition } });

  for (const [column, value, pick] of [
    ['constructor', 'low', (i: number) => ctorOf(i) === 'low'],
    ['toString', 'x', (i: number) => toStrOf(i) === 'x'],
  ] as const) {
    it(`an include filter on a column named "${column}" filters like any other`, async () => {
      const res = await compute({ include: { [column]: [value] } });
      expect(res.status).toBe(200);
      const kept = USERS.filter(pick);
      expect(res.json.stages.map((s: { users: number }) => s.users)).toEqual([kept.length, kept.filter(buys).length]);
      const ex = await compute({ exclude: { [column]: [value] } });
      expect(ex.status).toBe(200);
      expect(ex.json.stages[0].users).toBe(USERS.length - kept.length);
    });
  }

  it('a "__proto__" filter is refused with a 400 naming it, never ignored', async () => {
    for (const key of ['include', 'exclude']) {
      // Raw JSON text: an object literal would not carry "__proto__" as a key.
      const body = `{"datasetId":"${datasetId}","definition":{"steps":[{"event":"view"},{"event":"buy"}],"${key}":{"__proto__":["odd"]}}}`;
      const res = await apiFetch(server, 'POST', '/api/v1/funnels/compute', body);
      expect(res.status, key).toBe(400);
      expect(res.json.error.message).toMatch(/__proto__/);
    }
    const body = `{"datasetId":"${datasetId}","definition":{"steps":[{"event":"view"},{"event":"buy"}]},"segment_filters":{"__proto__":["odd"]}}`;
    const res = await apiFetch(server, 'POST', '/api/v1/analytics/recommendations', body);
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/__proto__/);
    // An import's constant columns are keyed by name the same way.
    const imp = await apiFetch(server, 'POST', '/api/v1/datasets/import', `{"path":${JSON.stringify(file)},"mapping":{"constants":{"__proto__":"a"}}}`);
    expect(imp.status).toBe(400);
    expect(imp.json.error.message).toMatch(/__proto__/);
  });

  it('a breakdown never drops a segment silently: a "__proto__" value is refused, "constructor" is a segment like any', async () => {
    const seg = (i: number) => ['__proto__', 'constructor', 'toString'][i % 3];
    const file2 = path.join(dir, 'values.csv');
    fs.writeFileSync(file2, ['user_id,timestamp,event,seg', ...USERS.map((i) => `u${i},2026-03-01T10:00:00Z,view,${seg(i)}`)].join('\n') + '\n');
    const id = (await ctx.engine.dispatch('datasets:import', { path: file2 })).id;
    const by = (column: string) =>
      apiFetch(server, 'POST', '/api/v1/funnels/compute', { datasetId: id, definition: { steps: [{ event: 'view' }, { event: 'view' }], breakdown: column } });
    const res = await by('seg');
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/__proto__/);
    // Without that value the breakdown is complete: its segments add up to the total.
    const res2 = await apiFetch(server, 'POST', '/api/v1/funnels/compute', {
      datasetId: id,
      definition: { steps: [{ event: 'view' }, { event: 'view' }], breakdown: 'seg', exclude: { seg: ['__proto__'] } },
    });
    expect(res2.status).toBe(200);
    expect(Object.keys(res2.json.segment_breakdown).sort()).toEqual(['constructor', 'toString']);
    expect(res2.json.segment_breakdown.constructor.total_users).toBe(USERS.filter((i) => seg(i) === 'constructor').length);
  });

  it('the CLI --where takes these column names too (exit 0 with the right count, or exit 2)', async () => {
    const env = { IAFA_DATA_DIR: ctx.dataDir };
    const ok = await runCliCaptured(['funnel', datasetId, '--steps', 'view,buy', '--where', 'constructor=low', '--json'], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).stages[0].users).toBe(USERS.filter((i) => ctorOf(i) === 'low').length);
    const ts = await runCliCaptured(['funnel', datasetId, '--steps', 'view,buy', '--where', 'toString!=x', '--json'], env);
    expect(ts.code, ts.stderr).toBe(0);
    expect(JSON.parse(ts.stdout).stages[0].users).toBe(USERS.filter((i) => toStrOf(i) !== 'x').length);
    const proto = await runCliCaptured(['funnel', datasetId, '--steps', 'view,buy', '--where', '__proto__=odd', '--json'], env);
    expect(proto.code).toBe(2);
    expect(proto.stderr).toMatch(/__proto__/);
  });

  it('dates that do not exist, and from after to, are 400s', async () => {
    for (const bad of [{ from: '2026-99-99' }, { to: '2026-02-30' }, { from: '2026-13-01' }, { from: '2026-03-05', to: '2026-03-01' }]) {
      const res = await compute(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.json.error.kind).toBe('validation');
      expect(res.json.error.message).toMatch(/from|to/);
    }
    // The seed-style start_date / end_date of insights and reports are checked the same way.
    const ins = await apiFetch(server, 'POST', '/api/v1/analytics/recommendations', {
      datasetId,
      definition: { steps },
      start_date: '2026-03-05',
      end_date: '2026-03-01',
    });
    expect(ins.status).toBe(400);
    const rep = await apiFetch(server, 'POST', '/api/v1/reports', { datasetId, definition: { steps }, start_date: '2026-02-31' });
    expect(rep.status).toBe(400);
    // A real range still works, and one day (from = to) is a range.
    const good = await compute({ from: '2026-03-01', to: '2026-03-01' });
    expect(good.status).toBe(200);
    expect(good.json.stages[0].users).toBe(USERS.filter((i) => i % 5 === 0).length);
  });

  it('saving a funnel with a reversed range is refused the same way', async () => {
    const res = await apiFetch(server, 'POST', '/api/v1/funnels', { datasetId, name: 'x', definition: { steps, from: '2026-03-05', to: '2026-03-01' } });
    expect(res.status).toBe(400);
    const cli = await runCliCaptured(['funnel', datasetId, '--steps', 'view,buy', '--from', '2026-99-99', '--json'], { IAFA_DATA_DIR: ctx.dataDir });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/from/);
  });
});
