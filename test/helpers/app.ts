import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RunningServer } from '../../src/server';
import { assertBuilt, launchBrowser, RENDERER_DIR } from './browser';
import { tempEngine } from './engine';
import { serverFor } from './http';

/**
 * The browser-mode app for an end-to-end file: a real engine on a temp folder, the HTTP server
 * with the built renderer, Debian's chromium and one page whose console errors are collected.
 */
export interface App {
  env: ReturnType<typeof tempEngine>;
  server: RunningServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** console.error messages and uncaught page errors, in order. */
  consoleErrors: string[];
  /** Uncaught page errors only. */
  pageErrors: string[];
  /** Opens the printed URL (token included) and waits for the first workspace. */
  open(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenAppOptions {
  /** Engine environment, e.g. OLLAMA_HOST of a fake server. */
  env?: NodeJS.ProcessEnv;
  viewport?: { width: number; height: number };
  acceptDownloads?: boolean;
  /** Grant clipboard read/write to the app's origin. */
  clipboard?: boolean;
  /** Open the app before returning (default); false leaves the page blank, e.g. to seed data or add init scripts first. */
  open?: boolean;
}

export async function openApp(opts: OpenAppOptions = {}): Promise<App> {
  assertBuilt();
  const env = tempEngine(opts.env);
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await server?.close();
    env.cleanup();
  };
  try {
    server = await serverFor(env.engine, RENDERER_DIR);
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1360, height: 900 }, acceptDownloads: opts.acceptDownloads ?? false });
    if (opts.clipboard) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const page = await context.newPage();
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => {
      consoleErrors.push(e.message);
      pageErrors.push(e.message);
    });
    const url = server.openUrl;
    const open = async () => {
      await page.goto(url);
      await page.getByRole('heading', { level: 1, name: 'Data' }).waitFor();
    };
    if (opts.open ?? true) await open();
    return { env, server, browser, context, page, consoleErrors, pageErrors, open, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Picks a file in the Data workspace and waits for the import preview (detected kind and mapping). */
export async function chooseFile(page: Page, file: string | { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  await page.getByTestId('file-input').setInputFiles(file);
  await page.getByTestId('import-preview').waitFor();
}

/**
 * Imports through the UI like a user: pick the file (unless `file` is null: already previewed),
 * optionally name the dataset, press Import and wait for the result.
 */
export async function importThroughUi(
  page: Page,
  file: Parameters<typeof chooseFile>[1] | null,
  opts: { name?: string; timeout?: number } = {},
): Promise<void> {
  if (file !== null) await chooseFile(page, file);
  if (opts.name !== undefined) await page.getByTestId('dataset-name').fill(opts.name);
  await page.getByTestId('import-button').click();
  await page.getByTestId('import-result').waitFor({ timeout: opts.timeout ?? 30_000 });
}
