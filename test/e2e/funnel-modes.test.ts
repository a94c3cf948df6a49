import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openApp, type App } from '../helpers/app';
import { artifactPath } from '../helpers/browser';

const shot = (name: string) => artifactPath('e2e', `funnel-modes-${name}.png`);

let app: App;
let page: Page;
let datasetId = '';

beforeAll(async () => {
  app = await openApp({ open: false });
  datasetId = (await app.env.engine.dispatch('datasets:import', { path: 'sample' })).id;
  await app.open();
  page = app.page;
});

afterAll(async () => {
  await app?.close();
});

describe('Dashboard: funnel modes and steps with several events and conditions (browser mode, sample)', () => {
  it('offers every mode option in full, and ties allow re-entry to strict order', async () => {
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    await page.getByTestId('dataset-select').selectOption(datasetId);
    await page.getByTestId('funnel-builder').waitFor();
    const options = await page.getByTestId('mode-select').locator('option').allTextContents();
    expect(options).toEqual(['Any start (ClickHouse windowFunnel)', 'First touch (chain from the first step-1 event)', 'Unordered (steps in any order)']);
    // The select is as wide as its longest option: nothing is cut.
    const fits = await page.getByTestId('mode-select').evaluate((el: { scrollWidth: number; clientWidth: number }) => el.scrollWidth <= el.clientWidth + 1);
    expect(fits).toBe(true);
    const labels = await page.getByTestId('mode-control').locator('label').allTextContents();
    expect(labels).toEqual(['Strictly increasing times', 'Strict order', 'Allow re-entry', 'Strict deduplication', 'Strict once']);
    await expect(page.getByTestId('mode-allowReentry').isDisabled()).resolves.toBe(true);
    await page.getByTestId('mode-strictOrder').check();
    await expect(page.getByTestId('mode-allowReentry').isDisabled()).resolves.toBe(false);
    await page.getByTestId('mode-allowReentry').check();
    // Away from any-start the ClickHouse options are off and disabled.
    await page.getByTestId('mode-select').selectOption('first-touch');
    await expect(page.getByTestId('mode-strictOrder').isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId('mode-strictOrder').isChecked()).resolves.toBe(false);
    await page.getByTestId('mode-select').selectOption('any-start');
    await page.getByTestId('mode-strictOrder').check();
    await page.getByTestId('mode-allowReentry').check();
    await page.getByTestId('mode-strictDeduplication').check();
  });

  it('builds steps with conditions and another event, and the result is the engine’s for that definition', async () => {
    for (const ev of ['pin_view', 'save', 'click']) {
      await page.getByTestId('add-step-select').selectOption(ev);
      await page.getByTestId('add-step').click();
    }
    await page.getByTestId('step-1-more').click();
    await page.getByTestId('step-1-cond-column').selectOption('surface');
    await page.getByTestId('step-1-cond-values').fill('Home, Search');
    await page.getByTestId('step-1-cond-add').click();
    await page.getByTestId('step-1-cond-column').selectOption('platform');
    await page.getByTestId('step-1-cond-values').fill('iOS');
    await page.getByTestId('step-1-cond-values').press('Enter');
    await page.getByTestId('step-1-more').click();
    await page.getByTestId('step-2-more').click();
    await page.getByTestId('step-2-or-select').selectOption('purchase');
    await page.getByTestId('step-2-or-add').click();
    await expect(page.getByTestId('step-1-conditions').textContent()).resolves.toMatch(/surface = Home or Search.*platform = iOS.*all must hold/);
    await expect(page.getByTestId('step-2-conditions').textContent()).resolves.toMatch(/or purchase/);
    await page.screenshot({ path: shot('1-builder'), fullPage: true });

    await page.getByTestId('run-funnel').click();
    await page.getByTestId('funnel-chart').waitFor({ timeout: 60_000 });
    const definition = {
      steps: [
        { event: 'pin_view' },
        {
          event: 'save',
          where: [
            { column: 'surface', values: ['Home', 'Search'] },
            { column: 'platform', values: ['iOS'] },
          ],
        },
        { event: 'click', orEvents: ['purchase'] },
      ],
      window: '7d',
      strictOrder: true,
      allowReentry: true,
      strictDeduplication: true,
    };
    const expected = await app.env.engine.dispatch('funnels:compute', { datasetId, definition });
    const plain = await app.env.engine.dispatch('funnels:compute', {
      datasetId,
      definition: { ...definition, strictOrder: undefined, allowReentry: undefined, strictDeduplication: undefined },
    });
    const cells = await page.getByTestId('funnel-table').locator('tbody tr td:nth-child(2)').allTextContents();
    expect(cells).toEqual(expected.stages.map((s) => s.users.toLocaleString('en-US')));
    // The modes changed the counts, so the table shows them and not the default mode's.
    expect(expected.stages[2].users).toBeLessThan(plain.stages[2].users);
    await page.getByTestId('funnel-chart').scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot('2-result'), fullPage: true });
    expect(app.consoleErrors).toEqual([]);
  });
});
