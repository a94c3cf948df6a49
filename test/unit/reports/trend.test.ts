import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FunnelResult } from '../../../src/shared/contract';
import { analyzeFunnel } from '../../../src/core/insights';
import { buildReportModel, groundReport, renderHtml, renderMarkdown } from '../../../src/core/reports';
import { denseRange } from '../../../src/core/funnel/dense-range';
import { artifactPath } from '../../helpers/browser';

/**
 * A simulated six-week series with a slow decline and one planted drop, so the analyst produces a
 * forecast band and an anomaly: the chart must draw both, and the tables must list them as facts.
 */
function simulated(): FunnelResult {
  const daily = Array.from({ length: 42 }, (_, i) => {
    const date = new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10);
    const entries = 2000 + ((i * 37) % 50);
    const noise = (((i * 7919) % 13) - 6) * 0.003;
    const rate = 0.3 - i * 0.0015 + noise - (i === 30 ? 0.14 : 0);
    const mid = Math.round(entries * 0.6);
    return { date, users: [entries, mid, Math.round(entries * rate)] };
  });
  const sum = (k: number) => daily.reduce((a, d) => a + d.users[k], 0);
  const u = [sum(0), sum(1), sum(2)];
  const stages = ['visit', 'cart', 'order'].map((n, i) => ({
    stage_name: n,
    users: u[i],
    conversion_rate: (100 * u[i]) / u[0],
    step_conversion_rate: i ? (100 * u[i]) / u[i - 1] : 100,
    drop_off_rate: i ? 100 - (100 * u[i]) / u[i - 1] : 0,
  }));
  return {
    stages,
    overall_conversion_rate: (100 * u[2]) / u[0],
    total_users: u[0],
    completed_users: u[2],
    date_range: { start: daily[0].date, end: daily[41].date },
    segment_by: null,
    segment_breakdown: null,
    previous_period: null,
    daily,
    time_to_convert: [],
    definition: {
      steps: [{ event: 'visit' }, { event: 'cart' }, { event: 'order' }],
      window: '7d',
      mode: 'any-start',
      strict: false,
      include: {},
      exclude: {},
      tz: 'UTC',
    },
    dataset_id: 'ds_sim',
    computed_ms: 1,
  };
}

describe('trend chart', () => {
  it('draws the forecast band and flags the planted anomaly; all numbers are facts', () => {
    const funnel = simulated();
    const insights = analyzeFunnel(funnel);
    const m = buildReportModel({
      audience: 'data_scientist',
      generated_at: '2026-03-01T00:00:00.000Z',
      funnel,
      insights,
      experiment: null,
      narration: null,
      source: { dataset_name: 'simulated', dataset_id: 'ds_sim', funnel_id: null, funnel_name: null },
    });
    expect(m.trend?.points.length).toBe(42);
    expect(m.trend?.forecast?.points.length).toBeGreaterThan(0);
    expect(m.trend?.anomalies.some((a) => a.date.display === '2026-01-31')).toBe(true);
    const html = renderHtml(m);
    fs.writeFileSync(artifactPath('reports', 'simulated-trend.html'), html);
    expect(html).toContain('<polygon');
    expect(html).toMatch(/stroke="#b91c1c"/);
    const md = renderMarkdown(m);
    expect(md).toContain('### Forecast');
    expect(md).toMatch(/\| 2026-01-31 \| [\d,]+ \| [\d.]+% \| ⚠ anomaly \|/);
    expect(groundReport(m, html, [...insights.facts, ...m.facts]).ungrounded).toEqual([]);
  });
});

describe('trend chart: tiny and stray days (issue 15, item 6)', () => {
  it('leaves out a one-user day (100% by chance) and an isolated day far from the rest, and says so', () => {
    const funnel = simulated();
    // One user on the day after the series, who converted; three users 90 days before it.
    funnel.daily = [{ date: '2025-10-03', users: [3, 2, 1] }, ...funnel.daily, { date: '2026-02-12', users: [1, 1, 1] }];
    funnel.date_range = { start: '2025-10-03', end: '2026-02-12' };
    funnel.dense_range = denseRange(funnel.daily);
    expect(funnel.dense_range).toEqual({ start: '2026-01-01', end: '2026-02-12', left_out_days: ['2025-10-03'], left_out_users: 3 });
    const insights = analyzeFunnel(funnel);
    const m = buildReportModel({
      audience: 'executive',
      generated_at: '2026-03-01T00:00:00.000Z',
      funnel,
      insights,
      experiment: null,
      narration: null,
      source: { dataset_name: 'simulated', dataset_id: 'ds_sim', funnel_id: null, funnel_name: null },
    });
    const t = m.trend!;
    expect(t.points.map((p) => p.date.display)).not.toContain('2026-02-12');
    expect(t.points[0].date.display).toBe('2026-01-01');
    expect(t.points.length).toBe(42);
    expect(Math.max(...t.points.map((p) => p.value.value))).toBeLessThan(40);
    expect(t.axis_max.value).toBeLessThan(100);
    expect(t.left_out).toBe(1);
    expect(t.left_out_small).toBe(1);
    const html = renderHtml(m);
    expect(html).toMatch(/One isolated day outside 2026-01-01 – 2026-02-11 is left out/);
    expect(html).toMatch(/One day with fewer than 20 users starting is left out/);
    // The cover's period is the main block, not a range stretched back to October.
    expect(html).toMatch(/2026-01-01 to 2026-02-12 <span class="muted small">\(plus 1 isolated day, 2025-10-03, counted in the totals\)/);
    expect(renderMarkdown(m)).toMatch(/\*\*Period:\*\* 2026-01-01 to 2026-02-12 \(plus 1 isolated day, 2025-10-03/);
    expect(groundReport(m, html, [...insights.facts, ...m.facts]).ungrounded).toEqual([]);
  });
});
