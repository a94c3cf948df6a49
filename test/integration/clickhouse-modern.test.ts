import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickhouseFunnel } from '../../src/core/backends/clickhouse/funnel';
import { FunnelDefinition, type FunnelDefinitionInput } from '../../src/shared/contract';
import { chdb, chdbSession, loadStoreIntoChdb, NO_CHDB, type ChdbTable } from '../helpers/chdb';
import { tempEngine } from '../helpers/engine';

/**
 * The same compiled funnel SQL on a current ClickHouse (the one chdb embeds), so the dialect IAFA
 * sends works there as well as on Debian's 18.16 (clickhouse.test.ts), with the same results as
 * the local engine.
 */
if (!chdb) console.warn(`skipping modern-dialect tests: ${NO_CHDB}`);

const STEPS = [{ event: 'pin_view' }, { event: 'save' }, { event: 'click' }, { event: 'purchase' }];

describe.skipIf(!chdb)('the funnel SQL on a current ClickHouse (chdb)', () => {
  let session: ReturnType<typeof chdbSession>['session'];
  let local: ReturnType<typeof tempEngine>;
  let sampleId: string;
  let pinterest: ChdbTable;
  let version = '';

  beforeAll(async () => {
    local = tempEngine();
    const ds = await local.engine.dispatch('datasets:import', { path: 'sample' });
    sampleId = ds.id;
    // Same rows as the stored dataset (the cluster tests load them the same way).
    const s = chdbSession();
    session = s.session;
    pinterest = await loadStoreIntoChdb(session, s.runner, path.join(local.dataDir, 'datasets', ds.id), 'pinterest');
    version = session.query('SELECT version()', 'TabSeparated').trim();
  }, 180_000);

  afterAll(() => {
    session?.cleanup();
    local?.cleanup();
  });

  const CASES: [string, Partial<FunnelDefinitionInput>][] = [
    ['any-start with breakdown and previous period', { breakdown: 'user_intent', from: '2026-01-26', to: '2026-02-22' }],
    ['first-touch strict, time zone', { mode: 'first-touch', strict: true, tz: 'Asia/Kolkata' }],
    ['unordered', { mode: 'unordered', window: '24h', breakdown: 'platform' }],
  ];

  it.each(CASES)('matches the local engine: %s', async (_, extra) => {
    expect(version.split('.')[0]).toMatch(/^\d\d$/); // a 2x.y release, not 18.16
    const def = FunnelDefinition.parse({ steps: STEPS, ...extra });
    const want = await local.engine.dispatch('funnels:compute', { datasetId: sampleId, definition: def });
    const got = await clickhouseFunnel(pinterest.runner, pinterest.table, pinterest.range, def, { datasetId: 'x' });
    expect({ ...got, dataset_id: null, computed_ms: null }).toEqual({ ...want, dataset_id: null, computed_ms: null });
  });
});
