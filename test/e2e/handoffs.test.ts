import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openApp, type App } from '../helpers/app';
import { artifactPath } from '../helpers/browser';
import { HAS_SHARED_DATA, sharedData } from '../helpers/shared';

/**
 * Every hand-off carries its numbers (issue 15): what a card shows is what the next workspace
 * opens with. Hypothesis → designer and recommendation → designer keep the sample size, duration,
 * baseline and MDE; an insight and an Ask chip land on the Dashboard showing the value they cited;
 * the analyzer's result is the one the causal panel reasons about. Values are read from the
 * source card on screen and compared with what the target shows.
 */
const shot = (name: string) => artifactPath('e2e', `handoff-${name}.png`);
const int = (n: number) => n.toLocaleString('en-US');

let app: App;
let env: App['env'];
let page: Page;
let funnelId: string;

beforeAll(async () => {
  if (!HAS_SHARED_DATA) return;
  app = await openApp({ open: false, viewport: { width: 1440, height: 900 } });
  ({ env, page } = app);
  await env.engine.dispatch('settings:update', { llm: { provider: 'none' } });
  const ds = await env.engine.dispatch('datasets:import', { path: sharedData('taobao_userbehavior_head.csv'), name: 'Taobao head' });
  const f = await env.engine.dispatch('funnels:create', {
    datasetId: ds.id,
    name: 'Taobao purchase funnel',
    definition: { steps: [{ event: 'pv' }, { event: 'cart' }, { event: 'buy' }], window: '7d' },
  });
  funnelId = f.id;
  const selection = JSON.stringify({ datasetId: ds.id, funnelId: f.id, definition: f.definition });
  await page.addInitScript(`if (!localStorage.getItem('iafa.selection')) localStorage.setItem('iafa.selection', ${JSON.stringify(selection)});`);
  await app.open();
});

afterAll(async () => {
  await app?.close();
});

