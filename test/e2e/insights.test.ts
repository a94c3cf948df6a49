import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openApp, type App } from '../helpers/app';
import { artifactPath } from '../helpers/browser';
import { sharedData } from '../helpers/shared';

const TAOBAO = sharedData('taobao_userbehavior_head.csv');
const shot = (name: string) => artifactPath('e2e', `insights-${name}.png`);

let app: App;
let env: App['env'];
let page: Page;
let funnelId: string;

beforeAll(async () => {
  app = await openApp({ clipboard: true, open: false });
  ({ env, page } = app);
  // The data side is covered by data-dashboard.test.ts; here the dataset and funnel come from the engine.
  const ds = await env.engine.dispatch('datasets:import', { path: TAOBAO, name: 'Taobao head' });
  const definition = { steps: [{ event: 'pv' }, { event: 'cart' }, { event: 'buy' }], window: '7d' };
  const f = await env.engine.dispatch('funnels:create', { datasetId: ds.id, name: 'Taobao purchase funnel', definition });
  funnelId = f.id;
  // What the Dashboard stores after the user picks the saved funnel.
  const selection = JSON.stringify({ datasetId: ds.id, funnelId: f.id, definition: f.definition });
  // (Scripts are strings: the test project has no DOM types.)
  await page.addInitScript(`if (!localStorage.getItem('iafa.selection')) localStorage.setItem('iafa.selection', ${JSON.stringify(selection)});`);
  await app.open();
});

afterAll(async () => {
  await app?.close();
});

describe('Insights panel, recommendation status, Hypotheses hand-off (browser mode)', () => {
  it('shows insights, recommendations with priority badges and guardrails below the Dashboard charts', async () => {
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    await page.getByTestId('funnel-chart').waitFor({ timeout: 60_000 });
    const panel = page.getByTestId('insights-panel');
    await panel.getByTestId('recommendation').first().waitFor({ timeout: 60_000 });
    await expect(panel.getByTestId('provenance').textContent()).resolves.toBe('computed');
    await expect(panel.getByTestId('insights-list').locator('li').count()).resolves.toBeGreaterThan(0);
    const badges = await panel.getByTestId('priority-badge').allTextContents();
    expect(badges.length).toBeGreaterThan(0);
    for (const b of badges) expect(b).toMatch(/^(High|Medium|Low) priority$/);
    // The panel comes after the charts in the page.
    const chartY = (await page.getByTestId('daily-trend').boundingBox())!.y;
    expect((await panel.boundingBox())!.y).toBeGreaterThan(chartY);
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot('1-dashboard-panel'), fullPage: true });
  });

  it('expands a recommendation and persists status changes with history', async () => {
    const card = page.getByTestId('insights-panel').getByTestId('recommendation').first();
    const title = (await card.locator('h4').textContent())!;
    await card.getByRole('button', { name: 'View details' }).click();
    await card.getByText('How the impact was estimated').waitFor();
    await card.getByTestId('status-Reviewed').click();
    await card.getByTestId('rec-status').getByText('Reviewed').waitFor();
    await card.getByTestId('status-In Progress').click();
    await card.getByTestId('rec-status').getByText('In Progress').waitFor();

    const { recommendations } = await env.engine.dispatch('recommendations:list', { funnelId });
    const stored = recommendations.find((r) => r.title === title);
    expect(stored?.status).toBe('In Progress');
    expect(stored?.history.map((h) => h.to)).toEqual(expect.arrayContaining(['Reviewed', 'In Progress']));
    await card.getByTestId('status-history').waitFor();
    await page.screenshot({ path: shot('2-status'), fullPage: true });
  });

  it('keeps the status in the full Insights workspace, and copies the report as text', async () => {
    await page.getByRole('link', { name: 'Insights', exact: true }).click();
    const panel = page.getByTestId('insights-panel');
    await panel.getByTestId('recommendation').first().waitFor({ timeout: 60_000 });
    await panel.getByTestId('rec-status').getByText('In Progress').first().waitFor();
    await panel.getByTestId('summary').waitFor();
    await panel.getByTestId('insights-copy').click();
    await panel.getByText('Copied the report to the clipboard.').waitFor();
    const text = String(await page.evaluate('navigator.clipboard.readText()'));
    expect(text).toMatch(/^IAFA insights and recommendations/);
    expect(text).toMatch(/\[(High|Medium|Low) priority\]/);
    expect(text).toContain('status: In Progress');
    await page.screenshot({ path: shot('3-workspace'), fullPage: true });
  });

  it('lists hypotheses with evidence, and "Design experiment" opens the designer with the hand-off', async () => {
    await page.getByRole('link', { name: 'Hypotheses', exact: true }).click();
    const first = page.getByTestId('hypothesis').first();
    await first.waitFor({ timeout: 60_000 });
    const expected = await env.engine.dispatch('analytics:hypotheses', { funnelId });
    expect(await page.getByTestId('hypothesis').count()).toBe(expected.hypotheses.length);
    await page.screenshot({ path: shot('4-hypotheses'), fullPage: true });
    const testable = expected.hypotheses.findIndex((h) => h.testable);
    expect(testable).toBeGreaterThanOrEqual(0);
    await page.getByTestId('hypothesis').nth(testable).getByTestId('design-experiment').click();
    await page.waitForURL(/#\/experiments$/);
    await page.getByRole('heading', { level: 1, name: 'Experiments' }).waitFor();
    // The designer reads the hand-off once (and clears it), so the check is what it shows.
    const h = expected.hypotheses[testable];
    const note = page.getByTestId('xp-handoff');
    await note.waitFor({ timeout: 30_000 });
    await expect(note.textContent()).resolves.toContain(h.title);
    await expect(page.getByTestId('xp-hypothesis').inputValue()).resolves.toBe(h.description);
    const baseline = h.suggested_experiment.baseline_rate;
    // A formatted percentage (two decimals at most, as on the card), not "47.3684".
    if (baseline !== null)
      expect(await page.getByTestId('xp-baseline').inputValue()).toBe(String(Number((baseline <= 1 ? baseline * 100 : baseline).toFixed(2))));
    await page.screenshot({ path: shot('5-experiments-prefill'), fullPage: true });
  });

  it('logged no errors in the console', () => {
    expect(app.consoleErrors).toEqual([]);
  });
});
