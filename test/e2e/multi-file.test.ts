import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openApp, type App } from '../helpers/app';
import { artifactPath } from '../helpers/browser';
import { OVERFLOW_PROBE } from '../helpers/overflow';
import { HAS_SHARED_DATA, NO_SHARED_DATA, sharedData } from '../helpers/shared';

const shot = (name: string) => artifactPath('e2e', `multi-file-${name}.png`);
const CONTROL = sharedData('udacity_control_data.csv');
const EXPERIMENT = sharedData('udacity_experiment_data.csv');
const LEADS = sharedData('olist_marketing_qualified_leads_dataset.csv');
const DEALS = sharedData('olist_closed_deals_dataset.csv');
const AB = sharedData('cookie_cats.csv');
const TAOBAO = sharedData('taobao_userbehavior_head.csv');

let app: App;
let page: Page;

describe.skipIf(!HAS_SHARED_DATA)(
  `Data: several files as one dataset, and where each import lands (issue 15, item 5) ${HAS_SHARED_DATA ? '' : NO_SHARED_DATA}`,
  () => {
    beforeAll(async () => {
      app = await openApp();
      page = app.page;
    });
    afterAll(async () => {
      await app?.close();
    });

    it('sets the year of a single file whose dates have none, in the preview', async () => {
      await page.getByTestId('file-input').setInputFiles(CONTROL);
      await page.getByTestId('import-preview').waitFor();
      await expect(page.getByTestId('year-input').inputValue()).resolves.toBe('2025');
      await expect(page.getByTestId('year-field').textContent()).resolves.toMatch(/2014/);
      await page.getByTestId('year-input').fill('2014');
      await page.getByTestId('year-input').press('Enter');
      await expect.poll(() => page.getByTestId('import-preview').locator('.notes').textContent()).not.toMatch(/2025 assumed/);
      await expect(page.getByTestId('year-input').inputValue()).resolves.toBe('2014');
      await page.getByRole('button', { name: 'Discard' }).click();
    });

    it('takes several files dropped together on the drop zone', async () => {
      const files = [CONTROL, EXPERIMENT].map((f) => ({ name: path.basename(f), text: fs.readFileSync(f, 'latin1') }));
      // (The test project has no DOM types: the page-side code is typed loosely.)
      const dt = await page.evaluateHandle((list) => {
        const w = globalThis as unknown as {
          DataTransfer: new () => { items: { add(f: unknown): void } };
          File: new (parts: string[], name: string, o: { type: string }) => unknown;
        };
        const t = new w.DataTransfer();
        for (const f of list) t.items.add(new w.File([f.text], f.name, { type: 'text/csv' }));
        return t;
      }, files);
      await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer: dt });
      await page.getByTestId('multi-preview').waitFor();
      await expect(page.getByTestId('multi-files').locator('tbody tr').count()).resolves.toBe(2);
      await page.getByRole('button', { name: 'Discard' }).click();
    });

    it('pairs the Udacity control and experiment files, with the year set, and analyses them in Experiments', async () => {
      await page.getByTestId('file-input').setInputFiles([CONTROL, EXPERIMENT]);
      await page.getByTestId('multi-preview').waitFor();
      await expect(page.getByTestId('mode-pair').isChecked()).resolves.toBe(true);
      await expect(page.getByTestId('variant-0').inputValue()).resolves.toBe('control');
      await expect(page.getByTestId('variant-1').inputValue()).resolves.toBe('experiment');
      // The dates have no year: the weekdays fit 2025 and 2014; the test was run in 2014.
      await expect(page.getByTestId('year-field').textContent()).resolves.toMatch(/2014/);
      await page.getByTestId('year-input').fill('2014');
      await page.getByTestId('year-input').press('Enter');
      await page.screenshot({ path: shot('1-pair'), fullPage: true });
      await page.getByTestId('import-button').click();
      await page.getByTestId('next-step').waitFor({ timeout: 30_000 });
      await expect(page.getByTestId('next-step').textContent()).resolves.toMatch(/Compare control and experiment in Experiments/);
      const ds = (await app.env.engine.dispatch('datasets:list', {})).datasets.find((d) => d.kind === 'aggregated')!;
      expect(ds.mapping.year).toBe(2014);
      // The same dataset on the Dashboard: its stages as the funnel, broken down by variant.
      await page.getByTestId('next-step-also').click();
      await page.getByTestId('segment-table').waitFor({ timeout: 30_000 });
      const byVariant = await app.env.engine.dispatch('funnels:compute', {
        datasetId: ds.id,
        definition: { steps: ['Pageviews', 'Clicks', 'Enrollments', 'Payments'].map((event) => ({ event })), breakdown: 'variant' },
      });
      await expect(page.getByTestId('funnel-table').locator('tbody tr td:nth-child(2)').allTextContents()).resolves.toEqual(
        byVariant.stages.map((s) => s.users.toLocaleString('en-US')),
      );
      await expect(page.getByTestId('segment-table').locator('tbody tr td:first-child').allTextContents()).resolves.toEqual(
        expect.arrayContaining(['control', 'experiment']),
      );
      // The import preset the analyzer: Experiments opens on this dataset and its two arms.
      await page.getByRole('link', { name: 'Experiments', exact: true }).click();
      await page.getByTestId('xp-tab-analyze').click();
      await page.getByTestId('xp-analyze-run').waitFor();
      await expect(page.getByTestId('xp-dataset').inputValue()).resolves.toBe(ds.id);
      await expect(page.getByTestId('xp-control').inputValue()).resolves.toBe('control');
      await expect(page.getByTestId('xp-treatment').inputValue()).resolves.toBe('experiment');
      await page.getByTestId('xp-primary').selectOption('Enrollments/Clicks');
      await page.getByTestId('xp-analyze-run').click();
      await page.getByTestId('xp-significance').waitFor({ timeout: 30_000 });
      const expected = await app.env.engine.dispatch('experiment:analyze', {
        control_file: CONTROL,
        treatment_file: EXPERIMENT,
        metrics: ['Enrollments/Clicks'],
        date_column: 'Date',
        save: false,
      });
      const text = await page.getByTestId('xp-significance').textContent();
      expect(text).toContain(expected.statistical_analysis.primary_metric.control_value!.toFixed(2));
      await page.screenshot({ path: shot('2-experiments'), fullPage: true });
      // The result tables stay inside their cards (issue 15: they overflowed at 1440 and 800 px).
      for (const width of [1440, 800]) {
        await page.setViewportSize({ width, height: 900 });
        await page.waitForTimeout(300);
        await expect(page.evaluate(OVERFLOW_PROBE), `at ${width} px`).resolves.toEqual([]);
      }
      await page.screenshot({ path: shot('2-experiments-800'), fullPage: true });
      await page.setViewportSize({ width: 1360, height: 900 });
      // Reloading keeps the analyzer's settings.
      await page.reload();
      await page.getByTestId('xp-tab-analyze').click();
      await expect(page.getByTestId('xp-primary').inputValue()).resolves.toBe('Enrollments/Clicks');
    });

    it('joins Olist leads and closed deals on mql_id, previews the join, and opens the funnel', async () => {
      await page.getByRole('link', { name: 'Data', exact: true }).click();
      await page.getByTestId('file-input').setInputFiles([LEADS, DEALS]);
      await page.getByTestId('multi-preview').waitFor();
      await expect(page.getByTestId('mode-join').isChecked()).resolves.toBe(true);
      await expect(page.getByTestId('join-key').inputValue()).resolves.toBe('mql_id');
      await expect(page.getByTestId('time-0').inputValue()).resolves.toBe('first_contact_date');
      await expect(page.getByTestId('time-1').inputValue()).resolves.toBe('won_date');
      await page.getByTestId('join-summary').waitFor();
      const join = await app.env.engine.dispatch('datasets:join-preview', { paths: [LEADS, DEALS], key: 'mql_id' });
      await expect(page.getByTestId('join-summary').textContent()).resolves.toContain(
        `${join.inAll.toLocaleString('en-US')} of ${join.files[0].ids.toLocaleString('en-US')}`,
      );
      await page.getByTestId('event-0').fill('lead');
      await page.getByTestId('event-1').fill('closed_deal');
      await page.screenshot({ path: shot('3-join'), fullPage: true });
      await page.getByTestId('import-button').click();
      await page.getByTestId('next-step').waitFor({ timeout: 30_000 });
      await expect(page.getByTestId('next-step').textContent()).resolves.toMatch(/lead → closed_deal/);
      await page.getByTestId('next-step').click();
      await page.getByTestId('funnel-table').waitFor({ timeout: 30_000 });
      const ds = (await app.env.engine.dispatch('datasets:list', {})).datasets.find((d) => d.kind === 'event_log')!;
      const r = await app.env.engine.dispatch('funnels:compute', {
        datasetId: ds.id,
        definition: { steps: [{ event: 'lead' }, { event: 'closed_deal' }], window: '7d' },
      });
      const cells = await page.getByTestId('funnel-table').locator('tbody tr td:nth-child(2)').allTextContents();
      expect(cells).toEqual(r.stages.map((s) => s.users.toLocaleString('en-US')));
      await page.screenshot({ path: shot('4-olist-dashboard'), fullPage: true });
    });

    it('sends a user-level A/B table to Experiments and an event log to its most common path', async () => {
      await page.getByRole('link', { name: 'Data', exact: true }).click();
      await page.getByTestId('file-input').setInputFiles(AB);
      await page.getByTestId('import-preview').waitFor();
      await page.getByTestId('import-button').click();
      await page.getByTestId('next-step').waitFor({ timeout: 30_000 });
      await expect(page.getByTestId('next-step').textContent()).resolves.toMatch(/Experiments/);
      await expect(page.getByTestId('next-step').getAttribute('href')).resolves.toBe('#/experiments/analyze');
      // The A/B table opens in the analyzer with its variant column and arms chosen; results and the
      // causal panel fit their cards at both widths.
      await page.getByTestId('next-step').click();
      const analyze = page.locator('#xp-panel-analyze');
      await expect(analyze.getByTestId('xp-variant-col').inputValue()).resolves.toBe('version');
      await analyze.getByTestId('xp-analyze-run').click();
      await page.getByTestId('xp-significance').waitFor({ timeout: 30_000 });
      await page.getByTestId('xp-open-causal').click();
      await page.getByTestId('xp-causal-run').click();
      await page.waitForTimeout(1500);
      for (const width of [1440, 800]) {
        await page.setViewportSize({ width, height: 900 });
        await page.getByTestId('xp-tab-analyze').click();
        await page.waitForTimeout(300);
        await expect(page.evaluate(OVERFLOW_PROBE), `analysis at ${width} px`).resolves.toEqual([]);
        await page.getByTestId('xp-tab-causal').click();
        await page.waitForTimeout(300);
        await expect(page.evaluate(OVERFLOW_PROBE), `causal at ${width} px`).resolves.toEqual([]);
        await page.screenshot({ path: shot(`6-causal-${width}`), fullPage: true });
      }
      await page.setViewportSize({ width: 1360, height: 900 });
      await page.getByRole('link', { name: 'Data', exact: true }).click();
      await page.getByTestId('file-input').setInputFiles(TAOBAO);
      await page.getByTestId('import-preview').waitFor();
      await page.getByTestId('import-button').click();
      await page.getByTestId('next-step').waitFor({ timeout: 30_000 });
      await expect(page.getByTestId('next-step').textContent()).resolves.toMatch(/pv → cart/);
      await page.screenshot({ path: shot('5-eventlog'), fullPage: true });
      // Four datasets with long file names: the list still fits its card (it scrolls at 800 px).
      for (const width of [1440, 1360, 800]) {
        await page.setViewportSize({ width, height: 900 });
        await page.waitForTimeout(300);
        await expect(page.evaluate(OVERFLOW_PROBE), `at ${width} px`).resolves.toEqual([]);
      }
      await page.setViewportSize({ width: 1360, height: 900 });
      expect(app.pageErrors).toEqual([]);
    });
  },
);
