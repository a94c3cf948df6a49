import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openApp, type App } from '../helpers/app';
import { artifactPath } from '../helpers/browser';

const WORKSPACES = ['Data', 'Dashboard', 'Insights', 'Ask', 'Hypotheses', 'Experiments', 'Reports', 'Settings'];

let app: App;
let env: App['env'];
let server: App['server'];
let page: Page;

beforeAll(async () => {
  // Not opened here: the first test checks what opening the printed URL does.
  app = await openApp({ viewport: { width: 1360, height: 860 }, open: false });
  ({ env, server, page } = app);
});

afterAll(async () => {
  await app?.close();
});

describe('browser mode', () => {
  it('opens with the printed URL, drops the token from the address bar and shows where data goes', async () => {
    await page.goto(server.openUrl);
    await page.getByRole('heading', { level: 1, name: 'Data' }).waitFor();
    expect(page.url()).not.toContain(server.token);
    await expect(page.getByTestId('privacy-indicator').textContent()).resolves.toMatch(/Data stays on this device/);
  });

  it('navigates every workspace by mouse and saves a screenshot of each', async () => {
    for (const name of WORKSPACES) {
      await page.getByRole('link', { name, exact: true }).click();
      await page.getByRole('heading', { level: 1, name }).waitFor();
      await page.locator('main .panel').first().waitFor();
      await page.screenshot({ path: artifactPath('e2e', `workspace-${name.toLowerCase()}.png`), fullPage: true });
    }
  });

  it('navigates by keyboard (Ctrl+1..8)', async () => {
    await page.keyboard.press('Control+8');
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await page.keyboard.press('Control+1');
    await page.getByRole('heading', { level: 1, name: 'Data' }).waitFor();
  });

  it('Settings shows the data folder and changes the provider through the API', async () => {
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    // The folder appears once settings:get answers; poll rather than read the first render.
    await expect.poll(() => page.getByTestId('data-dir').textContent()).toBe(env.dataDir);
    await page.getByTestId('llm-banner').waitFor();
    await page.getByTestId('provider-select').selectOption('none');
    await page.waitForFunction(() => (document.querySelector('[data-testid=provider-select]') as HTMLSelectElement | null)?.value === 'none');
    const view = await env.engine.dispatch('settings:get', {});
    expect(view.llm.provider).toBe('none');
  });

  it('without the token the page cannot read the API', async () => {
    const other = await app.browser.newPage();
    await other.goto(server.url + '/#/settings');
    await other.getByRole('alert').first().waitFor();
    await expect(other.getByRole('alert').first().textContent()).resolves.toMatch(/token/i);
    await other.close();
  });

  it('logged no errors in the console', () => {
    // 401s from the token-less page above are expected network errors; nothing else is.
    expect(app.consoleErrors.filter((e) => !/401/.test(e))).toEqual([]);
  });
});
