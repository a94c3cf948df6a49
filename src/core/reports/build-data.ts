import type { FunnelResult } from '../../shared/contract';
import type { InsightsReport } from '../../shared/contract/insights';
import { idKey, type ReportFacts } from './facts';
import type { AnomalyRow, BandPoint, FunnelStageRow, KeyMetric, SegmentRow, Trend, TrendPoint } from './model';
import { denseBlock } from '../funnel/dense-range';

/** The funnel's numbers as report rows: every figure through ReportFacts, reusing the analyst's ids. */

const pct = (num: number, den: number) => (den > 0 ? (100 * num) / den : 0);

function direction(change: number): KeyMetric['direction'] {
  return Math.abs(change) < 1e-9 ? 'flat' : change > 0 ? 'up' : 'down';
}

export function funnelRows(r: FunnelResult, facts: ReportFacts): FunnelStageRow[] {
  const users = r.stages.map((s) => s.users);
  const prev = r.previous_period && r.previous_period.stages.length === r.stages.length ? r.previous_period.stages.map((s) => s.users) : null;
  return r.stages.map((s, i) => {
    const k = idKey(s.stage_name);
    const row: FunnelStageRow = {
      name: s.stage_name,
      users: facts.pick([`stage.${k}.users`], `stage.${k}.users`, `Users reaching ${s.stage_name}`, users[i], 'users'),
      conversion: facts.pick(
        [`stage.${k}.conversion_rate`],
        `stage.${k}.conversion_rate`,
        `Share of entrants reaching ${s.stage_name}`,
        pct(users[i], users[0]),
        'percent',
      ),
      step: null,
      drop: null,
      previous_users: prev
        ? facts.pick(
            [`period.previous.stage.${k}.users`],
            `report.previous.stage.${k}.users`,
            `Users reaching ${s.stage_name} in the previous period`,
            prev[i],
            'users',
          )
        : null,
    };
    if (i > 0) {
      const prevName = r.stages[i - 1].stage_name;
      row.step = facts.pick(
        [`stage.${k}.step_conversion_rate`],
        `stage.${k}.step_conversion_rate`,
        `${prevName} → ${s.stage_name} step conversion`,
        pct(users[i], users[i - 1]),
        'percent',
      );
      row.drop = facts.pick(
        [`stage.${k}.drop_off_rate`],
        `stage.${k}.drop_off_rate`,
        `Drop-off from ${prevName} to ${s.stage_name}`,
        100 - pct(users[i], users[i - 1]),
        'percent',
      );
    }
    return row;
  });
}

