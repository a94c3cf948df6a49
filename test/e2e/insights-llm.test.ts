import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Fact } from '../../src/shared/contract';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama-server';
import { openApp, type App } from '../helpers/app';
import { artifactPath } from '../helpers/browser';

/**
 * Model prose in the Insights panel and the Hypotheses workspace, against a fake Ollama that speaks
 * the real protocol: the engine's grounding decides what is shown, the UI says which. Then an Ask
 * fact chip opens the Dashboard with the cited figure highlighted.
 */
const shot = (name: string) => artifactPath('e2e', `insights-llm-${name}.png`);

interface Cited {
  text: string;
  fact_ids: string[];
}
interface InsightsText {
  summary: string;
  insights: Cited[];
  recommendations: { title: string; fact_ids: string[] }[];
}
interface HypothesesText {
  hypotheses: { title: string; fact_ids: string[] }[];
}

let fake: FakeOllama;
let app: App;
let env: App['env'];
let page: Page;
let funnelId = '';
let datasetId = '';
let facts: Fact[] = [];
let computed: InsightsText;
let computedHypotheses: HypothesesText;

const chats = () => fake.requests.filter((r) => r.path === '/api/chat' || r.path === '/api/generate').length;

/** The computed text reworded without touching a number: every figure still matches a fact. */
function groundedRewrite(c: InsightsText): InsightsText {
  return {
    ...c,
    summary: `In the model’s words: ${c.summary}`,
    insights: c.insights.map((i) => ({ ...i, text: `Put simply, ${i.text}` })),
    recommendations: c.recommendations.map((r) => ({ ...r, title: `Reworded: ${r.title}` })),
  };
}

beforeAll(async () => {
  fake = await startFakeOllama();
  app = await openApp({ env: { OLLAMA_HOST: fake.url }, open: false });
  ({ env, page } = app);
  const ds = await env.engine.dispatch('datasets:import', { path: 'sample' });
  const definition = { steps: [{ event: 'pin_view' }, { event: 'closeup' }, { event: 'save' }] };
  const funnel = await env.engine.dispatch('funnels:create', { datasetId: ds.id, name: 'Pin funnel', definition });
  funnelId = funnel.id;
  datasetId = ds.id;
  // The computed text in the narrative shape, as the engine hands it to the model.
  const base = await env.engine.dispatch('analytics:recommendations', { funnelId, llm: { provider: 'none' } });
  expect(base.narrative?.generation.provider).toBe('none');
  computed = base.narrative!.narrative as unknown as InsightsText;
  facts = base.facts;
  const hyp = await env.engine.dispatch('analytics:hypotheses', { funnelId, llm: { provider: 'none' } });
  computedHypotheses = hyp.narrative!.narrative as unknown as HypothesesText;
  expect(computed.insights.length).toBeGreaterThan(0);
  expect(computed.recommendations.length).toBeGreaterThan(0);
  expect(computedHypotheses.hypotheses.length).toBeGreaterThan(0);
  const selection = JSON.stringify({ datasetId: ds.id, funnelId: funnel.id, definition: funnel.definition });
  // (Scripts are strings: the test project has no DOM types.)
  await page.addInitScript(`if (!localStorage.getItem('iafa.selection')) localStorage.setItem('iafa.selection', ${JSON.stringify(selection)});`);
  await app.open();
});

afterAll(async () => {
  await app?.close();
  await fake?.close();
});

