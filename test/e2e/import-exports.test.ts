import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chooseFile, importThroughUi, openApp, type App } from '../helpers/app';
import { artifactPath } from '../helpers/browser';
import { tempDir } from '../helpers/engine';
import { amplitudeLines, canonEvents, ga4Rows, mixpanelLines, ndjson } from '../helpers/export-fixtures';

const shot = (name: string) => artifactPath('e2e', `import-exports-${name}.png`);

let app: App;
let page: Page;
const dir = tempDir();
const ev = canonEvents(120);

beforeAll(async () => {
  app = await openApp();
  ({ page } = app);
});

afterAll(async () => {
  await app?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('Data workspace: an analytics export as it comes (browser mode)', () => {
  it('a Mixpanel .json.gz: the tool, the user field and why, the time unit and the flattened properties', async () => {
    const file = path.join(dir, 'mixpanel-export.json.gz');
    fs.writeFileSync(file, zlib.gzipSync(ndjson(mixpanelLines(ev).lines)));
    await chooseFile(page, file);
    await page.getByTestId('shape-summary').waitFor();
    await expect(page.getByTestId('shape-tool').textContent()).resolves.toBe('Mixpanel export');
    await expect(page.getByTestId('shape-user').inputValue()).resolves.toBe('properties.distinct_id');
    await expect(page.getByTestId('shape-user-reason').textContent()).resolves.toMatch(/distinct_id/);
    await expect(page.getByTestId('shape-time').inputValue()).resolves.toBe('properties.time');
    await expect(page.getByTestId('shape-time-unit').inputValue()).resolves.toBe('unix_s');
    const props = page.getByTestId('shape-properties');
    await expect(props.textContent()).resolves.toMatch(/user_intent.*properties\.user_intent/);
    // The id-like $insert_id comes after the properties worth breaking down by.
    const rows = await props.locator('tbody tr td:first-child').allTextContents();
    expect(rows.findIndex((r) => r.includes('$insert_id'))).toBe(rows.length - 1);
    await page.screenshot({ path: shot('1-mixpanel-preview'), fullPage: true });
    await importThroughUi(page, null, { name: 'Mixpanel export' });
    await expect(page.getByTestId('import-result').textContent()).resolves.toMatch(/duplicate/);
    await page.screenshot({ path: shot('2-mixpanel-imported'), fullPage: true });
  });

  it("a GA4 export of long records, past the preview's first megabyte: previewed and imported whole", async () => {
    // Each record carries a long page_location (as GA4's do, with their query strings): about
    // 1.3 KB a record, so the preview's first megabyte ends inside one of them.
    const rows = ga4Rows(canonEvents(900)).map((r, i) => {
      const row = r as { event_params: object[] };
      row.event_params.push({ key: 'page_location', value: { string_value: `https://shop.example.com/p/${i}?${'utm_x=y&'.repeat(130)}` } });
      return row;
    });
    const text = ndjson(rows);
    expect(text.length).toBeGreaterThan(1.5 * (1 << 20));
    const file = path.join(dir, 'ga4-long.json');
    fs.writeFileSync(file, text);
    await chooseFile(page, file);
    await page.getByTestId('shape-summary').waitFor();
    await expect(page.getByTestId('shape-tool').textContent()).resolves.toBe('GA4 BigQuery export');
    await expect(page.getByTestId('shape-time-unit').inputValue()).resolves.toBe('unix_us');
    await page.screenshot({ path: shot('4-ga4-long-preview'), fullPage: true });
    await importThroughUi(page, null, { name: 'GA4 long records' });
    await expect(page.getByTestId('import-result').textContent()).resolves.toMatch(new RegExp(`${rows.length.toLocaleString('en-US')} rows`));
    await page.screenshot({ path: shot('5-ga4-long-imported'), fullPage: true });
    expect(app.pageErrors).toEqual([]);
  });

  it('an Amplitude zip: the device_id fallback is said, and the user field can be changed', async () => {
    const { zipOf } = await import('../helpers/export-fixtures');
    const file = path.join(dir, 'amplitude.zip');
    fs.writeFileSync(file, zipOf([{ name: '100/100_2026-01-01_0#0.json.gz', data: zlib.gzipSync(ndjson(amplitudeLines(ev))) }]));
    await chooseFile(page, file);
    await page.getByTestId('shape-summary').waitFor();
    await expect(page.getByTestId('shape-tool').textContent()).resolves.toBe('Amplitude export');
    await expect(page.getByTestId('shape-user-fallback').inputValue()).resolves.toBe('device_id');
    await expect(page.getByTestId('shape-user-reason').textContent()).resolves.toMatch(/device_id/);
    await page.getByTestId('shape-user').selectOption('amplitude_id');
    await page.waitForFunction("document.querySelector('[data-testid=shape-user-reason]')?.textContent?.includes('amplitude_id')");
    await page.screenshot({ path: shot('3-amplitude-override'), fullPage: true });
    expect(app.pageErrors).toEqual([]);
    expect(app.consoleErrors).toEqual([]);
  });
});
