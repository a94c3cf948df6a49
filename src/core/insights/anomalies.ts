import type { Anomaly, Finding } from '../../shared/contract';
import type { Ctx } from './context';
import { detectPoints, type FlaggedPoint } from './detect';
import { cite, type Cited } from './factbook';
import { daysBetween, dateToEpoch, weekday } from './format';
import { buildSeries, dailyQuality, type DailySeries } from './series';
import { anomalyHints } from './rootcause';

/** Anomalies on the overall, entry and step series, overall and per segment, with root-cause hints. */

export interface RawAnomaly {
  flag: FlaggedPoint;
  series: DailySeries;
  segment: { name: string; key: string } | null;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export function seriesInfo(ctx: Ctx, s: DailySeries): { key: string; label: string; stage: string | null; metric: Anomaly['metric'] } {
  if (s.id === 'entry')
    return { key: `stage.${ctx.keys[0]}.entry_users`, label: `users entering at ${ctx.stages[0]}`, stage: ctx.stages[0], metric: 'entry_users' };
  if (s.id === 'overall') return { key: 'overall_conversion_rate', label: 'overall conversion', stage: null, metric: 'overall_conversion_rate' };
  const i = s.stageIndex ?? 1;
  return {
    key: `stage.${ctx.keys[i]}.step_conversion_rate`,
    label: `${ctx.stages[i - 1]} → ${ctx.stages[i]} conversion`,
    stage: ctx.stages[i],
    metric: 'step_conversion_rate',
  };
}

export function detectAll(ctx: Ctx): RawAnomaly[] {
  const raws: RawAnomaly[] = [];
  for (const s of ctx.series) for (const flag of detectPoints(s.points, s.kind)) raws.push({ flag, series: s, segment: null });
  for (const seg of ctx.segments) {
    const daily = ctx.opts.segmentDaily?.[seg.name];
    if (!daily?.length) continue;
    for (const s of buildSeries(daily, ctx.stages.length, dailyQuality(daily, ctx.stages.length))) {
      for (const flag of detectPoints(s.points, s.kind)) raws.push({ flag, series: s, segment: { name: seg.name, key: seg.key } });
    }
  }
  return raws;
}

export function anomalies(ctx: Ctx): { anomalies: Anomaly[]; findings: Finding[]; skipDays: Set<string> } {
  const raws = detectAll(ctx);
  const lastDay = ctx.quality.days[ctx.quality.days.length - 1] ?? '';
  const out: Anomaly[] = [];
  const texts = new Map<Anomaly, Cited>();
  for (const a of raws) {
    const info = seriesInfo(ctx, a.series);
    const { flag } = a;
    const base = `anomaly.${info.key}${a.segment ? `.segment.${a.segment.key}` : ''}.${flag.date}`;
    const unit = a.series.kind === 'count' ? 'users' : 'percent';
    const label = `${info.label}${a.segment ? ` (${a.segment.name})` : ''} on ${flag.date}`;
    const date = ctx.book.add(`${base}.date`, `Day of the anomaly in ${info.label}`, dateToEpoch(flag.date), 'date');
    const obs = ctx.book.add(`${base}.observed`, `Observed ${label}`, flag.observed, unit);
    const exp = ctx.book.add(
      `${base}.expected`,
      `Expected ${label} (${flag.seasonal ? 'same-weekday median' : 'neighbouring-day median'})`,
      flag.expected,
      unit,
    );
    const rel = ctx.book.add(`${base}.change_relative`, `Relative deviation, ${label}`, 100 * flag.relative, 'percent', { signed: true });
    const score = ctx.book.add(`${base}.score`, `Robust z-score, ${label}`, flag.score, 'number', { signed: true });
    const drop = flag.score < 0;
    const censored = drop && a.series.kind === 'rate' && ctx.windowDays > 0 && daysBetween(flag.date, lastDay) < ctx.windowDays;
    const against = flag.seasonal ? `the usual ${WEEKDAYS[weekday(flag.date)]}` : 'the neighbouring days';
    const who = a.segment ? ` for ${a.segment.name}` : '';
    const text = cite`On ${date}, ${info.label}${who} ${drop ? 'dropped' : 'jumped'} to ${obs} against ${exp} expected from ${against} (${rel}, robust z ${score}).`;
    const relAbs = Math.abs(flag.relative);
    const confidence =
      (Math.abs(flag.score) >= 8 ? 0.9 : Math.abs(flag.score) >= 6 ? 0.8 : 0.7) *
      (flag.seasonal ? 1 : 0.85) *
      (censored ? 0.6 : 1) *
      (flag.trials < 100 ? 0.7 : 1);
    const anomaly: Anomaly = {
      id: base,
      date: flag.date,
      stage: info.stage,
      segment: a.segment?.name ?? null,
      metric: info.metric,
      observed: flag.observed,
      expected: flag.expected,
      direction: drop ? 'drop' : 'spike',
      score: flag.score,
      seasonal: flag.seasonal,
      severity: relAbs >= 0.25 || (relAbs >= 0.15 && Math.abs(flag.score) >= 8) ? 'High' : relAbs >= 0.15 ? 'Medium' : 'Low',
      confidence: Math.round(confidence * 100) / 100,
      hints: [],
      fact_ids: text.fact_ids,
    };
    texts.set(anomaly, text);
    out.push(anomaly);
  }
  for (const a of out) {
    const hints = anomalyHints(ctx, a, out, lastDay);
    a.hints = hints.map((h) => h.text);
    a.fact_ids = [...new Set([...a.fact_ids, ...hints.flatMap((h) => h.fact_ids)])];
  }
  const findings: Finding[] = [];
  const global = out.filter((a) => a.segment === null);
  const byDate = new Map<string, Anomaly[]>();
  for (const a of global) byDate.set(a.date, [...(byDate.get(a.date) ?? []), a]);
  const rank = (a: Anomaly) => (a.metric === 'step_conversion_rate' ? 3 : a.metric === 'overall_conversion_rate' ? 2 : 1) * 100 + Math.abs(a.score);
  for (const [, group] of byDate) {
    const primary = [...group].sort((x, y) => rank(y) - rank(x))[0];
    findings.push(toFinding(ctx, primary, texts.get(primary) ?? cite``, lastDay, false));
  }
  for (const a of out.filter((x) => x.segment !== null && !byDate.has(x.date))) findings.push(toFinding(ctx, a, texts.get(a) ?? cite``, lastDay, true));
  return { anomalies: out, findings, skipDays: new Set(global.map((a) => a.date)) };
}

function toFinding(ctx: Ctx, a: Anomaly, text: Cited, lastDay: string, segmentOnly: boolean): Finding {
  const hintText = a.hints.slice(0, 2).join(' ');
  const relAbs = Math.abs(a.observed - a.expected) / Math.max(Math.abs(a.expected), 1e-9);
  const recent = lastDay && daysBetween(a.date, lastDay) < 7 ? 5 : 0;
  const drop = a.direction === 'drop';
  const where = a.stage && a.metric !== 'overall_conversion_rate' ? ` at ${a.stage}` : '';
  return {
    id: `finding.${a.id}`,
    kind: 'anomaly',
    stage: a.stage,
    segment: a.segment,
    direction: drop ? 'down' : 'up',
    date: a.date,
    title: `${drop ? 'Unusual drop' : 'Unusual spike'}${where}${a.segment ? ` for ${a.segment}` : ''} on ${a.date}`,
    text: [text.text, hintText].filter(Boolean).join(' '),
    fact_ids: a.fact_ids,
    severity: a.severity,
    confidence: a.confidence,
    score: (drop ? 68 : 48) + 17 * Math.min(1, relAbs / 0.4) + recent - (a.confidence < 0.6 ? 20 : 0) - (segmentOnly ? 10 : 0),
  };
}
