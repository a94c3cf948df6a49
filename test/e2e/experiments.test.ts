import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openApp, type App } from '../helpers/app';
import { artifactPath } from '../helpers/browser';
import { sharedData } from '../helpers/shared';

/**
 * The Experiments workspace on Cookie Cats (gate_30 vs gate_40, one row per player): the designer
 * follows the boxes as the user types, the analyzer shows the engine's table and decision, the
 * causal panel its checks. The numbers on screen are compared with the engine's own answer for the
 * same input: the renderer may only format them.
 */
const COOKIE_CATS = sharedData('cookie_cats.csv');

let app: App;
let env: App['env'];
let server: App['server'];
let page: Page;

const int = (n: number) => n.toLocaleString('en-US');

beforeAll(async () => {
  app = await openApp({ viewport: { width: 1400, height: 900 } });
  ({ env, server, page } = app);
  await page.getByRole('link', { name: 'Experiments', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Experiments' }).waitFor();
});

afterAll(async () => {
  await app?.close();
});

describe('Experiments workspace (browser mode)', () => {
  it('designer: sample size and duration follow the inputs as the user types', async () => {
    const perVariant = page.getByTestId('xp-per-variant');
    await page.getByTestId('xp-baseline').fill('15');
    await page.getByTestId('xp-mde').fill('10');
    await page.getByTestId('xp-daily').fill('5000');
    const expected = await env.engine.dispatch('experiment:design', { baseline_rate: 0.15, mde: 0.1, mde_type: 'relative', daily_users: 5000, save: false });
    await expect.poll(() => perVariant.textContent(), { timeout: 10_000 }).toBe(int(expected.experiment_design.sample_size.per_variant));
    await expect(page.getByTestId('xp-total').textContent()).resolves.toBe(int(expected.experiment_design.sample_size.total));
    await expect(page.getByTestId('xp-duration').textContent()).resolves.toBe(`${expected.experiment_design.duration.days} days`);

    // Halving the effect roughly quadruples the sample: the number must change without any click.
    await page.getByTestId('xp-mde').fill('5');
    const smaller = await env.engine.dispatch('experiment:design', { baseline_rate: 0.15, mde: 0.05, mde_type: 'relative', daily_users: 5000, save: false });
    expect(smaller.experiment_design.sample_size.per_variant).toBeGreaterThan(expected.experiment_design.sample_size.per_variant);
    await expect.poll(() => perVariant.textContent(), { timeout: 10_000 }).toBe(int(smaller.experiment_design.sample_size.per_variant));
    await expect(page.getByTestId('xp-duration').textContent()).resolves.toBe(`${smaller.experiment_design.duration.days} days`);

    // Absolute MDE in percentage points.
    await page.getByTestId('xp-mde-absolute').check();
    await page.getByTestId('xp-mde').fill('1.5');
    const absolute = await env.engine.dispatch('experiment:design', { baseline_rate: 0.15, mde: 0.015, mde_type: 'absolute', daily_users: 5000, save: false });
    await expect.poll(() => perVariant.textContent(), { timeout: 10_000 }).toBe(int(absolute.experiment_design.sample_size.per_variant));

    // An impossible input says what to fix instead of showing NaN.
    await page.getByTestId('xp-power').fill('1.5');
    await page.getByRole('alert').filter({ hasText: 'Power' }).waitFor();
    await page.getByTestId('xp-power').fill('0.8');
    await expect.poll(() => perVariant.textContent(), { timeout: 10_000 }).toBe(int(absolute.experiment_design.sample_size.per_variant));

    // A continuous metric (mean and standard deviation) goes through the t-test formula.
    await page.getByLabel('Mean (continuous)').check();
    await page.getByTestId('xp-baseline-mean').fill('50');
    await page.getByTestId('xp-baseline-sd').fill('20');
    await page.getByTestId('xp-mde').fill('2');
    const mean = await env.engine.dispatch('experiment:design', {
      metric_type: 'mean',
      baseline_mean: 50,
      baseline_sd: 20,
      mde: 2,
      mde_type: 'absolute',
      daily_users: 5000,
      save: false,
    });
    await expect.poll(() => perVariant.textContent(), { timeout: 10_000 }).toBe(int(mean.experiment_design.sample_size.per_variant));
    await page.getByLabel('Rate (conversion)').check();
    await page.getByTestId('xp-mde').fill('1.5');
    await expect.poll(() => perVariant.textContent(), { timeout: 10_000 }).toBe(int(absolute.experiment_design.sample_size.per_variant));

    await page.getByTestId('xp-variants-list').waitFor();
    await expect(page.getByText('Stopping rules').count()).resolves.toBeGreaterThan(0);
    const download = page.waitForEvent('download');
    await page.getByTestId('xp-export-md').click();
    expect((await download).suggestedFilename()).toBe('experiment-design.md');
    await page.screenshot({ path: artifactPath('e2e', 'experiments-designer.png'), fullPage: true });
  });

  it('analyzer: imports Cookie Cats, shows the significance table, SRM and the decision card', async () => {
    await page.getByTestId('xp-tab-analyze').click();
    // The causal tab has its own copy of the setup form: stay inside the analyzer's panel.
    const panel = page.locator('#xp-panel-analyze');
    await panel.getByTestId('xp-import-file').setInputFiles(COOKIE_CATS);
    await panel
      .getByRole('status')
      .filter({ hasText: /Imported/ })
      .waitFor({ timeout: 60_000 });
    await panel.getByTestId('xp-variant-col').selectOption('version');
    await panel.getByTestId('xp-control').fill('gate_30');
    await panel.getByTestId('xp-treatment').fill('gate_40');
    await panel.getByTestId('xp-primary').selectOption('retention_1');
    await panel.getByTestId('xp-secondary-sum_gamerounds').check();
    await panel.getByTestId('xp-guardrail-retention_7').check();
    await panel.getByLabel('Planned MDE (for power)').fill('5');
    await panel.getByTestId('xp-analyze-run').click();
    await panel.getByTestId('xp-significance').waitFor({ timeout: 60_000 });

    const datasetId = await panel.getByTestId('xp-dataset').inputValue();
    const expected = await env.engine.dispatch('experiment:analyze', {
      datasetId,
      variant_column: 'version',
      control: 'gate_30',
      treatment: 'gate_40',
      metrics: ['retention_1', 'sum_gamerounds'],
      guardrails: [{ metric: 'retention_7', margin: 0.02, margin_type: 'relative', direction: 'higher_is_better' }],
      mde: 0.05,
      mde_type: 'relative',
      save: false,
    });
    expect(expected.statistical_analysis.power.at_mde).not.toBeNull();
    await expect(panel.getByTestId('xp-power-at-mde').textContent()).resolves.toContain(`${(expected.statistical_analysis.power.at_mde! * 100).toFixed(1)}%`);
    await expect(panel.getByTestId('xp-metric-row').count()).resolves.toBe(2);
    await expect(panel.getByTestId('xp-decision-word').textContent()).resolves.toBe(expected.recommendation.decision);
    await expect(panel.getByTestId('xp-decision').textContent()).resolves.toContain(`${expected.recommendation.confidence} confidence`);
    const srm = await panel.getByTestId('xp-srm').textContent();
    expect(srm).toContain(int(expected.srm_check.control_n));
    expect(srm).toContain(int(expected.srm_check.treatment_n));
    const row = await panel.getByTestId('xp-metric-row').first().textContent();
    expect(row).toContain(`${expected.statistical_analysis.primary_metric.control_value!.toFixed(2)}%`);
    expect(row).toContain(`${expected.statistical_analysis.primary_metric.treatment_value!.toFixed(2)}%`);
    await panel.getByTestId('xp-guardrails').waitFor();
    // No model here: the explanation is the computed text, with its grounding badge.
    await panel.getByTestId('xp-explain-experiment_analysis').getByTestId('xp-explain-run').click();
    const explained = panel.getByTestId('xp-explain-text');
    await explained.waitFor({ timeout: 30_000 });
    await expect(explained.textContent()).resolves.toContain('Computed analysis');
    // The app's own text is labelled as such, never 'partly verified' (issue 15).
    await expect(explained.getByTestId('xp-explain-badge').textContent()).resolves.toBe('computed by the app (no model)');
    expect(await page.locator('main').textContent()).not.toMatch(/NaN|undefined/);
    await page.screenshot({ path: artifactPath('e2e', 'experiments-analyzer.png'), fullPage: true });
  });

  it('causal panel: checks, external factors and the stage-by-stage chain', async () => {
    await page.getByTestId('xp-open-causal').click();
    await expect(page.getByTestId('xp-tab-causal').getAttribute('aria-selected')).resolves.toBe('true');
    await page.getByTestId('xp-add-factor').click();
    await page.getByTestId('xp-factor').fill('App store feature during week 1');
    await page.getByTestId('xp-stage-retention_1').check();
    await page.getByTestId('xp-stage-retention_7').check();
    await page.getByTestId('xp-causal-run').click();
    await page.getByTestId('xp-causal-checks').waitFor({ timeout: 60_000 });
    for (const id of ['xp-check-randomization', 'xp-check-temporal', 'xp-check-heterogeneity', 'xp-check-external']) await page.getByTestId(id).waitFor();
    await expect(page.getByTestId('xp-check-external').textContent()).resolves.toContain('App store feature during week 1');
    await expect(page.getByTestId('xp-chain-step').count()).resolves.toBeGreaterThanOrEqual(2);
    await expect(page.getByTestId('xp-causal-conclusion').textContent()).resolves.toMatch(/(High|Medium|Low) confidence/);
    expect(await page.locator('main').textContent()).not.toMatch(/NaN|undefined/);
    await page.screenshot({ path: artifactPath('e2e', 'experiments-causal.png'), fullPage: true });
  });

  it('a sample ratio mismatch is shown first and blocks a SHIP', async () => {
    // 1,000 control rows against 800 treatment rows under a planned 50/50 split; treatment converts better.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-srm-'));
    const file = path.join(dir, 'srm.csv');
    const rows = ['user_id,arm,converted'];
    for (let i = 0; i < 1000; i++) rows.push(`c${i},control,${i % 10 === 0 ? 1 : 0}`);
    for (let i = 0; i < 800; i++) rows.push(`t${i},treatment,${i % 5 === 0 ? 1 : 0}`);
    fs.writeFileSync(file, rows.join('\n') + '\n');
    const ds = await env.engine.dispatch('datasets:import', { path: file, name: 'srm-check' });
    // Same document: only the hash changes, so reload to fetch the new dataset list.
    await page.goto(`${server.url}/#/experiments/analyze`);
    await page.reload();
    const panel = page.locator('#xp-panel-analyze');
    await panel.getByTestId('xp-dataset').selectOption(ds.id);
    await panel.getByTestId('xp-variant-col').selectOption('arm');
    await panel.getByTestId('xp-control').fill('control');
    await panel.getByTestId('xp-treatment').fill('treatment');
    await panel.getByTestId('xp-primary').selectOption('converted');
    await panel.getByTestId('xp-analyze-run').click();
    const srm = panel.getByTestId('xp-srm');
    await srm.waitFor({ timeout: 30_000 });
    await expect(srm.getAttribute('role')).resolves.toBe('alert');
    await expect(srm.textContent()).resolves.toContain('Sample ratio mismatch');
    await expect(panel.getByTestId('xp-decision-word').textContent()).resolves.not.toBe('SHIP');
    await page.screenshot({ path: artifactPath('e2e', 'experiments-srm.png'), fullPage: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('tabs work from the keyboard', async () => {
    await page.getByTestId('xp-tab-causal').focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('xp-tab-design').getAttribute('aria-selected')).resolves.toBe('true');
    await page.keyboard.press('End');
    await expect(page.getByTestId('xp-tab-causal').getAttribute('aria-selected')).resolves.toBe('true');
  });

  it('designer is pre-filled from a hypothesis handed over by the Hypotheses workspace', async () => {
    await page.getByRole('link', { name: 'Data', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Data' }).waitFor();
    await page.evaluate(() =>
      sessionStorage.setItem(
        'iafa.handoff.experiment',
        JSON.stringify({
          version: 1,
          source: 'hypothesis',
          hypothesisId: 'h1',
          title: 'Earlier gate keeps players',
          hypothesis: 'Moving the gate to level 30 raises 7-day retention',
          experimentType: 'A/B test',
          testDescription: 'gate_30 vs gate_40',
          expectedOutcome: 'Higher retention_7',
          priority: 'High',
          baselineRate: 0.19,
          sampleSizePerVariant: null,
          durationDays: null,
          evidence: [{ factId: 'x', label: '7-day retention', display: '19.0%' }],
          datasetId: null,
          funnelId: null,
          createdAt: new Date().toISOString(),
        }),
      ),
    );
    await page.getByRole('link', { name: 'Experiments', exact: true }).click();
    await page.getByTestId('xp-handoff').waitFor();
    await expect(page.getByTestId('xp-hypothesis').inputValue()).resolves.toBe('Moving the gate to level 30 raises 7-day retention');
    await expect(page.getByTestId('xp-baseline').inputValue()).resolves.toBe('19');
    // Used once: a later visit starts from the user's own form.
    expect(await page.evaluate(() => sessionStorage.getItem('iafa.handoff.experiment'))).toBeNull();
    await expect.poll(() => page.getByTestId('xp-per-variant').textContent(), { timeout: 10_000 }).toMatch(/^\d{1,3}(,\d{3})*$/);
  });

  it("hands the results to Ask, which answers from the experiment's facts", async () => {
    await page.getByTestId('xp-tab-analyze').click();
    const panel = page.locator('#xp-panel-analyze');
    await panel.getByTestId('xp-analyze-run').click();
    await panel.getByTestId('xp-ask').click();
    await page.getByRole('heading', { level: 1, name: 'Ask' }).waitFor();
    await page.getByTestId('ask-context').waitFor();
    await page.getByRole('button', { name: 'What is the p-value of the primary metric?' }).click();
    const answer = page.getByTestId('ask-answer').first();
    await answer.waitFor({ timeout: 30_000 });
    await expect(answer.getByTestId('fact-chip').count()).resolves.toBeGreaterThan(0);
    await expect(answer.textContent()).resolves.toMatch(/p-value/i);
    // Follow-ups after a reload still use the experiment's facts, not a funnel's.
    await page.reload();
    await page.getByTestId('ask-context').waitFor();
    await expect.poll(() => page.getByTestId('ask-question').count(), { timeout: 10_000 }).toBe(1);
    await page.screenshot({ path: artifactPath('e2e', 'experiments-ask.png'), fullPage: true });
  });

  it('logged no errors in the console', () => {
    expect(app.consoleErrors).toEqual([]);
  });
});
