import type { ExperimentSuggestion, Finding, Guardrail, InsightRecommendation } from '../../shared/contract';
import type { Ctx } from './context';
import { cite, join, type Cited } from './factbook';

/** Three readers, one set of facts: the data scientist gets the numbers, the executive the stakes, the PM the actions. */
export function summaries(
  ctx: Ctx,
  top: Finding[],
  recs: InsightRecommendation[],
  guardrails: Guardrail[],
  exps: ExperimentSuggestion[],
  anomalyCount: number,
): Record<'data_scientist' | 'executive' | 'product_manager', Cited> {
  const { book, stages } = ctx;
  const total = book.need('funnel.total_users');
  const done = book.need('funnel.completed_users');
  const overall = book.need('funnel.overall_conversion_rate');
  const opening = cite`${total} users entered ${stages[0]} and ${done} reached ${stages[stages.length - 1]} (${overall} overall).`;
  const n = book.add('anomalies.count', 'Days flagged as anomalous (all series)', anomalyCount, 'count');
  const ds = join([
    cite`${opening} Path: ${stages.join(' → ')}.`,
    ...top.map((f) => ({ text: f.text, fact_ids: f.fact_ids })),
    anomalyCount
      ? cite`The anomaly scan (same-weekday medians, robust scale) flagged ${n} series-day(s).`
      : cite`The anomaly scan (same-weekday medians, robust scale) flagged nothing.`,
    ctx.segments.length >= 2 ? cite`Segment differences are pairwise two-proportion z-tests with Holm correction across all segment pairs and steps.` : cite``,
  ]);
  const rec = recs[0];
  const title = (r: InsightRecommendation): Cited => ({ text: lower(r.title), fact_ids: r.fact_ids });
  const risk = guardrails.find((g) => g.severity === 'High') ?? guardrails[0];
  const opp = recs.find((r) => r.fact_ids.some((id) => id.endsWith('.completions_high')));
  const hi = opp ? book.get(opp.fact_ids.find((id) => id.endsWith('.completions_high')) ?? '') : undefined;
  const lo = opp ? book.get(opp.fact_ids.find((id) => id.endsWith('.completions_low')) ?? '') : undefined;
  const urgent = rec && rec !== opp && rec.priority === 'High' ? rec : undefined;
  const exec = join([
    cite`${overall} of users who start the funnel complete it (${done} of ${total}).`,
    opp && hi && lo
      ? cite`The biggest opportunity is to ${title(opp)}, worth an estimated ${lo} to ${hi} more completions over a period like this one.`
      : cite`No single step stands out as an opportunity.`,
    urgent
      ? cite`Before that: ${title(urgent)}, because ${{ text: firstSentence(urgent.rationale), fact_ids: urgent.fact_ids }}`
      : risk
        ? cite`Main caveat: ${{ text: firstSentence(risk.message), fact_ids: risk.fact_ids }}`
        : cite``,
  ]);
  const exp = exps.find((e) => e.duration_days <= 91) ?? exps[0];
  const pm = join([
    recs.length ? cite`Do first: ${title(rec)} (${rec.priority} priority).` : cite`Nothing needs action right now; keep monitoring.`,
    recs[1] ? cite`Then: ${title(recs[1])}.` : cite``,
    exp ? cite`Suggested test: ${{ text: exp.sample_size, fact_ids: exp.fact_ids }}, ${{ text: exp.duration, fact_ids: exp.fact_ids }}.` : cite``,
    risk ? cite`Guardrail: ${risk.recommendation}` : cite``,
  ]);
  return { data_scientist: ds, executive: exec, product_manager: pm };
}

function firstSentence(s: string): string {
  const m = /^(.+?[.!?])(\s|$)/.exec(s);
  const t = m ? m[1] : s;
  return t.charAt(0).toLowerCase() + t.slice(1);
}

function lower(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
