import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../src/server';
import { tempEngine } from '../helpers/engine';
import { serverFor } from '../helpers/http';
import { artifactPath, assertBuilt, launchBrowser, RENDERER_DIR } from '../helpers/browser';

const WORKSPACES = ['Data', 'Dashboard', 'Insights', 'Ask', 'Hypotheses', 'Experiments', 'Reports', 'Settings'];

let env: ReturnType<typeof tempEngine>;
let server: RunningServer;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  assertBuilt();
  env = tempEngine();
  server = await serverFor(env.engine, RENDERER_DIR);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  env?.cleanup();
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
    const other = await browser.newPage();
    await other.goto(server.url + '/#/settings');
    await other.getByRole('alert').first().waitFor();
    await expect(other.getByRole('alert').first().textContent()).resolves.toMatch(/token/i);
    await other.close();
  });

  it('logged no errors in the console', () => {
    // 401s from the token-less page above are expected network errors; nothing else is.
    expect(consoleErrors.filter((e) => !/401/.test(e))).toEqual([]);
  });
});
