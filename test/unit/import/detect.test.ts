import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { previewFile } from '../../../src/core/import';
import { HAS_SHARED_DATA, SHARED_DATA } from '../../helpers/shared';

const D = SHARED_DATA;
const BUDGET = 1 << 30;

describe('kind and mapping detection', () => {
  const itData = it.skipIf(!HAS_SHARED_DATA);

  itData('Taobao is an event log with unix-second times', () => {
    const p = previewFile({ path: path.join(D, 'taobao_userbehavior_head.csv') }, BUDGET);
    expect(p.kind).toBe('event_log');
    expect(p.confidence).toBeGreaterThan(0.8);
    expect(p.mapping).toMatchObject({ user: 'user_id', time: 'timestamp', event: 'behavior_type', timeFormat: 'unix_s' });
    expect(p.rows).toHaveLength(20);
  });

  itData('Udacity is a wide aggregated export whose dates need a year', () => {
    const p = previewFile({ path: path.join(D, 'udacity_experiment_data.csv') }, BUDGET);
    expect(p.kind).toBe('aggregated');
    expect(p.header[0]).toBe('Date'); // the BOM is not part of the name
    expect(p.mapping).toMatchObject({ date: 'Date', timeFormat: 'weekday_month_day', stages: ['Pageviews', 'Clicks', 'Enrollments', 'Payments'] });
  });

  itData('Cookie Cats and AdSmart are user tables with a variant column', () => {
    expect(previewFile({ path: path.join(D, 'cookie_cats.csv') }, BUDGET)).toMatchObject({
      kind: 'user_table',
      mapping: { user: 'userid', variant: 'version' },
    });
    expect(previewFile({ path: path.join(D, 'adsmart_ab_data.csv') }, BUDGET)).toMatchObject({
      kind: 'user_table',
      mapping: { user: 'auction_id', variant: 'experiment' },
    });
  });

  itData('an explicit kind and mapping win over detection', () => {
    const p = previewFile(
      {
        path: path.join(D, 'olist_marketing_qualified_leads_dataset.csv'),
        kind: 'event_log',
        mapping: { user: 'mql_id', time: 'first_contact_date', eventName: 'lead' },
      },
      BUDGET,
    );
    expect(p).toMatchObject({
      kind: 'event_log',
      confidence: 1,
      mapping: { user: 'mql_id', time: 'first_contact_date', eventName: 'lead', timeFormat: 'date' },
    });
  });

  it('reads NDJSON and JSON arrays as tables', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-detect-'));
    const rows = [
      { distinct_id: 'a', event: 'view', ts: 1767225600000, plan: 'pro' },
      { distinct_id: 'a', event: 'buy', ts: 1767225660000, plan: 'pro' },
      { distinct_id: 'b', event: 'view', ts: 1767225720000, plan: null },
    ];
    fs.writeFileSync(path.join(dir, 'e.ndjson'), rows.map((r) => JSON.stringify(r)).join('\n'));
    fs.writeFileSync(path.join(dir, 'e.json'), JSON.stringify(rows));
    for (const f of ['e.ndjson', 'e.json']) {
      const p = previewFile({ path: path.join(dir, f) }, BUDGET);
      expect(p.kind).toBe('event_log');
      expect(p.mapping).toMatchObject({ user: 'distinct_id', event: 'event', time: 'ts', timeFormat: 'unix_ms' });
      expect(p.rows[2]).toEqual(['b', 'view', '1767225720000', '']);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