export function keyMetrics(r: FunnelResult, facts: ReportFacts): KeyMetric[] {
  const users = r.stages.map((s) => s.users);
  const last = users.length - 1;
  const prev =
    r.previous_period && r.previous_period.stages.length === r.stages.length && r.previous_period.total_users > 0
      ? r.previous_period.stages.map((s) => s.users)
      : null;
  const out: KeyMetric[] = [];
  const metric = (
    label: string,
    cur: number,
    prv: number | null,
    unit: 'percent' | 'users',
    ids: { cur: string; prev: string; change: string },
    higherIsBetter: boolean,
    note: string | null,
  ) => {
    const changeUnit = unit === 'percent' ? 'pp' : 'users';
    const change = prv === null ? null : cur - prv;
    const current = facts.pick([ids.cur], ids.cur, label, cur, unit);
    const previous = prv === null ? null : facts.pick([ids.prev], ids.prev, `${label}, previous period`, prv, unit);
    const changeFact =
      change === null
        ? null
        : unit === 'percent'
          ? facts.pick([ids.change], ids.change, `${label}: change vs previous period`, change, changeUnit, true)
          : facts.pick([ids.change], ids.change, `${label}: change vs previous period (relative)`, prv ? (100 * change) / prv : 0, 'percent', true);
    const dir = change === null ? null : direction(change);
    const tone = dir === null || dir === 'flat' ? 'neutral' : (dir === 'up') === higherIsBetter ? 'good' : 'bad';
    out.push({ label, current, previous, baseline_label: 'previous period', change: changeFact, direction: dir, tone, note });
  };
  metric(
    'Overall conversion',
    pct(users[last], users[0]),
    prev ? pct(prev[last], prev[0]) : null,
    'percent',
    { cur: 'funnel.overall_conversion_rate', prev: 'period.previous.overall_conversion_rate', change: 'period.change.overall_conversion_rate' },
    true,
    `${r.stages[0].stage_name} → ${r.stages[last].stage_name}`,
  );
  metric(
    `Users entering (${r.stages[0].stage_name})`,
    users[0],
    prev ? prev[0] : null,
    'users',
    { cur: 'funnel.total_users', prev: 'period.previous.total_users', change: 'period.change.total_users_relative' },
    true,
    null,
  );
  metric(
    `Users completing (${r.stages[last].stage_name})`,
    users[last],
    prev ? prev[last] : null,
    'users',
    { cur: 'funnel.completed_users', prev: 'report.previous.completed_users', change: 'report.change.completed_users_relative' },
    true,
    null,
  );
  // The weakest step is the one a reader acts on; its drop-off is "lower is better".
  let worst = 1;
  for (let i = 2; i <= last; i++) if (pct(users[i], users[i - 1]) < pct(users[worst], users[worst - 1])) worst = i;
  if (last >= 1) {
    const k = idKey(r.stages[worst].stage_name);
    const cur = 100 - pct(users[worst], users[worst - 1]);
    const prv = prev && prev[worst - 1] > 0 ? 100 - pct(prev[worst], prev[worst - 1]) : null;
    metric(
      `Largest drop-off (${r.stages[worst - 1].stage_name} → ${r.stages[worst].stage_name})`,
      cur,
      prv,
      'percent',
      { cur: `stage.${k}.drop_off_rate`, prev: `report.previous.stage.${k}.drop_off_rate`, change: `report.change.stage.${k}.drop_off_rate` },
      false,
      null,
    );
  }
  return out;
}

export function segmentRows(r: FunnelResult, facts: ReportFacts): { by: string; rows: SegmentRow[] } | null {
  if (!r.segment_breakdown || !r.segment_by) return null;
  const rows = Object.entries(r.segment_breakdown)
    .map(([name, core]) => ({ name, core }))
    .sort((a, b) => b.core.total_users - a.core.total_users)
    .slice(0, 12)
    .map(({ name, core }) => {
      const k = idKey(name);
      const u = core.stages.map((s) => s.users);
      return {
        segment: name,
        users: facts.pick([`segment.${k}.total_users`], `segment.${k}.total_users`, `Users entering, ${name}`, u[0] ?? 0, 'users'),
        conversion: facts.pick(
          [`segment.${k}.overall_conversion_rate`],
          `segment.${k}.overall_conversion_rate`,
          `Overall conversion, ${name}`,
          pct(u[u.length - 1] ?? 0, u[0] ?? 0),
          'percent',
        ),
      };
    });
  return rows.length ? { by: r.segment_by, rows } : null;
}

/**
 * Fewest entrants a day needs to appear in the trend: a fifth of the median day, at least 2 and at
 * most 20 (so small datasets keep their days, and one-user days never set the peak).
 */
export function minTrendUsers(entries: readonly number[]): number {
  if (entries.length === 0) return 2;
  const sorted = [...entries].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  return Math.max(2, Math.min(20, Math.ceil(median / 5)));
}

