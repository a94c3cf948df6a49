import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type App } from '../helpers/app';
import { artifactPath } from '../helpers/browser';
import { apiFetch } from '../helpers/http';

let app: App;

beforeAll(async () => {
  app = await openApp({ viewport: { width: 1360, height: 1400 } });
});
afterAll(async () => {
  await app?.close();
});

describe('Settings: limits and where the key is kept', () => {
  it('shows the queues and their sizes, and a size typed there becomes the limit', async () => {
    const { page, server } = app;
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const table = page.getByTestId('limits-table');
    await table.waitFor();
    await expect(page.getByTestId('limit-ask').textContent()).resolves.toMatch(/0 running · 0 waiting/);
    await expect(page.getByTestId('limits-env').textContent()).resolves.toMatch(/4,096 MB \(IAFA_MAX_UPLOAD_MB\)/);
    const atOnce = page.getByLabel('ask: at once');
    await atOnce.fill('3');
    await atOnce.press('Enter');
    for (let i = 0; i < 50; i++) {
      if ((await apiFetch(server, 'GET', '/api/v1/settings')).json.limits.ask.concurrent === 3) break;
      await page.waitForTimeout(100);
    }
    expect((await apiFetch(server, 'GET', '/api/v1/limits')).json.groups[0]).toMatchObject({ name: 'ask', concurrent: 3 });
    await table.scrollIntoViewIfNeeded();
    await page.screenshot({ path: artifactPath('e2e', 'settings-limits.png'), fullPage: true });
    expect(app.consoleErrors).toEqual([]);
  });

  it('says where a saved key goes and warns when that is only a 0600 file', async () => {
    const { page } = app;
    await page.getByTestId('provider-select').selectOption('openai');
    const where = page.getByTestId('secret-store');
    await where.waitFor();
    await expect(where.textContent()).resolves.toMatch(/[Nn]ever (kept )?in the database/);
    await expect(page.getByTestId('secret-warning').textContent()).resolves.toMatch(/0600/);
    await page.getByTestId('secret-warning').scrollIntoViewIfNeeded();
    await page.screenshot({ path: artifactPath('e2e', 'settings-secret-warning.png') });
    expect(app.consoleErrors).toEqual([]);
  });
});