async function designerShows(n: string, days: string): Promise<void> {
  await page.waitForURL(/#\/experiments$/);
  await page.getByTestId('xp-handoff').waitFor({ timeout: 30_000 });
  await expect.poll(() => page.getByTestId('xp-per-variant').textContent(), { timeout: 15_000 }).toBe(n);
  await expect(page.getByTestId('xp-duration').textContent()).resolves.toBe(`${days} days`);
  await expect(page.getByTestId('xp-handoff-numbers').textContent()).resolves.toContain(n);
}

describe.skipIf(!HAS_SHARED_DATA)('hand-offs keep their numbers (browser mode, Taobao pv → cart → buy)', () => {
  it('hypothesis → designer: same per-variant n, days, MDE and daily users; the baseline as a percentage', async () => {
    await page.getByRole('link', { name: 'Hypotheses', exact: true }).click();
    await page.getByTestId('hypothesis').first().waitFor({ timeout: 60_000 });
    const { hypotheses } = await env.engine.dispatch('analytics:hypotheses', { funnelId });
    const i = hypotheses.findIndex((h) => h.testable && h.suggested_experiment.sample_size_per_variant !== null);
    expect(i).toBeGreaterThanOrEqual(0);
    const x = hypotheses[i].suggested_experiment;
    const card = page.getByTestId('hypothesis').nth(i);
    // What the card shows: "64.87% · 3,323 per variant · 147 days".
    const shown = (await card.locator('.hyp-meta').textContent()) ?? '';
    const m = /([\d.]+)% · ([\d,]+) per variant · (\d+) days/.exec(shown);
    expect(m, shown).not.toBeNull();
    const [, baseline, n, days] = m as RegExpExecArray;
    expect(n).toBe(int(x.sample_size_per_variant as number));
    await card.getByTestId('design-experiment').click();
    await designerShows(n, days);
    // The boxes: a formatted percentage (not "64.8705"), the card's MDE and traffic.
    await expect(page.getByTestId('xp-baseline').inputValue()).resolves.toBe(baseline);
    await expect(page.getByTestId('xp-mde').inputValue()).resolves.toBe(String(Number(((x.mde_relative as number) * 100).toFixed(2))));
    await expect(page.getByTestId('xp-daily').inputValue()).resolves.toBe(String(Math.round(x.daily_eligible_users as number)));
    await page.screenshot({ path: shot('1-hypothesis-designer'), fullPage: true });
  });

  it("recommendation → designer: the suggested test's n and days", async () => {
    await page.getByRole('link', { name: 'Insights', exact: true }).click();
    const card = page
      .getByTestId('recommendation')
      .filter({ has: page.getByTestId('rec-design') })
      .first();
    await card.waitFor({ timeout: 60_000 });
    const n = (await card.getByTestId('rec-test-n').textContent()) ?? '';
    const days = (await card.getByTestId('rec-test-days').textContent()) ?? '';
    const report = await env.engine.dispatch('analytics:recommendations', { funnelId });
    expect(report.experiment_suggestions.map((s) => int(s.sample_size_per_variant))).toContain(n);
    await page.screenshot({ path: shot('2-recommendation'), fullPage: true });
    await card.getByTestId('rec-design').click();
    await designerShows(n, days);
    await expect(page.getByTestId('xp-handoff').textContent()).resolves.toMatch(/^From recommendation/);
  });

  it('insight → Dashboard: the figure the insight cites, shown on the Dashboard', async () => {
    await page.getByRole('link', { name: 'Insights', exact: true }).click();
    const link = page.getByTestId('insight-dashboard').first();
    await link.waitFor({ timeout: 60_000 });
    const display = (await link.getAttribute('data-display')) ?? '';
    const factId = (await link.getAttribute('data-fact-id')) ?? '';
    expect((await link.textContent()) ?? '').toContain(display);
    await link.click();
    await page.waitForURL(/#\/dashboard\?fact=/);
    const value = page.getByTestId('fact-focus-value');
    await value.waitFor({ timeout: 60_000 });
    await expect(value.getAttribute('data-fact-id')).resolves.toBe(factId);
    await expect(value.locator('strong').textContent()).resolves.toBe(display);
    await page.screenshot({ path: shot('3-insight-dashboard'), fullPage: true });
  });

  it("Ask chip → Dashboard: two signals on the answer, and the chip's value on the Dashboard", async () => {
    await page.getByRole('link', { name: 'Ask', exact: true }).click();
    await page
      .getByTestId('ask-funnel')
      .selectOption(funnelId)
      .catch(() => undefined);
    await page.getByTestId('ask-input').fill('How many users bought?');
    await page.getByTestId('ask-send').click();
    const answer = page.getByTestId('ask-answer').first();
    await answer.waitFor({ timeout: 60_000 });
    await expect(answer.locator('.ask-answer-text').textContent()).resolves.toMatch(/^386 users reached buy/);
    await expect(answer.getByTestId('signal-numbers').textContent()).resolves.toBe('numbers match computed facts');
    await expect(answer.getByTestId('signal-question').textContent()).resolves.toBe('answers the question');

    // A question about data the funnel does not have: a refusal with no number, and it says so.
    await page.getByTestId('ask-input').fill('Why is conversion lower on mobile?');
    await page.getByTestId('ask-send').click();
    await expect.poll(() => page.getByTestId('ask-answer').count(), { timeout: 30_000 }).toBe(2);
    const refusal = page.getByTestId('ask-answer').nth(1);
    await expect(refusal.getByTestId('signal-question').textContent()).resolves.toBe('not in the data');
    await expect(refusal.getByTestId('signal-numbers').textContent()).resolves.toBe('no figures quoted');
    await expect(refusal.locator('.ask-answer-text').textContent()).resolves.not.toMatch(/\d/);
    await page.screenshot({ path: shot('4-ask-signals'), fullPage: true });

    const chip = answer.getByTestId('fact-chip').first();
    const factId = (await chip.getAttribute('data-fact-id')) ?? '';
    expect(factId).toBe('stage.buy.users');
    const tip = (await chip.locator('.fact-tip').textContent()) ?? '';
    const display = /: (.+?) · open in Dashboard$/.exec(tip)?.[1];
    expect(display).toBe('386');
    await chip.click();
    await page.waitForURL(/#\/dashboard\?fact=stage\.buy\.users/);
    const value = page.getByTestId('fact-focus-value');
    await value.waitFor({ timeout: 60_000 });
    await expect(value.locator('strong').textContent()).resolves.toBe(display);
    await page.locator('[data-fact-highlight]').first().waitFor();
    await page.screenshot({ path: shot('5-chip-dashboard'), fullPage: true });
  });

  it("analyzer → causal panel: the causal conclusion quotes the analyzer's lift and p-value", async () => {
    await page.getByRole('link', { name: 'Experiments', exact: true }).click();
    await page.getByTestId('xp-tab-analyze').click();
    const panel = page.locator('#xp-panel-analyze');
    await panel.getByTestId('xp-import-file').setInputFiles(sharedData('cookie_cats.csv'));
    await panel
      .getByRole('status')
      .filter({ hasText: /Imported/ })
      .waitFor({ timeout: 60_000 });
    await panel.getByTestId('xp-variant-col').selectOption('version');
    await panel.getByTestId('xp-control').fill('gate_30');
    await panel.getByTestId('xp-treatment').fill('gate_40');
    await panel.getByTestId('xp-primary').selectOption('retention_7');
    await panel.getByTestId('xp-analyze-run').click();
    await panel.getByTestId('xp-significance').waitFor({ timeout: 60_000 });
    const row = (await panel.getByTestId('xp-metric-row').first().textContent()) ?? '';
    // The analyzer shows p = 0.0016 and a −4.31% relative lift for retention_7.
    expect(row).toContain('0.0016');
    expect(row).toMatch(/−?-?4\.31%/);
    await page.getByTestId('xp-open-causal').click();
    await page.getByTestId('xp-causal-run').click();
    const conclusion = page.getByTestId('xp-causal-conclusion');
    await conclusion.waitFor({ timeout: 60_000 });
    const text = (await conclusion.textContent()) ?? '';
    // Same result, same numbers: −4.3% (the lift to one decimal) and p = 0.002 (the p-value to three).
    expect(text).toContain('gate_40 is associated with a -4.3% change in retention_7');
    expect(text).toContain('p = 0.002');
    // And no overclaim: the checks that did not run are named, not read as passed.
    expect(text).not.toMatch(/\bCAUSED\b|High confidence/);
    await page.getByTestId('xp-causal-not-checked').waitFor();
    await expect(page.getByTestId('xp-causal-not-checked').textContent()).resolves.toContain('temporal stability (no date column)');
    await page.screenshot({ path: shot('6-causal'), fullPage: true });
  });

  it('logged no errors in the console', () => {
    expect(app.consoleErrors).toEqual([]);
  });
});