function niceMax(x: number): number {
  if (x <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

export function trend(r: FunnelResult, insights: InsightsReport | null, facts: ReportFacts, maxAnomalies: number): Trend | null {
  const all = r.daily.filter((d) => (d.users[0] ?? 0) > 0);
  // A few stray events (a clock-skewed device, one row from months before) would squeeze the real
  // series into a corner: the chart keeps the block of days, between gaps longer than
  // ISOLATION_DAYS, that holds the most entrants.
  const { from: start, to: end } = denseBlock(all);
  const block = all.slice(start, end);
  // A day with a handful of entrants has a rate of 0% or 100% by chance: it would set the chart's
  // peak (and the axis) on its own, so such days are left out of the trend and counted.
  const floor = minTrendUsers(block.map((d) => d.users[0]));
  const days = block.filter((d) => d.users[0] >= floor);
  const small = block.length - days.length;
  if (days.length < 2) return null;
  const last = r.stages.length - 1;
  const points: TrendPoint[] = days.map((d) => ({
    date: facts.day(`report.daily.${d.date.slice(0, 10)}.date`, `Day of the daily series`, d.date),
    value: facts.derive(
      `report.daily.${d.date.slice(0, 10)}.overall_conversion_rate`,
      `Overall conversion of users starting on ${d.date.slice(0, 10)}`,
      pct(d.users[last] ?? 0, d.users[0]),
      'percent',
    ),
    entries: facts.derive(`report.daily.${d.date.slice(0, 10)}.entries`, `Users starting on ${d.date.slice(0, 10)}`, d.users[0], 'users'),
  }));
  let top = Math.max(...points.map((p) => p.value.value));
  let forecast: Trend['forecast'] = null;
  const fc = insights?.forecast.overall;
  if (fc && fc.points.length) {
    // The analyst's forecast is in percent like the funnel; a fraction-scaled series is rescaled once here.
    const scale = Math.max(...fc.points.map((p) => p.upper)) <= 1 && top > 1.5 ? 100 : 1;
    const band: BandPoint[] = fc.points.map((p) => {
      const d = p.date.slice(0, 10);
      return {
        date: facts.day(`report.forecast.${d}.date`, 'Forecast day', d),
        value: facts.derive(`report.forecast.${d}.value`, `Forecast overall conversion on ${d}`, p.value * scale, 'percent'),
        lower: facts.derive(`report.forecast.${d}.lower`, `Forecast lower bound on ${d}`, Math.max(0, p.lower * scale), 'percent'),
        upper: facts.derive(`report.forecast.${d}.upper`, `Forecast upper bound on ${d}`, p.upper * scale, 'percent'),
      };
    });
    top = Math.max(top, ...band.map((b) => b.upper.value));
    facts.cite(fc.fact_ids);
    const crossing =
      fc.crossing_date && fc.threshold !== null
        ? {
            text: `Forecast crosses the threshold on ${facts.day('report.forecast.crossing_date', 'Forecast threshold crossing', fc.crossing_date).display}.`,
            fact_ids: fc.fact_ids,
            source: 'computed' as const,
          }
        : null;
    forecast = { method: fc.method, points: band, crossing };
  }
  const anomalies: AnomalyRow[] = (insights?.anomalies ?? [])
    .slice()
    .sort((a, b) => Math.abs(b.score) - Math.abs(a.score))
    .slice(0, maxAnomalies)
    .map((a) => {
      const unit = a.metric === 'entry_users' ? 'users' : 'percent';
      const base = `report.anomaly.${idKey(a.id)}`;
      facts.cite(a.fact_ids);
      return {
        date: facts.day(`${base}.date`, 'Anomaly day', a.date),
        metric: a.metric.replace(/_/g, ' '),
        stage: a.stage,
        segment: a.segment,
        direction: a.direction,
        observed: facts.pick(a.fact_ids, `${base}.observed`, `Observed ${a.metric.replace(/_/g, ' ')} on ${a.date}`, a.observed, unit),
        expected: facts.pick(a.fact_ids, `${base}.expected`, `Expected ${a.metric.replace(/_/g, ' ')} on ${a.date}`, a.expected, unit),
        score: facts.pick(a.fact_ids, `${base}.score`, 'Robust z-score', a.score, 'number', true),
        severity: a.severity,
        hints: a.hints,
      };
    });
  const axisMax = facts.derive('report.trend.axis_max', 'Top of the trend chart axis', Math.min(100, niceMax(top * 1.05)), 'percent');
  const axisMin = facts.derive('report.trend.axis_min', 'Bottom of the trend chart axis', 0, 'percent');
  return {
    axis_min: axisMin,
    left_out: start + (all.length - end),
    left_out_small: small,
    min_day_users: floor,
    metric_label: `Overall conversion (${r.stages[0].stage_name} → ${r.stages[last].stage_name}) by day of first step`,
    points,
    forecast,
    anomalies,
    axis_max: axisMax,
  };
}
