import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Request } from 'playwright-core';
import { openApp, type App } from '../helpers/app';
import { artifactPath } from '../helpers/browser';

let app: App;
let page: Page;

/**
 * A quick change of the funnel on the Dashboard: the request for the older funnel is aborted
 * (the browser cancels its fetch, so the server stops the work), and its late answer never
 * replaces the newer one on screen.
 */
describe('Dashboard: a quick change shows the newer answer and cancels the older request', () => {
  beforeAll(async () => {
    app = await openApp({ open: false });
    page = app.page;
    await app.env.engine.dispatch('datasets:import', { path: 'sample', name: 'Sample' });
    await app.open();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('breakdown by platform right after user_intent ends on platform; the user_intent request is aborted', async () => {
    const computes: Request[] = [];
    const failed: Request[] = [];
    let delayed = 0;
    // The first compute's answer is held back 2.5 s, so it would arrive after the second one.
    await page.route('**/api/v1/funnels/compute', async (route) => {
      computes.push(route.request());
      if (delayed++ === 0) await new Promise((r) => setTimeout(r, 2500));
      await route.continue().catch(() => {});
    });
    page.on('requestfailed', (r) => r.url().includes('/funnels/compute') && failed.push(r));

    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    await page.getByTestId('dataset-select').selectOption({ label: 'Sample' });
    await page.getByTestId('funnel-builder').waitFor();
    for (const ev of ['pin_view', 'save', 'click']) {
      await page.getByTestId('add-step-select').selectOption(ev);
      await page.getByTestId('add-step').click();
    }
    await page.getByTestId('breakdown-select').selectOption('user_intent');
    await page.getByTestId('run-funnel').click();
    await expect.poll(() => computes.length).toBe(1);
    await page.getByTestId('breakdown-select').selectOption('platform');
    await page.getByTestId('run-funnel').click();

    await page.getByText('Segment comparison by platform').waitFor({ timeout: 30_000 });
    // Past the held-back answer's arrival: the screen still shows the newer funnel.
    await page.waitForTimeout(3500);
    await page.screenshot({ path: artifactPath('e2e', 'dashboard-latest.png'), fullPage: true });
    await expect(page.getByText('Segment comparison by platform').isVisible()).resolves.toBe(true);
    await expect(page.getByText('Segment comparison by user_intent').count()).resolves.toBe(0);
    expect(computes.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(computes[0].postData() ?? '{}').definition.breakdown).toBe('user_intent');
    // The replaced request was cancelled by the page, not left to run.
    expect(failed.map((r) => JSON.parse(r.postData() ?? '{}').definition.breakdown)).toContain('user_intent');
    expect(app.pageErrors).toEqual([]);
  }, 120_000);
});
