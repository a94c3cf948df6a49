import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { FunnelDefinition } from '../../src/shared/contract';
import { openApp, type App } from '../helpers/app';
import { artifactPath } from '../helpers/browser';
import fs from 'node:fs';
import { parseCsv } from '../../src/core/experiments';
import { ANALYST_PASSWORD, CLICKHOUSE_BIN, NO_CLICKHOUSE, loadCsvTable, loadEventStore, startCluster, type TestCluster } from '../helpers/clickhouse';
import { HAS_SHARED_DATA, sharedData } from '../helpers/shared';

const shot = (name: string) => artifactPath('e2e', `warehouse-${name}.png`);

/**
 * The Data workspace's "Connect to a warehouse" panel in browser mode against the two-shard test
 * cluster: URL and password, connection test, table, roles, and a funnel computed in ClickHouse
 * that equals the local engine's on the same events; then Save as dataset, and the same funnel
 * on the Dashboard. The password never comes back from the API.
 */
if (!CLICKHOUSE_BIN) console.warn(`skipping the warehouse e2e: ${NO_CLICKHOUSE}`);

describe.skipIf(!CLICKHOUSE_BIN)('Connect to a warehouse (browser mode, ClickHouse cluster)', () => {
  let cluster: TestCluster;
  let app: App;
  let page: Page;
  let sampleId = '';
  const bodies: string[] = [];

  beforeAll(async () => {
    cluster = await startCluster(2);
    app = await openApp();
    page = app.page;
    const ds = await app.env.engine.dispatch('datasets:import', { path: 'sample' });
    sampleId = ds.id;
    await loadEventStore(cluster, path.join(app.env.dataDir, 'datasets', ds.id), 'iafa', 'pinterest');
    page.on('response', (r) => {
      if (r.url().includes('/api/v1/'))
        void r.text().then(
          (t) => bodies.push(t),
          () => {},
        );
    });
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await cluster?.stop();
  }, 60_000);

  it('tests the connection, lists tables, maps columns and computes a funnel in ClickHouse', async () => {
    await page.getByRole('link', { name: 'Data', exact: true }).click();
    await page.getByRole('heading', { name: 'Connect to a warehouse' }).waitFor();
    const port = cluster.servers[0].http;

    // A wrong password gets the server's specific refusal, not a hang.
    await page.getByLabel('Warehouse URL').fill(`clickhouse://analyst@127.0.0.1:${port}/iafa`);
    await page.getByLabel('Warehouse password').fill('wrong-password');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByRole('alert').filter({ hasText: 'refused the user "analyst"' }).waitFor({ timeout: 30_000 });

    await page.getByLabel('Warehouse password').fill(ANALYST_PASSWORD);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('Connected').waitFor({ timeout: 30_000 });
    await expect(page.getByLabel('Warehouse password').inputValue()).resolves.toBe('');
    await expect(page.getByText(/stops after 120 s/).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: shot('1-connected'), fullPage: true });

    await page.getByLabel('Warehouse table').selectOption('pinterest');
    await page.getByText(/272,277 rows/).waitFor({ timeout: 30_000 });
    await expect(page.getByLabel('user column').inputValue()).resolves.toBe('user_id');
    await expect(page.getByLabel('time column').inputValue()).resolves.toBe('ts');
    await expect(page.getByLabel('event column').inputValue()).resolves.toBe('event');

    await page.getByLabel('Funnel steps').fill('pin_view, save, click, purchase');
    await page.getByRole('button', { name: 'Compute funnel in ClickHouse' }).click();
    const table = page.getByRole('table', { name: 'Warehouse funnel' });
    await table.waitFor({ timeout: 60_000 });
    await page.screenshot({ path: shot('2-funnel'), fullPage: true });

    const want = await app.env.engine.dispatch('funnels:compute', {
      datasetId: sampleId,
      definition: FunnelDefinition.parse({ steps: ['pin_view', 'save', 'click', 'purchase'].map((event) => ({ event })) }),
    });
    const shown = (await table.locator('tbody tr td:nth-child(2)').allTextContents()).map((t) => Number(t.replace(/,/g, '')));
    expect(shown).toEqual(want.stages.map((s) => s.users));
    expect(shown[0]).toBeGreaterThan(1000);

    expect(bodies.length).toBeGreaterThan(2);
    for (const b of bodies) expect(b).not.toContain(ANALYST_PASSWORD);
    expect(app.pageErrors).toEqual([]);
    expect(app.consoleErrors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  });

  it('saves the table as a dataset; its funnel on the Dashboard equals the local engine on the same events', async () => {
    // Continues from the connected panel above: the password is in the engine's memory only.
    await page.getByLabel('Dataset name').fill('Pins in ClickHouse');
    await expect(page.getByLabel('Time limit').inputValue()).resolves.toBe('120');
    await page.getByLabel('Time limit').fill('90');
    await page.getByRole('button', { name: 'Save as dataset' }).click();
    const landing = page.getByRole('status').getByRole('link', { name: /Open the funnel .* on the Dashboard/ });
    await landing.waitFor({ timeout: 60_000 });
    // Listed with the imported sample, in the same table (the list reloads after the landing shows).
    await page.getByTestId('datasets-table').getByText('Pins in ClickHouse').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: shot('3-saved'), fullPage: true });

    const saved = (await app.env.engine.dispatch('datasets:list', {})).datasets.find((d) => d.name === 'Pins in ClickHouse')!;
    expect(saved.warehouse?.limits.timeout_seconds).toBe(90);
    expect(saved.warehouse?.url).toBe(`clickhouse://analyst@127.0.0.1:${cluster.servers[0].http}/iafa/pinterest?user_col=user_id&time_col=ts&event_col=event`);

    await landing.click();
    const funnelTable = page.getByTestId('funnel-table');
    await funnelTable.waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('dataset-select').inputValue()).resolves.toBe(saved.id);
    const stages = await funnelTable.locator('tbody tr td:nth-child(1)').allTextContents();
    expect(stages.length).toBeGreaterThanOrEqual(2);
    // The same steps, window, mode and zone the landing chose, on the locally imported sample.
    const want = await app.env.engine.dispatch('funnels:compute', {
      datasetId: sampleId,
      definition: FunnelDefinition.parse({ steps: stages.map((event) => ({ event })), window: '7d', mode: 'any-start', tz: 'UTC' }),
    });
    const cells = await funnelTable.locator('tbody tr td:nth-child(2)').allTextContents();
    expect(cells).toEqual(want.stages.map((x) => x.users.toLocaleString('en-US')));
    expect(want.stages[0].users).toBeGreaterThan(1000);
    // The Dashboard's insights on it: the analyst on ClickHouse's aggregates.
    const insights = page.getByTestId('insights-panel');
    await insights.getByTestId('provenance').waitFor({ timeout: 60_000 });
    await expect(insights.getByTestId('provenance').textContent()).resolves.toBe('computed');
    await expect(insights.getByTestId('insights-list').locator('li').count()).resolves.toBeGreaterThan(0);
    await page.screenshot({ path: shot('4-dashboard'), fullPage: true });

    for (const b of bodies) expect(b).not.toContain(ANALYST_PASSWORD);
    expect(bodies.some((b) => b.includes(saved.id))).toBe(true);
    expect(app.pageErrors).toEqual([]);
    expect(app.consoleErrors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  });

  it.skipIf(!HAS_SHARED_DATA)('a saved A/B table opens in the Experiments analyzer with its arms preselected and reads out like the file', async () => {
    const csv = sharedData('adsmart_ab_data.csv');
    await loadCsvTable(cluster, parseCsv(fs.readFileSync(csv, 'utf8')).columns, 'iafa', 'adsmart');
    await page.getByRole('link', { name: 'Data', exact: true }).click();
    // The form starts empty again; the session's password is still in the engine, so the URL is enough.
    await page.getByLabel('Warehouse URL').fill(`clickhouse://analyst@127.0.0.1:${cluster.servers[0].http}/iafa`);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByLabel('Warehouse table').locator('option[value="adsmart"]').waitFor({ state: 'attached', timeout: 30_000 });
    await page.getByLabel('Warehouse table').selectOption('adsmart');
    await page.getByText(/a table without user\/time\/event columns/).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Save as dataset' }).click();
    const landing = page.getByRole('status').getByRole('link', { name: /Analyse this A\/B table in Experiments/ });
    await landing.waitFor({ timeout: 60_000 });
    await landing.click();

    const panel = page.locator('#xp-panel-analyze');
    await expect(panel.getByTestId('xp-variant-col').inputValue()).resolves.toBe('experiment');
    await expect(panel.getByTestId('xp-control').inputValue()).resolves.toBe('control');
    await expect(panel.getByTestId('xp-treatment').inputValue()).resolves.toBe('exposed');
    await panel.getByTestId('xp-primary').selectOption('yes');
    await panel.getByTestId('xp-analyze-run').click();
    await panel.getByTestId('xp-significance').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: shot('5-experiment'), fullPage: true });

    const want = await app.env.engine.dispatch('experiment:analyze', {
      file: csv,
      variant_column: 'experiment',
      control: 'control',
      treatment: 'exposed',
      metrics: ['yes'],
      save: false,
    });
    await expect(panel.getByTestId('xp-decision-word').textContent()).resolves.toBe(want.recommendation.decision);
    const srm = await panel.getByTestId('xp-srm').textContent();
    expect(srm).toContain(want.srm_check.control_n.toLocaleString('en-US'));
    expect(srm).toContain(want.srm_check.treatment_n.toLocaleString('en-US'));
    for (const b of bodies) expect(b).not.toContain(ANALYST_PASSWORD);
    expect(app.pageErrors).toEqual([]);
  });
});
