import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openApp, type App } from '../helpers/app';
import { artifactPath } from '../helpers/browser';

/**
 * A/B/n, the Bayesian view, ratio metrics and the designer's new planning options in browser
 * mode, on the committed three-arm table. Every figure on screen is compared with the engine's
 * own answer for the same input.
 */
const THREE_ARM = path.resolve(__dirname, '../fixtures/stats/three_arm.csv');

let app: App;
let page: Page;

beforeAll(async () => {
  app = await openApp({ viewport: { width: 1440, height: 900 } });
  page = app.page;
});

afterAll(async () => {
  await app?.close();
});

const p3 = (p: number) => (p < 0.001 ? '<\u00a00.001' : p.toFixed(p < 0.01 ? 4 : 3));

describe('Experiments: several arms, Bayesian engine, ratio metrics, planning', () => {
  let datasetId = '';
  it('analyzer: all arms side by side with a forest plot, adjusted p-values, the k-arm SRM and the arm to ship', async () => {
    const ds = await app.env.engine.dispatch('datasets:import', { path: THREE_ARM, name: 'three-arm' });
    datasetId = ds.id;
    await page.goto(`${app.server.url}/#/experiments/analyze`);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Experiments' }).waitFor();
    const panel = page.locator('#xp-panel-analyze');
    await panel.getByTestId('xp-dataset').selectOption(ds.id);
    await panel.getByTestId('xp-variant-col').selectOption('variant');
    await panel.getByTestId('xp-control').fill('control');
    await panel.getByTestId('xp-treatment').fill('');
    await panel.getByTestId('xp-arm-B').check();
    await panel.getByTestId('xp-arm-C').check();
    await expect(panel.getByTestId('xp-treatment').inputValue()).resolves.toBe('B, C');
    await panel.getByTestId('xp-primary').selectOption('converted');
    await panel.getByTestId('xp-secondary-revenue').check();
    await panel.getByTestId('xp-ratio-num').selectOption('revenue');
    await panel.getByTestId('xp-ratio-den').selectOption('sessions');
    await panel.getByTestId('xp-analyze-run').click();
    await panel.getByTestId('xp-arms-table').waitFor({ timeout: 60_000 });
    await panel.getByTestId('xp-forest').waitFor();

    const expected = await app.env.engine.dispatch('experiment:analyze', {
      datasetId,
      variant_column: 'variant',
      control: 'control',
      treatments: ['B', 'C'],
      metrics: ['converted', 'revenue', 'revenue/sessions'],
      save: false,
    });
    const rows = panel.getByTestId('xp-arm-row');
    await expect(rows.count()).resolves.toBe(6);
    for (const [i, arm] of expected.arms!.entries()) {
      const ms = [arm.primary_metric, ...arm.secondary_metrics];
      for (const [j, m] of ms.entries()) {
        const text = await rows.nth(i * 3 + j).textContent();
        expect(text).toContain(p3(m.p_value!));
        expect(text).toContain(p3(m.p_value_adjusted!));
      }
    }
    await expect(rows.nth(2).textContent()).resolves.toContain('ratio, delta method');
    const srm = await panel.getByTestId('xp-srm').textContent();
    expect(srm).toContain(`p ${p3(expected.multi_arm!.srm.p_value!)}`);
    expect(srm).toContain('across 3 arms');
    await expect(panel.getByTestId('xp-decision-word').textContent()).resolves.toBe(expected.recommendation.decision);
    await expect(panel.getByTestId('xp-forest').getAttribute('aria-label')).resolves.toContain(
      `B ${expected.arms![0].primary_metric.relative_lift! > 0 ? '+' : ''}${expected.arms![0].primary_metric.relative_lift!.toFixed(2)}%`,
    );
    // The forest plot draws one marker and one error bar per arm.
    await expect(panel.locator('[data-testid="xp-forest"] .recharts-errorBar').count()).resolves.toBeGreaterThanOrEqual(2);
    expect(await page.locator('main').textContent()).not.toMatch(/NaN|undefined/);
    await page.screenshot({ path: artifactPath('e2e', 'experiments-abn.png'), fullPage: true });
  });

  it('the Bayesian engine shows chance-to-win bars and credible intervals', async () => {
    const panel = page.locator('#xp-panel-analyze');
    await panel.getByTestId('xp-engine').selectOption('bayesian');
    await panel.getByTestId('xp-analyze-run').click();
    await panel.getByTestId('xp-chance').waitFor({ timeout: 60_000 });
    const expected = await app.env.engine.dispatch('experiment:analyze', {
      datasetId,
      variant_column: 'variant',
      control: 'control',
      treatments: ['B', 'C'],
      metrics: ['converted', 'revenue', 'revenue/sessions'],
      engine: 'bayesian',
      save: false,
    });
    const label = await panel.getByTestId('xp-chance').getAttribute('aria-label');
    for (const arm of expected.arms!) expect(label).toContain(`${arm.treatment_label} ${(arm.primary_metric.bayesian!.chance_to_win * 100).toFixed(1)}%`);
    await expect(panel.getByTestId('xp-arms-table').textContent()).resolves.toContain('Chance to win');
    await expect(panel.getByTestId('xp-decision-word').textContent()).resolves.toBe(expected.recommendation.decision);
    expect(await page.locator('main').textContent()).not.toMatch(/NaN|undefined/);
    await page.screenshot({ path: artifactPath('e2e', 'experiments-bayesian.png'), fullPage: true });

    // A proper prior (sd 5% on the lift) shrinks the estimates: the screen shows the engine's shrunk values.
    await panel.getByTestId('xp-prior-sd').fill('5');
    await panel.getByTestId('xp-analyze-run').click();
    const shrunk = await app.env.engine.dispatch('experiment:analyze', {
      datasetId,
      variant_column: 'variant',
      control: 'control',
      treatments: ['B', 'C'],
      metrics: ['converted', 'revenue', 'revenue/sessions'],
      engine: 'bayesian',
      prior: { mean: 0, sd: 0.05 },
      save: false,
    });
    const b = shrunk.arms![0].primary_metric.bayesian!;
    expect(b.expected_lift).toBeLessThan(expected.arms![0].primary_metric.bayesian!.expected_lift);
    await expect
      .poll(() => panel.getByTestId('xp-chance').getAttribute('aria-label'), { timeout: 30_000 })
      .toContain(`B ${(b.chance_to_win * 100).toFixed(1)}%`);
    await panel.getByTestId('xp-prior-sd').fill('');
  });

  it('the causal panel takes the same arms and says which one it compares', async () => {
    await page.getByTestId('xp-open-causal').click();
    await page.getByTestId('xp-causal-run').click();
    await page.getByTestId('xp-causal-checks').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('xp-causal-arm-note').textContent()).resolves.toMatch(/Causal checks compare B with control; the other arms \(C\)/);
    expect(await page.locator('main').textContent()).not.toMatch(/NaN|undefined/);
  });

  it('designer: unequal allocation, one-sided, and the power and MDE of a given sample', async () => {
    await page.getByTestId('xp-tab-design').click();
    await page.getByTestId('xp-baseline').fill('15');
    await page.getByTestId('xp-mde').fill('10');
    await page.getByTestId('xp-alloc-ratio').fill('0.9');
    await page.getByTestId('xp-one-sided').check();
    await page.getByTestId('xp-available').fill('20000');
    const expected = await app.env.engine.dispatch('experiment:design', {
      baseline_rate: 0.15,
      mde: 0.1,
      ratio: 0.9,
      alternative: 'one-sided',
      sample_size: 20000,
      daily_users: 5000,
      save: false,
    });
    const pa = expected.experiment_design.power_analysis!;
    await expect.poll(() => page.getByTestId('xp-design-power-at-mde').textContent(), { timeout: 10_000 }).toBe(`${(pa.power_at_mde! * 100).toFixed(1)}%`);
    await expect(page.getByTestId('xp-mde-at-power').textContent()).resolves.toContain(pa.mde_absolute.toFixed(3).replace(/0+$/, ''));
    await expect(page.getByTestId('xp-treatment-n').textContent()).resolves.toContain(
      expected.experiment_design.sample_size.treatment_n!.toLocaleString('en-US'),
    );
    expect(await page.locator('main').textContent()).not.toMatch(/NaN|undefined/);
    await page.screenshot({ path: artifactPath('e2e', 'experiments-design-power.png'), fullPage: true });
  });

  it('Settings: the default engine is a setting the analyzer follows', async () => {
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByTestId('settings-engine').selectOption('bayesian');
    await expect.poll(async () => (await app.env.engine.dispatch('settings:get', {})).experiments.engine, { timeout: 10_000 }).toBe('bayesian');
    await page.getByTestId('settings-engine').selectOption('frequentist');
    await expect.poll(async () => (await app.env.engine.dispatch('settings:get', {})).experiments.engine, { timeout: 10_000 }).toBe('frequentist');
  });

  it('the arms view at 800 px wide keeps its tables inside their card', async () => {
    await page.setViewportSize({ width: 800, height: 600 });
    await page.getByRole('link', { name: 'Experiments', exact: true }).click();
    await page.getByTestId('xp-tab-analyze').click();
    const panel = page.locator('#xp-panel-analyze');
    await panel.getByTestId('xp-analyze-run').click();
    await panel.getByTestId('xp-arms-table').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: artifactPath('e2e', 'experiments-abn-800.png'), fullPage: true });
    // Re-rendered at the new width, the forest plot still draws every arm's interval.
    await expect(panel.locator('[data-testid="xp-forest"] .recharts-errorBar').count()).resolves.toBeGreaterThanOrEqual(2);
    const wide = await page.evaluate(() => {
      const card = document.querySelector('[aria-labelledby="xp-results-title"]') as HTMLElement;
      const right = card.getBoundingClientRect().right;
      return [...card.querySelectorAll('*')]
        .filter((el) => el.getBoundingClientRect().right > right + 1 && !el.closest('.xp-table-wrap, .table-scroll'))
        .map((el) => `${el.tagName}.${(el as HTMLElement).className}`)
        .slice(0, 5);
    });
    expect(wide).toEqual([]);
  });

  it('no console errors', () => {
    expect(app.consoleErrors).toEqual([]);
  });
});
