import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server';
import { tempEngine } from '../helpers/engine';
import { apiFetch, serverFor } from '../helpers/http';
import { datasetFiles, storeState, uploadAndImport } from '../helpers/import-http';

/**
 * Issue #16 items 8, 9, 10 and 11 over the real HTTP API: poisoned aggregated files, inputs that
 * used to end in a 500, junk that used to become a dataset, and quoting / line-ending troubles.
 * Every refusal is a 400 that says what is wrong, and leaves the data folder as it was.
 */

const seed = (stages: [string, unknown][], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ funnel_metrics: { stages: stages.map(([stage_name, users]) => ({ stage_name, users })), ...extra } });
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

describe('import refusals and repairs over HTTP', () => {
  let ctx: ReturnType<typeof tempEngine>;
  let server: RunningServer;
  let goodId = '';
  let goodFiles: Map<string, Buffer>;

  beforeAll(async () => {
    ctx = tempEngine();
    server = await serverFor(ctx.engine);
    const good = await uploadAndImport(
      server,
      'good.csv',
      'user_id,timestamp,event\nu1,2026-01-01T00:00:00Z,view\nu1,2026-01-01T00:01:00Z,buy\nu2,2026-01-01T00:00:00Z,view\n',
    );
    expect(good.status).toBe(200);
    goodId = good.json.id;
    goodFiles = datasetFiles(ctx.dataDir, goodId);
  });
  afterAll(async () => {
    await server.close();
    ctx.cleanup();
  });

  async function refused(name: string, content: string, message: RegExp, reason?: string, extra: Record<string, unknown> = {}): Promise<void> {
    const pre = await storeState(ctx.engine, ctx.dataDir);
    const res = await uploadAndImport(server, name, content, extra);
    expect(res.status, `${name}: ${JSON.stringify(res.json)}`).toBe(400);
    expect(res.json.error.kind).toBe('validation');
    expect(res.json.error.message, name).toMatch(message);
    if (reason) expect(res.json.error.details?.reason, name).toBe(reason);
    expect(await storeState(ctx.engine, ctx.dataDir)).toEqual(pre);
    expect(pre.ids).toContain(goodId);
    expect(datasetFiles(ctx.dataDir, goodId)).toEqual(goodFiles);
  }

  describe('item 8: aggregated files are validated at import', () => {
    it('refuses negative, non-finite, non-integer and unsafe counts in a CSV export', async () => {
      await refused('neg.csv', 'stage,users\nview,100\ncart,-5\nbuy,3\n', /Line 3.*"cart" is negative/, 'bad_count');
      await refused('huge.csv', 'stage,users\nview,1e308\ncart,50\nbuy,3\n', /Line 2.*too large/, 'bad_count');
      await refused('inf.csv', `date,view,cart,buy\n2026-01-01,100,50,10\n2026-01-02,1${'0'.repeat(400)},50,10\n`, /Line 3.*too large/, 'bad_count');
      await refused('frac.csv', 'stage,users\nview,100\ncart,50.5\nbuy,3\n', /whole number/, 'bad_count');
      await refused('sum.csv', 'stage,users\nview,9007199254740991\nview,9007199254740991\nbuy,3\n', /"view" add up/, 'bad_count');
      await refused('wide-neg.csv', 'date,view,cart,buy\n2026-01-01,100,50,10\n2026-01-02,100,-50,10\n', /Line 3.*negative/, 'bad_count', {
        kind: 'aggregated',
        mapping: { date: 'date', stages: ['view', 'cart', 'buy'] },
      });
    });

    it('refuses a funnel_metrics file with bad or growing stage counts', async () => {
      await refused(
        'nan.json',
        seed([
          ['view', 'NaN'],
          ['buy', 5],
        ]),
        /"view"/,
        'bad_count',
      );
      await refused(
        'neg.json',
        seed([
          ['view', 100],
          ['buy', -5],
        ]),
        /"buy"/,
        'bad_count',
      );
      await refused(
        'big.json',
        seed([
          ['view', 1e308],
          ['buy', 5],
        ]),
        /"view"/,
        'bad_count',
      );
      await refused(
        'missing.json',
        seed([
          ['view', 100],
          ['buy', undefined],
        ]),
        /"buy"/,
        'bad_count',
      );
      await refused(
        'grow.json',
        seed([
          ['view', 100],
          ['cart', 120],
          ['buy', 5],
        ]),
        /"cart".*120.*100|must not grow/,
        'not_monotone',
      );
      await refused(
        'seg.json',
        seed(
          [
            ['view', 100],
            ['buy', 5],
          ],
          {
            segment_breakdown: {
              mobile: {
                stages: [
                  { stage_name: 'view', users: 10 },
                  { stage_name: 'buy', users: -1 },
                ],
              },
            },
          },
        ),
        /mobile/,
        'bad_count',
      );
    });

    it('still takes a valid aggregated file, and its funnel is a 200', async () => {
      const ok = await uploadAndImport(
        server,
        'ok.json',
        seed([
          ['view', 100],
          ['cart', '40'],
          ['buy', 5],
        ]),
      );
      expect(ok.status).toBe(200);
      const f = await apiFetch(server, 'POST', '/api/v1/funnels/compute', {
        datasetId: ok.json.id,
        definition: { steps: [{ event: 'view' }, { event: 'cart' }, { event: 'buy' }] },
      });
      expect(f.status).toBe(200);
      expect(f.json.stages.map((s: { users: number }) => s.users)).toEqual([100, 40, 5]);
      const csv = await uploadAndImport(server, 'ok.csv', 'stage,users\nview,"1,000"\ncart,1e2\nbuy,7.0\n');
      expect(csv.status).toBe(200);
      const g = await apiFetch(server, 'POST', '/api/v1/funnels/compute', {
        datasetId: csv.json.id,
        definition: { steps: [{ event: 'view' }, { event: 'cart' }, { event: 'buy' }] },
      });
      expect(g.json.stages.map((s: { users: number }) => s.users)).toEqual([1000, 100, 7]);
      await apiFetch(server, 'DELETE', `/api/v1/datasets/${ok.json.id}`);
      await apiFetch(server, 'DELETE', `/api/v1/datasets/${csv.json.id}`);
    });
  });

  describe('item 9: 400s, not 500s', () => {
    it('JSON nested 100,000 deep (array, inside an object, in an NDJSON line)', async () => {
      await refused('deep.json', deep(100_000), /nested/, 'too_deep');
      await refused('deep-obj.json', `{"user_id":"u1","a":${deep(100_000)}}`, /nested/, 'too_deep');
      await refused('deep.ndjson', `{"user_id":"u1"}\n{"user_id":"u2","a":${deep(100_000)}}\n`, /nested/, 'too_deep');
      // A request body nested as deep is a 400 too.
      const body = await apiFetch(server, 'POST', '/api/v1/datasets/preview', `{"path":"x","mapping":{"constants":{"a":${deep(100_000)}}}}`);
      expect(body.status).toBe(400);
      expect(body.json.error.message).toMatch(/nested/);
      // Wherever the deep value sits, even under a key the contract ignores.
      const settings = await apiFetch(server, 'PATCH', '/api/v1/settings', `{"llm":{"x":${deep(100_000)}}}`);
      expect(settings.status).toBe(400);
      expect(settings.json.error.message).toMatch(/nested/);
    });

    it('a CSV whose every user_id is empty', async () => {
      const rows = Array.from({ length: 50 }, (_, i) => `,2026-01-01T00:00:${String(i).padStart(2, '0')}Z,view`);
      await refused('nousers.csv', `user_id,timestamp,event\n${rows.join('\n')}\n`, /user id is empty/, 'most_rows_bad');
    });

    it('a malformed %-escape in the URL path', async () => {
      for (const p of ['/api/v1/datasets/%E0%A4%A', '/api/v1/datasets/%zz', '/api/v1/funnels/%']) {
        const res = await apiFetch(server, 'GET', p);
        expect(res.status, p).toBe(400);
        expect(res.json.error.message).toMatch(/escape|URL/i);
      }
    });
  });

  describe('item 10: junk is not stored as a dataset', () => {
    const missing = /user.*time.*event|nothing IAFA can analyse/i;
    it('JSON without records or columns', async () => {
      await refused('empty.json', '{}', /no columns|no record/i);
      await refused('scalars.json', '[1,2,"a"]', /object/);
      await refused('nested.json', '[[[1]]]', /object/);
    });
    it('an HTML page, a shell script, a passwd-like file, a user-id-only CSV', async () => {
      await refused(
        'page.html',
        '<!doctype html>\n<html><head><title>x</title></head>\n<body><p>Hello</p>\n<p>World</p></body></html>\n',
        missing,
        'nothing_to_analyse',
      );
      await refused('run.sh', '#!/bin/sh\nset -e\necho hello\nrm -rf /tmp/x\nexit 0\n', missing, 'nothing_to_analyse');
      await refused(
        'passwd',
        'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nbin:x:2:2:bin:/bin:/usr/sbin/nologin\n',
        missing,
        'nothing_to_analyse',
      );
      await refused('ids.csv', 'user_id\nu1\nu2\nu3\nu4\n', missing, 'nothing_to_analyse');
      // Naming the kind does not make junk analysable either.
      await refused('ids2.csv', 'user_id\nu1\nu2\nu3\nu4\n', /variant|metric/, 'nothing_to_analyse', { kind: 'user_table' });
    });
    it('a list of leads (user and date, no event) is refused with the way to import it, which then works', async () => {
      const leads =
        'mql_id,first_contact_date,landing_page_id,origin\n' +
        Array.from(
          { length: 12 },
          (_, i) => `m${i},2018-02-0${1 + (i % 9)},p${i % 7},${['social', 'paid search', 'organic', 'email', 'direct', 'referral'][i % 6]}`,
        ).join('\n') +
        '\n';
      await refused('leads.csv', leads, /eventName/, 'nothing_to_analyse');
      const ok = await uploadAndImport(server, 'leads.csv', leads, {
        kind: 'event_log',
        mapping: { user: 'mql_id', time: 'first_contact_date', eventName: 'lead' },
      });
      expect(ok.status, JSON.stringify(ok.json)).toBe(200);
      expect(ok.json.events).toEqual([{ name: 'lead', count: 12 }]);
      await apiFetch(server, 'DELETE', `/api/v1/datasets/${ok.json.id}`);
    });

    it('a real user table still imports', async () => {
      const res = await uploadAndImport(server, 'ab.csv', 'user_id,variant,converted\nu1,a,1\nu2,b,0\nu3,a,0\nu4,b,1\n');
      expect(res.status).toBe(200);
      expect(res.json.kind).toBe('user_table');
      await apiFetch(server, 'DELETE', `/api/v1/datasets/${res.json.id}`);
    });
  });

  describe('item 11: quoting and line endings', () => {
    it('quotes that pair across lines import with a warning naming the lines', async () => {
      // 100 data lines, each with one stray quote: the quotes pair up and 100 lines become 50 rows.
      const lines = Array.from({ length: 100 }, (_, i) => `u${i},2026-01-01T00:00:00Z,"view`);
      const res = await uploadAndImport(server, 'stray.csv', `user_id,timestamp,event\n${lines.join('\n')}\n`);
      expect(res.status).toBe(200);
      expect(res.json.rowCount).toBe(50);
      const w = res.json.warnings.find((x: { reason: string }) => x.reason === 'quoted_newline');
      expect(w, JSON.stringify(res.json.warnings)).toBeTruthy();
      expect(w.count).toBe(50);
      expect(w.lines[0]).toBe(2);
      expect(w.message).toMatch(/quote/);
      await apiFetch(server, 'DELETE', `/api/v1/datasets/${res.json.id}`);
    });

    const events = Array.from({ length: 20 }, (_, i) => ({
      user: `u${i % 5}`,
      time: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`,
      event: i % 2 ? 'view' : 'buy',
    }));
    const expectCounts = (json: { rowCount: number; userCount: number; events: { name: string; count: number }[] }) => {
      expect(json.rowCount).toBe(events.length);
      expect(json.userCount).toBe(new Set(events.map((e) => e.user)).size);
      const byName = Object.fromEntries(json.events.map((e) => [e.name, e.count]));
      expect(byName).toEqual({ view: events.filter((e) => e.event === 'view').length, buy: events.filter((e) => e.event === 'buy').length });
    };
    it('bare-CR line endings are read', async () => {
      const res = await uploadAndImport(
        server,
        'cr.csv',
        ['user_id,timestamp,event', ...events.map((e) => `${e.user},${e.time},${e.event}`)].join('\r') + '\r',
      );
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      expectCounts(res.json);
      await apiFetch(server, 'DELETE', `/api/v1/datasets/${res.json.id}`);
    });
    it('NDJSON with bare-CR or mixed line endings is read', async () => {
      const ends = ['\r', '\n', '\r\n'];
      const text = events.map((e, i) => JSON.stringify({ user_id: e.user, timestamp: e.time, event: e.event }) + ends[i % 3]).join('');
      const res = await uploadAndImport(server, 'cr.ndjson', text);
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      expectCounts(res.json);
      await apiFetch(server, 'DELETE', `/api/v1/datasets/${res.json.id}`);
    });

    it('mixed LF, CRLF and CR line endings are read (quoted fields too)', async () => {
      const ends = ['\n', '\r\n', '\r'];
      for (const quoted of [false, true]) {
        const text = 'user_id,timestamp,event\r\n' + events.map((e, i) => `${e.user},${e.time},${quoted ? `"${e.event}"` : e.event}${ends[i % 3]}`).join('');
        const res = await uploadAndImport(server, `mixed-${quoted}.csv`, text);
        expect(res.status, JSON.stringify(res.json)).toBe(200);
        expectCounts(res.json);
        await apiFetch(server, 'DELETE', `/api/v1/datasets/${res.json.id}`);
      }
    });
  });
});
