import type { Comparison, Finding } from '../../shared/contract';
import { tQuantile, tTwoSidedP } from '../stats';
import { holm } from '../stats';
import { twoProportionZTest } from '../stats';
import type { Ctx } from './context';
import { cite, mag, type Cited } from './factbook';
import { canModelWeekdays, designRow, ols, sum, usable, value, type DailySeries } from './series';

/** Period over period, week over week, and the slope of each daily conversion series. */

export interface SlopeResult {
  seriesId: string;
  perWeek: number;
  lo: number;
  hi: number;
  p: number;
  mean: number;
  n: number;
}

/** Trend with weekday effects when the series covers every weekday twice; CI from the t distribution. */
export function fitSlope(s: DailySeries, skip: ReadonlySet<string> = new Set()): SlopeResult | null {
  const pts = s.points.map((p, t) => ({ p, t })).filter(({ p }) => usable(p, s.kind) && !skip.has(p.date));
  if (pts.length < 7) return null;
  const seasonal = canModelWeekdays(pts.map(({ p }) => p.date)) && pts.length >= 21;
  const X = pts.map(({ p, t }) => designRow(t, p.date, seasonal));
  const y = pts.map(({ p }) => value(p, s.kind));
  const fit = ols(X, y);
  if (!fit) return null;
  const se = Math.sqrt(fit.cov[1][1]);
  const b = fit.beta[1];
  const q = tQuantile(0.975, fit.df);
  const p = se > 0 ? tTwoSidedP(b / se, fit.df) : 1;
  return { seriesId: s.id, perWeek: 7 * b, lo: 7 * (b - q * se), hi: 7 * (b + q * se), p, mean: sum(y) / y.length, n: y.length };
}

function seriesLabel(ctx: Ctx, id: string): { key: string; label: string; stage: string | null } {
  if (id === 'overall') return { key: 'overall_conversion_rate', label: 'overall conversion', stage: null };
  const i = Number(id.split(':')[1]);
  return { key: `stage.${ctx.keys[i]}.step_conversion_rate`, label: `${ctx.stages[i - 1]} → ${ctx.stages[i]} conversion`, stage: ctx.stages[i] };
}

