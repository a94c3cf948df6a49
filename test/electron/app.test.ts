import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { _electron as electron } from 'playwright-core';
import { artifactPath, RENDERER_DIR } from '../helpers/browser';
import { tempDir } from '../helpers/engine';

const require = createRequire(import.meta.url);

/** The Electron binary is downloaded by electron's postinstall on a user's machine; CI here skips it. */
function electronBinary(): { path: string | null; reason: string } {
  try {
    const p = require('electron') as unknown as string;
    if (typeof p === 'string' && fs.existsSync(p)) return { path: p, reason: '' };
    return { path: null, reason: 'the Electron binary is not installed (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1)' };
  } catch (e) {
    return { path: null, reason: `the Electron binary is not installed: ${(e as Error).message.split('\n')[0]}` };
  }
}

const bin = electronBinary();

describe('desktop app (Electron)', () => {
  it('opens the window, walks every workspace and keeps Node out of the page', async (ctx) => {
    if (!bin.path) {
      console.warn(`[skipped] Electron e2e: ${bin.reason}. The browser-mode suite (test/e2e) covers the same flows.`);
      ctx.skip(`Electron e2e skipped: ${bin.reason}`);
      return;
    }
    expect(fs.existsSync(path.join(RENDERER_DIR, 'index.html'))).toBe(true);
    const app = await electron.launch({
      executablePath: bin.path,
      args: [path.resolve(__dirname, '../..')],
      env: { ...process.env, IAFA_DATA_DIR: tempDir() },
    });
    const page = await app.firstWindow();
    await page.getByRole('heading', { level: 1, name: 'Data' }).waitFor();
    for (const name of ['Data', 'Dashboard', 'Insights', 'Ask', 'Hypotheses', 'Experiments', 'Reports', 'Settings']) {
      await page.getByRole('link', { name, exact: true }).click();
      await page.getByRole('heading', { level: 1, name }).waitFor();
    }
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof window.api?.call)).toBe('function');
    await page.screenshot({ path: artifactPath('electron', 'settings.png') });
    await app.close();
  });
});
