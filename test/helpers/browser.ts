import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.IAFA_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(__dirname, '../../test-results');

/** Debian's chromium, headless, with every background network feature off (this machine has no network). */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium package (see .ci/run) or set IAFA_CHROMIUM.`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export function artifactPath(...parts: string[]): string {
  const p = path.join(ARTIFACTS, ...parts);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  return p;
}

export const RENDERER_DIR = path.resolve(__dirname, '../../out/renderer');
export function assertBuilt(): void {
  if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) throw new Error('The renderer is not built: run `npm run build` (npm test does it).');
}
