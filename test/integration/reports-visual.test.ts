import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { htmlToPdf, renderHtml, type ReportModel } from '../../src/core/reports';
import { artifactPath, launchBrowser } from '../helpers/browser';
import { tempEngine } from '../helpers/engine';
import { cookieCatsAnalysis, cookieModel, taobaoInputs, taobaoModel } from '../unit/reports/fixtures';

/**
 * Page-by-page visual check: screenshots of the HTML (wide and narrow) and PNGs of every PDF page
 * under test-results/reports/visual/, plus the checks a reviewer would do by eye: nothing wider
 * than the page, and every chart on one page (its first label and its caption on the same page).
 * UPDATE_EXAMPLES=1 also refreshes docs/examples/ from the same real-data renders.
 */

let browser: Browser;
let cleanup: () => void;
const models: Record<string, ReportModel> = {};

beforeAll(async () => {
  const t = tempEngine();
  cleanup = t.cleanup;
  const taobao = await taobaoInputs(t.engine);
  models['taobao-executive'] = taobaoModel('executive', taobao);
  models['taobao-data-scientist'] = taobaoModel('data_scientist', taobao);
  models['taobao-product-manager'] = taobaoModel('product_manager', taobao);
  models['cookie-cats-data-scientist'] = cookieModel('data_scientist', cookieCatsAnalysis());
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  cleanup?.();
});

function pdfPages(file: string): string[] {
  const info = execFileSync('pdfinfo', [file]).toString();
  const n = Number(/Pages:\s+(\d+)/.exec(info)?.[1] ?? 0);
  return Array.from({ length: n }, (_, i) =>
    execFileSync('pdftotext', ['-f', String(i + 1), '-l', String(i + 1), '-layout', file, '-'])
      .toString('utf8')
      .replace(/\s+/g, ' '),
  );
}

describe.each(['taobao-executive', 'taobao-data-scientist', 'taobao-product-manager', 'cookie-cats-data-scientist'])('visual check: %s', (name) => {
  it('HTML fits wide and narrow windows; screenshots saved', async () => {
    const html = renderHtml(models[name]);
    for (const width of [1280, 720]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.setContent(html);
      // Page code as a string: this file is type-checked without the DOM library.
      const overflow = (await page.evaluate(`(() => {
        const main = document.querySelector('main').getBoundingClientRect();
        const wide = [...document.querySelectorAll('svg, table, .metric, .card')].filter((el) => el.getBoundingClientRect().right > main.right + 1).length;
        return { scroll: document.documentElement.scrollWidth, inner: window.innerWidth, wide };
      })()`)) as { scroll: number; inner: number; wide: number };
      expect(overflow.scroll).toBeLessThanOrEqual(overflow.inner);
      expect(overflow.wide).toBe(0);
      await page.screenshot({ path: artifactPath('reports', 'visual', `${name}-html-${width}.png`), fullPage: true });
      await page.close();
    }
  });

  it('PDF pages render to PNG and no chart is cut across pages', async () => {
    const m = models[name];
    const file = artifactPath('reports', 'visual', `${name}.pdf`);
    fs.writeFileSync(file, await htmlToPdf(renderHtml(m), { paper: 'A4', browser }));
    for (const old of fs.readdirSync(path.dirname(file)).filter((f) => f.startsWith(`${name}-page`))) fs.rmSync(path.join(path.dirname(file), old));
    execFileSync('pdftoppm', ['-png', '-r', '60', file, artifactPath('reports', 'visual', `${name}-page`)]);
    const pages = pdfPages(file);
    expect(pages.length).toBeGreaterThan(0);
    const pngs = fs.readdirSync(path.dirname(file)).filter((f) => f.startsWith(`${name}-page`) && f.endsWith('.png'));
    expect(pngs.length).toBe(pages.length);
    const together = (a: string, b: string) => pages.some((p) => p.includes(a) && p.includes(b));
    if (m.funnel.length) expect(together(m.funnel[0].name, 'Users reaching each stage')).toBe(true);
    if (m.trend) {
      expect(together(m.trend.axis_max.display, 'by day of first step')).toBe(true);
      expect(together(m.trend.points[0].date.display, 'observed')).toBe(true);
    }
    if (m.segments) expect(together(m.segments.rows[0].segment, `Overall conversion by ${m.segments.by}`)).toBe(true);
    pages.forEach((p, i) => expect(p, `page ${i + 1} footer`).toContain(`Page ${i + 1} of ${pages.length}`));
    if (process.env.UPDATE_EXAMPLES && name === 'taobao-executive') fs.copyFileSync(file, path.resolve(__dirname, '../../docs/examples/report-executive.pdf'));
    if (process.env.UPDATE_EXAMPLES && name === 'taobao-data-scientist')
      fs.writeFileSync(path.resolve(__dirname, '../../docs/examples/report-data-scientist.html'), renderHtml(m));
  });
});
