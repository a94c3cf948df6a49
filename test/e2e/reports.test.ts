import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openApp, type App } from '../helpers/app';
import { artifactPath } from '../helpers/browser';
import { sharedData } from '../helpers/shared';

const TAOBAO = sharedData('taobao_userbehavior_head.csv');

let app: App;
let page: Page;

beforeAll(async () => {
  app = await openApp({ acceptDownloads: true, clipboard: true });
  page = app.page;
  const ds = await app.env.engine.dispatch('datasets:import', { path: TAOBAO, name: 'Taobao head' });
  // The funnel the user built on the Dashboard is shared through the selection store.
  // (Page code as strings: this file is type-checked without the DOM library.)
  const selection = JSON.stringify({
    datasetId: ds.id,
    funnelId: null,
    definition: { steps: [{ event: 'pv' }, { event: 'cart' }, { event: 'buy' }], window: '7d' },
  });
  await page.evaluate(`localStorage.setItem('iafa.selection', ${JSON.stringify(selection)})`);
  await page.reload();
  await page.getByRole('link', { name: 'Reports', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
});

afterAll(async () => {
  await app?.close();
});

describe('Reports workspace (browser mode)', () => {
  it('previews a data-scientist report in a sandboxed iframe without scripts', async () => {
    await page.getByTestId('report-audience').selectOption('data_scientist');
    await page.getByTestId('report-provider').selectOption('none');
    await page.getByTestId('report-preview').click();
    const frame = page.getByTestId('report-frame');
    await frame.waitFor();
    expect(await frame.getAttribute('sandbox')).toBe('');
    expect(await frame.getAttribute('srcdoc')).toContain('Methods and caveats');
    const inner = page.frameLocator('[data-testid="report-frame"]');
    await inner.getByRole('heading', { name: 'Executive summary' }).waitFor();
    await inner.getByRole('heading', { name: 'Methods and caveats' }).waitFor();
    await page.screenshot({ path: artifactPath('e2e', 'reports-preview.png'), fullPage: true });
  });

  it('unticking a section removes it from the preview', async () => {
    await page.getByTestId('report-sections').getByLabel('Methods and caveats').uncheck();
    await page.getByTestId('report-preview').click();
    await page.waitForFunction(`!document.querySelector('[data-testid="report-frame"]')?.getAttribute('srcdoc')?.includes('Methods and caveats')`);
  });

  it('copies the report as Markdown', async () => {
    await page.getByTestId('report-copy').click();
    await page.getByTestId('report-note').filter({ hasText: 'Copied' }).waitFor();
    const md = String(await page.evaluate('navigator.clipboard.readText()'));
    expect(md).toMatch(/^# Funnel report: pv → cart → buy/);
    expect(md).toContain('## Key metrics');
  });

  it('saves a Markdown report: download through the token URL, then it is listed and can be deleted', async () => {
    await page.getByTestId('report-format').selectOption('markdown');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-save').click()]);
    expect(download.suggestedFilename()).toBe('funnel-report-pv-cart-buy.md');
    const file = artifactPath('e2e', 'reports-download.md');
    await download.saveAs(file);
    expect(fs.readFileSync(file, 'utf8')).toContain('## Executive summary');
    const rows = page.getByTestId('reports-table').locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    await page.screenshot({ path: artifactPath('e2e', 'reports-saved.png'), fullPage: true });
    await page.getByRole('button', { name: /^Delete / }).click();
    await page.getByText('No stored reports yet').waitFor();
    expect(app.pageErrors).toEqual([]);
  });
});
