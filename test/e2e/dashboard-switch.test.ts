import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openApp, type App } from '../helpers/app';
import { artifactPath } from '../helpers/browser';
import { HAS_SHARED_DATA, NO_SHARED_DATA, sharedData } from '../helpers/shared';

const TAOBAO = sharedData('taobao_userbehavior_head.csv');
const shot = (name: string) => artifactPath('e2e', `dashboard-switch-${name}.png`);

let app: App;
let page: Page;

async function addSteps(p: Page, events: string[]): Promise<void> {
  for (const ev of events) {
    await p.getByTestId('add-step-select').selectOption(ev);
    await p.getByTestId('add-step').click();
  }
}

describe.skipIf(!HAS_SHARED_DATA)(`Dashboard: switching datasets after a breakdown (issue 15, item 2) ${HAS_SHARED_DATA ? '' : NO_SHARED_DATA}`, () => {
  beforeAll(async () => {
    app = await openApp({ open: false });
    page = app.page;
    await app.env.engine.dispatch('datasets:import', { path: 'sample', name: 'Sample' });
    await app.env.engine.dispatch('datasets:import', { path: TAOBAO, name: 'taobao' });
    await app.open();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('computes the Taobao funnel after a broken-down sample funnel, without a blank page', async () => {
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    await page.getByTestId('dataset-select').selectOption({ label: 'Sample' });
    await page.getByTestId('funnel-builder').waitFor();
    await addSteps(page, ['pin_view', 'save', 'click', 'purchase']);
    await page.getByTestId('breakdown-select').selectOption('user_intent');
    await page.getByTestId('run-funnel').click();
    await page.getByTestId('segment-table').waitFor({ timeout: 60_000 });

    await page.getByTestId('dataset-select').selectOption({ label: 'taobao' });
    await addSteps(page, ['pv', 'cart', 'buy']);
    await page.getByTestId('run-funnel').click();
    await page
      .getByTestId('funnel-table')
      .locator('tbody tr td:first-child', { hasText: /^pv$/ })
      .waitFor({ timeout: 30_000 })
      .catch(async (e: unknown) => {
        await page.screenshot({ path: shot('failed'), fullPage: true });
        throw new Error(`${String(e)}; page errors: ${app.pageErrors.join(' | ')}`);
      });
    await page.waitForTimeout(800);
    await page.screenshot({ path: shot('taobao'), fullPage: true });
    await expect(page.getByTestId('funnel-chart').isVisible()).resolves.toBe(true);
    await expect(page.locator('[data-testid=funnel-chart] svg .drop-label').count()).resolves.toBe(2);
    expect(app.pageErrors).toEqual([]);
  });

  it('names a stray day far from the rest instead of stretching the period, and offers the main range', async () => {
    const note = page.getByTestId('dense-range');
    await note.waitFor();
    await expect(note.textContent()).resolves.toMatch(
      /1 day \(2017-09-11, 1 user starting\) lies more than two weeks from the rest of the data, which runs 2017-11-20 – 2017-12-02/,
    );
    await expect(page.getByTestId('funnel-kpis').textContent()).resolves.toMatch(/2017-11-20 – 2017-12-02 \(\+1 isolated day\)/);
    await page.screenshot({ path: shot('dense-range'), fullPage: true });
    await page.getByTestId('use-dense-range').click();
    await expect.poll(async () => (await page.getByTestId('funnel-kpis').textContent()) ?? '', { timeout: 30_000 }).not.toMatch(/isolated/);
    await expect(page.getByTestId('dense-range').count()).resolves.toBe(0);
  });

  it('warns for a breakdown column with thousands of values, and says what filters and breakdowns act on', async () => {
    await expect(page.getByTestId('breakdown-select').locator('option[value=item_id]').textContent()).resolves.toMatch(/too many to compare/);
    await page.getByTestId('breakdown-select').selectOption('item_id');
    await expect(page.getByTestId('breakdown-warning').textContent()).resolves.toMatch(/item_id has [\d,]+ values/);
    await expect(page.getByTestId('filter-semantics').textContent()).resolves.toMatch(/Filters act on events.*breakdown acts on users/);
    await page.getByTestId('breakdown-select').selectOption('');
    await expect(page.getByTestId('breakdown-warning').count()).resolves.toBe(0);
  });

  it('refuses a repeated step with a message', async () => {
    await page.getByTestId('add-step-select').selectOption('cart');
    await page.getByTestId('add-step').click();
    await expect(page.getByTestId('step-notice').textContent()).resolves.toMatch(/“cart” is already step 2/);
    await expect(page.getByTestId('steps-editor').locator('li').count()).resolves.toBe(3);
  });

  it('shows an error card, not a blank page, when a view fails to render', async () => {
    // A malformed answer stands for any render bug: the results area fails, the rest stays.
    await page.route('**/api/v1/funnels/compute', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ stages: 5, definition: {} }) }),
    );
    await page.getByTestId('window-input').fill('24h');
    await page.getByTestId('run-funnel').click();
    await page.getByTestId('render-error').waitFor();
    await expect(page.getByTestId('render-error').textContent()).resolves.toMatch(/could not be shown/);
    // The sidebar and the builder are still there, and the other workspaces open.
    await expect(page.getByTestId('funnel-builder').isVisible()).resolves.toBe(true);
    await page.screenshot({ path: shot('render-error'), fullPage: true });
    await page.unroute('**/api/v1/funnels/compute');
    await page.getByTestId('window-input').fill('7d');
    await page.getByTestId('run-funnel').click();
    await page.getByTestId('funnel-chart').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('render-error').count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
  });
});
