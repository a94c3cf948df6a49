import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openApp, type App } from '../helpers/app';
import { artifactPath } from '../helpers/browser';
import { CLIPPED_SELECTS, OVERFLOW_PROBE } from '../helpers/overflow';

/**
 * The whole first-run path of a new user, with no model and no data of their own: Try with sample
 * data → Dashboard → Insights → Ask → Hypotheses → Design → Experiments → Reports, at a laptop and
 * a small window size. Nothing may log a console error or overflow horizontally (issue 15).
 */

for (const viewport of [
  { width: 1440, height: 900 },
  { width: 800, height: 600 },
]) {
  describe(`first run on the sample, ${viewport.width}×${viewport.height}`, () => {
    let app: App;
    let page: Page;
    const shot = (name: string) => artifactPath('e2e', `first-run-${viewport.width}-${name}.png`);
    const overflow: string[] = [];
    async function check(step: string): Promise<void> {
      await page.waitForTimeout(300);
      const found = (await page.evaluate(OVERFLOW_PROBE)) as string[];
      overflow.push(...found.map((f) => `${step}: ${f}`));
      await page.screenshot({ path: shot(step), fullPage: true });
    }

    beforeAll(async () => {
      app = await openApp({ viewport });
      page = app.page;
    }, 120_000);
    afterAll(async () => {
      await app?.close();
    });

    it('walks sample → Dashboard → Insights → Ask → Hypotheses → Design → Experiments → Reports', async () => {
      await check('0-data');
      await page.getByTestId('sample-button').click();
      // The sample ends on its analysis: the Dashboard with the funnel computed and the insights below.
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor({ timeout: 60_000 });
      await page.getByTestId('funnel-table').waitFor({ timeout: 60_000 });
      const stages = await page.getByTestId('funnel-table').locator('tbody tr td:first-child').allTextContents();
      expect(stages).toEqual(['pin_view', 'save', 'click', 'purchase']);
      await page.getByTestId('segment-table').waitFor();
      await page.getByTestId('insights-panel').getByTestId('recommendation').first().waitFor({ timeout: 60_000 });
      // No model is active here: nothing is labelled AI.
      await expect(page.getByTestId('ai-report-link').textContent()).resolves.toBe('Generate report');
      await expect(page.locator('#insights-title').textContent()).resolves.not.toMatch(/\bAI\b/);
      await check('1-dashboard');
      // The builder's dropdowns show their whole choice (the Mode dropdown was cut).
      await expect(page.evaluate(CLIPPED_SELECTS)).resolves.toEqual([]);

      await page.getByRole('link', { name: 'Insights', exact: true }).click();
      await page.getByTestId('recommendation').first().waitFor({ timeout: 60_000 });
      await check('2-insights');

      await page.getByRole('link', { name: 'Ask', exact: true }).click();
      await page.getByTestId('ask-input').waitFor();
      await page.getByTestId('ask-input').fill('What is the overall conversion?');
      await page.getByTestId('ask-input').press('Enter');
      await page.getByTestId('ask-answer').first().waitFor({ timeout: 60_000 });
      await check('3-ask');

      await page.getByRole('link', { name: 'Hypotheses', exact: true }).click();
      await page.getByTestId('hypothesis').first().waitFor({ timeout: 60_000 });
      await check('4-hypotheses');
      await page.getByTestId('design-experiment').first().click();

      await page.getByRole('heading', { level: 1, name: 'Experiments' }).waitFor();
      await page.getByTestId('xp-duration').waitFor();
      await check('5-design');
      await page.getByTestId('xp-tab-analyze').click();
      await page.locator('#xp-panel-analyze').getByTestId('xp-dataset').waitFor();
      await check('6-experiments');

      await page.getByRole('link', { name: 'Reports', exact: true }).click();
      await page.getByTestId('report-preview').click();
      await page.getByTestId('report-frame').waitFor({ timeout: 60_000 });
      await check('7-reports');

      await page.getByRole('link', { name: 'Settings', exact: true }).click();
      await page.getByTestId('theme-select').selectOption('dark');
      await check('8-settings-dark');
      await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
      await page.getByTestId('funnel-table').waitFor({ timeout: 60_000 });
      await check('9-dashboard-dark');
      await expect(page.evaluate('document.documentElement.dataset.theme')).resolves.toBe('dark');
      await page.reload();
      await expect(page.evaluate('document.documentElement.dataset.theme')).resolves.toBe('dark');
      // "Same as the system" follows prefers-color-scheme, live.
      await page.getByRole('link', { name: 'Settings', exact: true }).click();
      await page.getByTestId('theme-select').selectOption('system');
      await page.emulateMedia({ colorScheme: 'dark' });
      await expect.poll(() => page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
      await page.emulateMedia({ colorScheme: 'light' });
      await expect.poll(() => page.evaluate('document.documentElement.dataset.theme')).toBe('light');

      expect(overflow).toEqual([]);
      expect(app.consoleErrors).toEqual([]);
    }, 300_000);
  });
}
