import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marked, type Token, type Tokens } from 'marked';
import type { Browser } from 'playwright-core';
import type { ExperimentAnalysis, Fact } from '../../../src/shared/contract';
import {
  groundReport,
  groundText,
  htmlToPdf,
  renderHtml,
  renderMarkdown,
  reportHtmlText,
  reportMarkdownText,
  type ReportModel,
} from '../../../src/core/reports';
import { artifactPath, launchBrowser } from '../../helpers/browser';
import { HAS_SHARED_DATA } from '../../helpers/shared';
import { tempEngine } from '../../helpers/engine';
import { AUDIENCES, cookieCatsAnalysis, cookieModel, taobaoInputs, taobaoModel } from './fixtures';

/**
 * Every audience × format for the real Taobao funnel and the real Cookie Cats test: the HTML is
 * self-contained, the Markdown parses, the PDF carries the summary and key metrics, and every
 * number in the text is a fact.
 */

const EXTERNAL = [
  /\b(?:src|href|xlink:href|action|poster|srcset)\s*=\s*["']?\s*(?:https?:)?\/\//i,
  /url\(\s*["']?\s*(?:https?:)?\/\//i,
  /@import/i,
  /<script/i,
  /<link\b/i,
  /<iframe/i,
];

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

function headings(tokens: Token[]): string[] {
  return tokens.filter((t): t is Tokens.Heading => t.type === 'heading').map((t) => t.text);
}

function expectSelfContained(html: string): void {
  for (const rx of EXTERNAL) expect(html, `matches ${rx}`).not.toMatch(rx);
  expect(html).toContain('Content-Security-Policy');
}

function expectMarkdownOk(md: string, m: ReportModel, allFacts: Fact[]): void {
  const tokens = marked.lexer(md);
  const hs = headings(tokens);
  expect(hs).toContain('Executive summary');
  expect(hs).toContain('Key metrics');
  expect(hs).toContain('Appendix: facts used and provenance');
  if (m.funnel.length) expect(hs).toContain('Funnel');
  if (m.experiment) expect(hs).toContain('Experiment read-out');
  const tables = tokens.filter((t): t is Tokens.Table => t.type === 'table');
  expect(tables.length).toBeGreaterThanOrEqual(2);
  // Key metrics table has one row per metric, each showing the fact display exactly.
  const km = tables[0];
  expect(km.rows.length).toBe(m.key_metrics.length);
  m.key_metrics.forEach((k, i) => expect(km.rows[i][1].text.replace(/\\/g, '')).toBe(k.current.display));
  // The text a reader sees (Markdown rendered by a real parser) passes the number check.
  const rendered = reportHtmlText(marked.parse(reportMarkdownText(md), { async: false }));
  const g = groundText(m, rendered, allFacts);
  expect(g.ungrounded).toEqual([]);
}

function expectPdfOk(pdf: Buffer, m: ReportModel, name: string): string {
  const file = artifactPath('reports', `${name}.pdf`);
  fs.writeFileSync(file, pdf);
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  const text = squash(execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-']).toString('utf8'));
  expect(text).toContain('Executive summary');
  for (const p of m.summary) expect(text).toContain(squash(p.text).slice(0, 70));
  for (const k of m.key_metrics) expect(text).toContain(k.current.display);
  expect(text).toMatch(/Page 1 of \d+/);
  return file;
}

let browser: Browser;
let cleanup: () => void;
let taobao: Awaited<ReturnType<typeof taobaoInputs>>;
let cookie: ExperimentAnalysis;

// Every report here is made from Taobao and Cookie Cats in ../shared/data: skipped without it.
const withData = HAS_SHARED_DATA ? describe : describe.skip;

beforeAll(async () => {
  if (!HAS_SHARED_DATA) return;
  const t = tempEngine();
  cleanup = t.cleanup;
  taobao = await taobaoInputs(t.engine);
  cookie = cookieCatsAnalysis();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  cleanup?.();
});

withData.each(AUDIENCES)('Taobao funnel report for %s', (audience) => {
  const model = () => taobaoModel(audience, taobao);
  const facts = () => [...taobao.insights.facts, ...model().facts];

  it('html: self-contained and every number is a fact', () => {
    const m = model();
    const html = renderHtml(m);
    expectSelfContained(html);
    fs.writeFileSync(artifactPath('reports', `taobao-${audience}.html`), html);
    expect(groundReport(m, html, facts()).ungrounded).toEqual([]);
    expect(m.summary.length).toBeGreaterThanOrEqual(2);
    expect(m.summary.length).toBeLessThanOrEqual(3);
  });

  it('markdown: parses with marked, has the sections and tables', () => {
    const m = model();
    const md = renderMarkdown(m);
    fs.writeFileSync(artifactPath('reports', `taobao-${audience}.md`), md);
    expectMarkdownOk(md, m, facts());
  });

  it('pdf: opens, shows the executive summary and every key metric', async () => {
    const m = model();
    const pdf = await htmlToPdf(renderHtml(m), { paper: audience === 'product_manager' ? 'Letter' : 'A4', browser });
    expectPdfOk(pdf, m, `taobao-${audience}`);
  });
});

withData.each(AUDIENCES)('Cookie Cats experiment report for %s', (audience) => {
  const model = () => cookieModel(audience, cookie);
  const facts = () => [...cookie.facts, ...model().facts];

  it('html: decision, metrics, self-contained, grounded', () => {
    const m = model();
    const html = renderHtml(m);
    expectSelfContained(html);
    fs.writeFileSync(artifactPath('reports', `cookie-cats-${audience}.html`), html);
    expect(m.experiment?.decision).toBe(cookie.recommendation.decision);
    expect(html).toContain(`Decision: ${cookie.recommendation.decision}`);
    expect(groundReport(m, html, facts()).ungrounded).toEqual([]);
  });

  it('markdown: parses and is grounded', () => {
    const m = model();
    const md = renderMarkdown(m);
    fs.writeFileSync(artifactPath('reports', `cookie-cats-${audience}.md`), md);
    expectMarkdownOk(md, m, facts());
  });

  it('pdf: opens with summary and key metrics', async () => {
    const m = model();
    expectPdfOk(await htmlToPdf(renderHtml(m), { paper: 'A4', browser }), m, `cookie-cats-${audience}`);
  });
});

withData('audience depth', () => {
  it('data scientists get methods, CIs and scores; executives a shorter report without them', () => {
    const ds = taobaoModel('data_scientist', taobao);
    const ex = taobaoModel('executive', taobao);
    expect(ds.methods.length).toBeGreaterThan(0);
    expect(ex.methods).toEqual([]);
    expect(renderMarkdown(ds).length).toBeGreaterThan(renderMarkdown(ex).length);
    expect(renderHtml(cookieModel('data_scientist', cookie))).toContain('Confidence interval');
    expect(renderHtml(cookieModel('executive', cookie))).not.toContain('Confidence interval');
    const pm = taobaoModel('product_manager', taobao);
    expect(pm.action_items.every((a) => a.owner.length > 0)).toBe(true);
    expect(renderMarkdown(pm)).toContain('Suggested owner');
  });

  it('recommendations carry their current status', () => {
    const withStatus = {
      ...taobao,
      insights: {
        ...taobao.insights,
        recommendations: taobao.insights.recommendations.map((r, i) => (i === 0 ? { ...r, status: 'In Progress' as const } : r)),
      },
    };
    const md = renderMarkdown(taobaoModel('product_manager', withStatus));
    expect(md).toContain('**Status:** In Progress');
  });
});
