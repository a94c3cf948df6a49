import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';
import { IafaError } from '../../shared/contract';

// playwright-core is loaded when a PDF is made, not with the engine: loading it took a quarter
// of a second of every CLI command's start.
type Chromium = typeof import('playwright-core').chromium;
let chromiumType: Chromium | null = null;
function chromium(): Chromium {
  return (chromiumType ??= (createRequire(import.meta.url)('playwright-core') as typeof import('playwright-core')).chromium);
}

/**
 * HTML → PDF through headless Chromium (playwright-core drives a Chromium that is already on the
 * machine; it downloads nothing). Used by the server (browser mode) and the CLI; the Electron
 * shell prints the same HTML with webContents.printToPDF and the same footer template.
 */

export type Paper = 'A4' | 'Letter';

/** Page numbers in the footer; Chromium fills the pageNumber/totalPages spans. */
export const PDF_FOOTER =
  '<div style="font-size:8px;width:100%;padding:0 14mm;color:#6b7280;font-family:system-ui,sans-serif;display:flex;justify-content:space-between">' +
  '<span class="title"></span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>';
export const PDF_MARGIN = { top: '16mm', bottom: '18mm', left: '14mm', right: '14mm' };

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
];

export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.IAFA_CHROMIUM;
  if (explicit) {
    if (!fs.existsSync(explicit)) throw new IafaError('validation', `IAFA_CHROMIUM points to ${explicit}, which does not exist.`);
    return explicit;
  }
  for (const c of CANDIDATES) if (fs.existsSync(c)) return c;
  try {
    const bundled = chromium().executablePath();
    if (bundled && fs.existsSync(bundled)) return bundled;
  } catch {
    // playwright-core has no browser of its own unless one was installed: fall through to the message.
  }
  throw new IafaError(
    'validation',
    'PDF needs Chromium or Chrome: install it (e.g. `apt install chromium`) or set IAFA_CHROMIUM to its path. HTML and Markdown work without it.',
  );
}

export async function launchHeadless(env: NodeJS.ProcessEnv = process.env): Promise<Browser> {
  return chromium().launch({
    executablePath: findChromium(env),
    // Reports are rendered offline: every background network feature is off.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--disable-dev-shm-usage',
    ],
  });
}

export async function htmlToPdf(html: string, opts: { paper: Paper; signal?: AbortSignal; env?: NodeJS.ProcessEnv; browser?: Browser }): Promise<Buffer> {
  if (opts.signal?.aborted) throw new IafaError('cancelled', 'The operation was cancelled.');
  const browser = opts.browser ?? (await launchHeadless(opts.env));
  const onAbort = () => void browser.close();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    const page = await context.newPage();
    // Belt and braces with the report's CSP: nothing may be fetched while printing.
    await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    await page.setContent(html, { waitUntil: 'load' });
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({
      format: opts.paper,
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: PDF_FOOTER,
      margin: PDF_MARGIN,
    });
    await context.close();
    return pdf;
  } catch (err) {
    if (opts.signal?.aborted) throw new IafaError('cancelled', 'The operation was cancelled.');
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (!opts.browser) await browser.close().catch(() => {});
  }
}