export function trends(ctx: Ctx, skipDays: ReadonlySet<string>): { findings: Finding[]; comparisons: Comparison[]; slopes: SlopeResult[] } {
  const findings: Finding[] = [];
  const comparisons: Comparison[] = [];
  const last = ctx.stages.length - 1;
  const { book, r } = ctx;
  const prev = r.previous_period;
  if (prev && book.get('period.previous.overall_conversion_rate') && prev.stages.length === ctx.stages.length) {
    const cur = book.need('funnel.overall_conversion_rate');
    const old = book.need('period.previous.overall_conversion_rate');
    const pu = prev.stages.map((s) => s.users);
    const test = safeTest(pu[last], pu[0], ctx.users[last], ctx.users[0]);
    const change = book.add('trend.pop.overall_conversion_rate.change_pp', 'Overall conversion, change from the previous period', cur.value - old.value, 'pp', {
      signed: true,
    });
    const p = book.add('trend.pop.overall_conversion_rate.p', 'Two-proportion test, current vs previous period', test, 'p');
    const rel =
      old.value > 0
        ? book.add(
            'trend.pop.overall_conversion_rate.change_relative',
            'Overall conversion, relative change from the previous period',
            100 * (cur.value / old.value - 1),
            'percent',
            { signed: true },
          )
        : null;
    const sig = test < 0.05;
    const dir = change.value < 0 ? 'fell' : 'rose';
    const text = sig
      ? cite`Overall conversion ${dir} from ${old} in the previous period to ${cur} (${mag(change)}${rel ? cite`, ${mag(rel)} relative` : cite``}; ${p}).`
      : cite`Overall conversion is statistically unchanged from the previous period (${old} then, ${cur} now; ${p}).`;
    comparisons.push({
      kind: 'period',
      metric: 'overall_conversion_rate',
      a: 'current',
      b: 'previous',
      significant: sig,
      text: text.text,
      fact_ids: text.fact_ids,
    });
    if (sig) {
      const relV = Math.abs(rel?.value ?? 0) / 100;
      findings.push({
        id: 'trend.pop.overall_conversion_rate',
        kind: 'trend',
        stage: null,
        segment: null,
        direction: change.value < 0 ? 'down' : 'up',
        title: change.value < 0 ? 'Conversion is down on the previous period' : 'Conversion is up on the previous period',
        text: text.text,
        fact_ids: text.fact_ids,
        severity: change.value < 0 && relV >= 0.1 ? 'High' : relV >= 0.05 ? 'Medium' : 'Low',
        confidence: test < 0.001 ? 0.9 : 0.75,
        score: (change.value < 0 ? 62 : 45) + 20 * Math.min(1, relV * 4),
      });
    }
  }
  const overall = ctx.series.find((s) => s.id === 'overall');
  if (overall) {
    const pts = overall.points.filter((p) => usable(p, 'rate') && !skipDays.has(p.date));
    if (pts.length >= 14) {
      const lastWeek = pts.slice(-7);
      const prevWeek = pts.slice(-14, -7);
      const [s1, n1, s0, n0] = [
        sum(lastWeek.map((p) => p.successes)),
        sum(lastWeek.map((p) => p.trials)),
        sum(prevWeek.map((p) => p.successes)),
        sum(prevWeek.map((p) => p.trials)),
      ];
      if (n1 > 0 && n0 > 0) {
        const a = book.add('trend.wow.overall_conversion_rate.current', 'Overall conversion, last week of complete data', (100 * s1) / n1, 'percent');
        const b = book.add('trend.wow.overall_conversion_rate.previous', 'Overall conversion, the week before', (100 * s0) / n0, 'percent');
        const ch = book.add('trend.wow.overall_conversion_rate.change_pp', 'Overall conversion, week over week change', a.value - b.value, 'pp', {
          signed: true,
        });
        const pv = safeTest(s0, n0, s1, n1);
        const p = book.add('trend.wow.overall_conversion_rate.p', 'Two-proportion test, last week vs the week before', pv, 'p');
        const sig = pv < 0.05;
        const text = sig
          ? cite`Week over week, overall conversion ${ch.value < 0 ? 'dropped' : 'improved'} from ${b} to ${a} (${mag(ch)}, ${p}).`
          : cite`Week over week, overall conversion held steady (${b} then ${a}; ${p}).`;
        comparisons.push({
          kind: 'period',
          metric: 'overall_conversion_rate.wow',
          a: 'last week',
          b: 'previous week',
          significant: sig,
          text: text.text,
          fact_ids: text.fact_ids,
        });
        if (sig) {
          findings.push({
            id: 'trend.wow.overall_conversion_rate',
            kind: 'trend',
            stage: null,
            segment: null,
            direction: ch.value < 0 ? 'down' : 'up',
            title: ch.value < 0 ? 'Conversion fell week over week' : 'Conversion rose week over week',
            text: text.text,
            fact_ids: text.fact_ids,
            severity: ch.value < 0 && Math.abs(ch.value) / Math.max(b.value, 1e-9) >= 0.1 ? 'High' : 'Medium',
            confidence: pv < 0.001 ? 0.85 : 0.7,
            score: (ch.value < 0 ? 58 : 42) + 15 * Math.min(1, (4 * Math.abs(ch.value)) / Math.max(b.value, 1e-9)),
          });
        }
      }
    }
  }
  const slopes = ctx.series
    .filter((s) => s.kind === 'rate')
    .map((s) => fitSlope(s, skipDays))
    .filter((x): x is SlopeResult => x !== null);
  const adj = holm(slopes.map((s) => s.p));
  slopes.forEach((s, i) => {
    const { key, label, stage } = seriesLabel(ctx, s.seriesId);
    const base = `trend.daily.${key}`;
    const slope = book.add(`${base}.slope_pp_per_week`, `Daily ${label}: linear trend per week (weekday-adjusted when the series allows)`, s.perWeek, 'pp', {
      signed: true,
    });
    const lo = book.add(`${base}.slope_ci_low`, `Daily ${label}: lower end of the confidence interval of the weekly trend`, s.lo, 'pp', { signed: true });
    const hi = book.add(`${base}.slope_ci_high`, `Daily ${label}: upper end of the confidence interval of the weekly trend`, s.hi, 'pp', { signed: true });
    const p = book.add(`${base}.slope_p_adjusted`, `Daily ${label}: Holm-adjusted p-value of the trend`, adj[i], 'p');
    const relWeekly = Math.abs(s.perWeek) / Math.max(Math.abs(s.mean), 1e-9);
    if (!(adj[i] < 0.05) || relWeekly < 0.01) return;
    // Severe when fast, or when a slower slope has added up to a large change over the period.
    const serious = relWeekly >= 0.05 || (relWeekly * s.n) / 7 >= 0.15;
    const down = s.perWeek < 0;
    const caveat: Cited =
      down && ctx.r.definition.window === 'none'
        ? cite` With no conversion window, recent cohorts have had less time to convert, which alone makes a series drift down.`
        : cite``;
    const text = cite`${capitalize(label)} is ${down ? (serious ? 'falling steadily' : 'drifting down') : 'climbing'} by about ${mag(slope)} per week (CI ${lo} to ${hi}, ${p}).${caveat}`;
    findings.push({
      id: `trend.slope.${key}`,
      kind: 'trend',
      stage,
      segment: null,
      direction: down ? 'down' : 'up',
      title: down ? `${capitalize(label)} is in steady decline` : `${capitalize(label)} is improving`,
      text: text.text,
      fact_ids: text.fact_ids,
      severity: down ? (serious ? 'High' : 'Medium') : 'Low',
      confidence: adj[i] < 0.001 ? 0.9 : 0.75,
      score: (down ? 64 : 40) + 20 * Math.min(1, relWeekly * 10) + (stage === null ? 3 : 0),
    });
  });
  return { findings, comparisons, slopes };
}

function safeTest(s0: number, n0: number, s1: number, n1: number): number {
  try {
    return twoProportionZTest({ successes: s0, n: n0 }, { successes: s1, n: n1 }).p_value;
  } catch {
    return 1;
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
