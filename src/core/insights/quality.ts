import type { Finding, Guardrail } from '../../shared/contract';
import type { Ctx } from './context';
import { cite, type Cited } from './factbook';
import { dateToEpoch } from './format';
import { sum } from './series';

/** Data-quality checks that change how far the other findings can be trusted. */
export function dataQuality(ctx: Ctx): { findings: Finding[]; guardrails: Guardrail[] } {
  const { book, quality: q } = ctx;
  const items: { id: string; title: string; c: Cited; severity: Finding['severity']; advice: string }[] = [];
  if (q.missingDays.length) {
    const n = book.add('data.missing_days', 'Days without any events inside the period', q.missingDays.length, 'count');
    const first = book.add('data.first_missing_day', 'First day without events', dateToEpoch(q.missingDays[0]), 'date');
    items.push({
      id: 'data.missing_days',
      title: 'Days missing from the data',
      c: cite`The data has no events on ${n} ${q.missingDays.length === 1 ? 'day' : 'days'} inside the period, starting ${first}; daily rates and trends skip them.`,
      severity: q.missingDays.length >= 3 ? 'Medium' : 'Low',
      advice: 'Check the export or tracking for those days before reading day-level results.',
    });
  }
  if (q.outlierDays.length) {
    const n = book.add('data.outlier_days', 'Days with events far outside the main date range', q.outlierDays.length, 'count');
    items.push({
      id: 'data.outlier_days',
      title: 'Timestamps outside the main date range',
      c: cite`${n} ${q.outlierDays.length === 1 ? 'day has' : 'days have'} events more than a week away from the main block of data; they count in the totals but are left out of daily trends and anomaly checks.`,
      severity: 'Low',
      advice: 'Check the export for clock errors or stray historical rows.',
    });
  }
  if (q.leftEdgeDays.length) {
    const d = book.add(
      'data.left_edge_until',
      'Last of the opening days that hold most entrants',
      dateToEpoch(q.leftEdgeDays[q.leftEdgeDays.length - 1]),
      'date',
    );
    const share = book.add(
      'data.left_edge_share',
      'Share of entrants in the opening days',
      (100 * sum(q.leftEdgeDays.map((x) => entryOn(ctx, x)))) / Math.max(1, ctx.users[0]),
      'percent',
    );
    const panel =
      'users who were already active before the export began are counted as entering then, so this looks like a fixed panel of users rather than a flow of new traffic.';
    items.push({
      id: 'data.left_edge',
      title: 'Users active before the data begins',
      c: cite`${share} of users enter on or before ${d}, at the very start of the data: ${panel} Those opening days are left out of daily trends and anomaly checks.`,
      severity: 'Medium',
      advice: 'Read the funnel as a cohort of existing users; for daily trends, export a longer history.',
    });
  }
  if (ctx.censored.size && ctx.quality.days.length) {
    const n = book.add('data.censored_days', 'Most recent days whose cohorts may still be converting (the conversion window)', ctx.censored.size, 'days');
    items.push({
      id: 'data.censored',
      title: 'Recent cohorts are incomplete',
      c: cite`Users who entered in the last ${n} of the data have not all had the full conversion window yet, so those days are left out of trends, forecasts and period splits.`,
      severity: 'Low',
      advice: 'Judge recent days again once the window has passed.',
    });
  }
  q.truncatedFrom.forEach((from, i) => {
    if (!from || (i > 0 && q.truncatedFrom[i - 1] !== null)) return;
    const d = book.add(`data.stage.${ctx.keys[i]}.no_data_from`, `First day with no ${ctx.stages[i]} counts at the end of the data`, dateToEpoch(from), 'date');
    const leftOut = `those days are left out of daily rates, trends and anomaly checks for ${ctx.stages[i]} and later steps, and period totals here use only the days before it.`;
    items.push({
      id: `data.truncated.${ctx.keys[i]}`,
      title: `${ctx.stages[i]} counts stop before the end of the data`,
      c: cite`From ${d} on, the data has no ${ctx.stages[i]} counts although earlier days do; ${leftOut}`,
      severity: 'High',
      advice: `Numbers from other tools that include those days understate ${ctx.stages[i]} conversion; set the end date before the cut-off to match.`,
    });
  });
  if (q.smallDays.length) {
    const n = book.add('data.small_days', 'Days with very few users entering', q.smallDays.length, 'count');
    items.push({
      id: 'data.small_days',
      title: 'Some days have very few users',
      c: cite`${n} ${q.smallDays.length === 1 ? 'day has' : 'days have'} very few users entering, so their daily rates are noisy and are never flagged as anomalies on their own.`,
      severity: 'Low',
      advice: 'Read those days together with their neighbours.',
    });
  }
  if (ctx.users[0] < 100) {
    const n = book.need('funnel.total_users');
    items.push({
      id: 'data.tiny_sample',
      title: 'Small sample',
      c: cite`Only ${n} users entered the funnel, so most differences here cannot be told apart from noise.`,
      severity: 'Medium',
      advice: 'Widen the date range or drop filters before acting on these results.',
    });
  }
  if ((ctx.opts.dataWarnings ?? []).some((w) => /duplicate/i.test(w))) {
    items.push({
      id: 'data.duplicates',
      title: 'Duplicate events at import',
      c: cite`The import found duplicate events; funnel counts are per user, so they matter most for day-level reads.`,
      severity: 'Low',
      advice: 'Confirm the duplicates come from the export rather than from the tracking code.',
    });
  }
  return {
    findings: items.map((x) => ({
      id: x.id,
      kind: 'data_quality' as const,
      title: x.title,
      text: x.c.text,
      fact_ids: x.c.fact_ids,
      severity: x.severity,
      confidence: 0.95,
      score: x.severity === 'High' ? 60 : 25,
      stage: null,
      segment: null,
    })),
    guardrails: items.map((x) => ({
      type: 'data_quality' as const,
      severity: x.severity,
      message: x.c.text,
      metric: x.title,
      recommendation: x.advice,
      fact_ids: x.c.fact_ids,
    })),
  };
}

function entryOn(ctx: Ctx, day: string): number {
  return ctx.r.daily.find((d) => d.date.slice(0, 10) === day)?.users[0] ?? 0;
}