describe('Model wording in Insights and Hypotheses (fake Ollama)', () => {
  it('a grounded rewrite is shown with a "verified" badge, and the toggle brings back the computed text', async () => {
    fake.reply({ content: JSON.stringify(groundedRewrite(computed)) });
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    const panel = page.getByTestId('insights-panel');
    await panel.getByTestId('model-summary').waitFor({ timeout: 60_000 });
    expect(chats()).toBe(1);
    await expect(panel.getByTestId('grounding-badge').textContent()).resolves.toBe('verified');
    await expect(panel.getByTestId('provenance').textContent()).resolves.toContain('llama3.2:3b');
    await expect(panel.getByTestId('model-summary').textContent()).resolves.toBe(`In the model’s words: ${computed.summary}`);
    await expect(panel.getByTestId('model-insight').first().textContent()).resolves.toBe(`Put simply, ${computed.insights[0].text}`);
    await expect(panel.getByTestId('recommendation').first().locator('h4').textContent()).resolves.toBe(`Reworded: ${computed.recommendations[0].title}`);
    expect(await panel.getByTestId('fallback-fields').count()).toBe(0);
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot('1-verified'), fullPage: true });

    await panel.getByTestId('wording-computed').click();
    await expect(panel.getByTestId('wording-computed').getAttribute('aria-pressed')).resolves.toBe('true');
    expect(await panel.getByTestId('model-summary').count()).toBe(0);
    await expect(panel.getByTestId('insights-list').textContent()).resolves.not.toContain('Put simply');
    await expect(panel.getByTestId('recommendation').first().locator('h4').textContent()).resolves.toBe(computed.recommendations[0].title);
    await panel.getByTestId('wording-model').click();
    await panel.getByTestId('model-summary').waitFor();
  });

  it('an invented number: "partly verified", and that field shows the computed text (Refresh skips the cache)', async () => {
    const before = chats();
    const invented = { ...groundedRewrite(computed), summary: 'Conversion will reach 97.3% next quarter.' };
    fake.reply({ content: JSON.stringify(invented) });
    const panel = page.getByTestId('insights-panel');
    await panel.getByTestId('insights-refresh').click();
    const badge = panel.getByTestId('grounding-badge');
    await expect.poll(() => badge.textContent(), { timeout: 60_000 }).toBe('partly verified — 1 field(s) replaced by computed text');
    // One answer and one retry with the findings; both invent the figure.
    expect(chats()).toBe(before + 2);
    await expect(panel.getByTestId('model-summary').textContent()).resolves.toBe(computed.summary);
    await expect(panel.textContent()).resolves.not.toContain('97.3');
    await expect(panel.getByTestId('fallback-fields').textContent()).resolves.toContain('summary');
    // The fields that passed keep the model's wording.
    await expect(panel.getByTestId('model-insight').first().textContent()).resolves.toBe(`Put simply, ${computed.insights[0].text}`);
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot('2-partly-verified'), fullPage: true });
  });

  it('the Hypotheses workspace shows the model wording with its badge, and the computed text on the toggle', async () => {
    const rewrite = { hypotheses: computedHypotheses.hypotheses.map((h) => ({ ...h, title: `Reworded: ${h.title}` })) };
    fake.reply({ content: JSON.stringify(rewrite) });
    await page.getByRole('link', { name: 'Hypotheses', exact: true }).click();
    const first = page.getByTestId('hypothesis').first();
    await first.waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('grounding-badge').textContent(), { timeout: 60_000 }).toBe('verified');
    await expect(first.locator('h3').textContent()).resolves.toBe(`Reworded: ${computedHypotheses.hypotheses[0].title}`);
    await page.screenshot({ path: shot('3-hypotheses'), fullPage: true });
    await page.getByTestId('wording-computed').click();
    await expect(first.locator('h3').textContent()).resolves.toBe(computedHypotheses.hypotheses[0].title);
  });

  it('with provider none, the panel keeps the computed view and says "computed"', async () => {
    await env.engine.dispatch('settings:update', { llm: { provider: 'none' } });
    await page.getByRole('link', { name: 'Insights', exact: true }).click();
    const panel = page.getByTestId('insights-panel');
    await panel.getByTestId('recommendation').first().waitFor({ timeout: 60_000 });
    await expect.poll(() => panel.getByTestId('provenance').textContent()).toBe('computed');
    expect(await panel.getByTestId('wording-model').count()).toBe(0);
    expect(await panel.getByTestId('model-summary').count()).toBe(0);
    await expect(panel.getByTestId('recommendation').first().locator('h4').textContent()).resolves.toBe(computed.recommendations[0].title);
    await env.engine.dispatch('settings:update', { llm: { provider: 'auto' } });
  });

  it('a fact chip in Ask opens the Dashboard on that funnel with the cited stage highlighted and announced', async () => {
    const fact = facts.find((f) => /^stage\.[^.]+\.drop_off_rate$/.test(f.id));
    expect(fact).toBeDefined();
    const f = fact!;
    // The Dashboard must find the funnel from the link alone: forget the funnel in view.
    await page.evaluate(`localStorage.setItem('iafa.selection', ${JSON.stringify(JSON.stringify({ datasetId, funnelId: null, definition: null }))})`);
    await page.goto(`${app.server.url}/#/ask`);
    await page.getByRole('heading', { level: 1, name: 'Ask' }).waitFor();
    await page.getByTestId('ask-funnel').selectOption(funnelId);
    fake.reply({ content: JSON.stringify({ answer: `${f.label} is ${f.display}.`, fact_ids: [f.id], follow_up_questions: [] }) });
    await page.getByTestId('ask-input').fill('Where do users drop off?');
    await page.getByTestId('ask-input').press('Enter');
    const chip = page.getByTestId('ask-answer').first().locator(`[data-testid=fact-chip][data-fact-id="${f.id}"]`);
    await chip.waitFor({ timeout: 30_000 });
    await chip.click();
    await page.waitForURL(/#\/dashboard\?fact=/);

    const row = page.getByTestId('funnel-table').locator('tr[data-fact-highlight]');
    await row.waitFor({ timeout: 60_000 });
    // "Drop-off from pin_view to closeup": the row of the stage the users failed to reach.
    const stage = f.label.split(' to ').at(-1)!;
    await expect(row.locator('td').first().textContent()).resolves.toBe(stage);
    await expect(page.getByTestId('funnel-chart').locator('svg path[fill="#E69F00"]').count()).resolves.toBe(1);
    const status = page.getByTestId('fact-focus');
    await expect(status.getAttribute('aria-live')).resolves.toBe('polite');
    await expect.poll(() => status.textContent()).toContain(`Highlighted: drop off rate at stage “${stage}” (fact ${f.id}).`);
    // Scrolled into view.
    const box = (await row.boundingBox())!;
    const viewport = page.viewportSize()!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
    await expect(page.getByTestId('saved-funnels').inputValue()).resolves.toBe(funnelId);
    await page.screenshot({ path: shot('4-fact-highlight') });
  });

  it('logged no errors in the console', () => {
    expect(app.consoleErrors).toEqual([]);
  });
});
