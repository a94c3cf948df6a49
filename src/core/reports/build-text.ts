import { modeText, type FunnelResult } from '../../shared/contract';
import type { Audience, InsightsReport } from '../../shared/contract/insights';
import type { ReportFacts } from './facts';
import type { ActionItem, ExperimentReadout, KeyMetric, Prose, ReportGuardrail, ReportRecommendation } from './model';

/**
 * The computed prose: the analyst's audience summary first, then sentences assembled only from
 * fact displays and names, so the text passes the same grounding check a model's text must pass.
 */

interface SummaryInput {
  audience: Audience;
  insights: InsightsReport | null;
  experiment: ExperimentReadout | null;
  keyMetrics: KeyMetric[];
  recs: ReportRecommendation[];
  guardrails: ReportGuardrail[];
  facts: ReportFacts;
}

const computed = (text: string, fact_ids: string[]): Prose => ({ text, fact_ids, source: 'computed' });

function metricSentence(m: KeyMetric): Prose {
  const ids = [m.current.id, ...(m.previous ? [m.previous.id] : []), ...(m.change ? [m.change.id] : [])];
  if (!m.previous || !m.change) return computed(`${m.label}: ${m.current.display}.`, ids);
  const moved = m.direction === 'flat' ? 'unchanged from' : m.direction === 'up' ? 'up from' : 'down from';
  return computed(`${m.label} is ${m.current.display}, ${moved} ${m.previous.display} (${m.baseline_label}; ${m.change.display}).`, ids);
}

function join(parts: Prose[]): Prose {
  return computed(parts.map((p) => p.text).join(' '), [...new Set(parts.flatMap((p) => p.fact_ids))]);
}

function experimentSentence(x: ExperimentReadout): Prose {
  const p = x.metrics[0];
  const head = `The experiment (${x.treatment_label} vs ${x.control_label}) reads ${x.decision} with ${x.confidence.toLowerCase()} confidence.`;
  if (!p) return computed(`${head} ${x.rationale.text}`, x.rationale.fact_ids);
  const sig = p.significant ? 'a significant difference' : 'no significant difference';
  return computed(
    `${head} On ${p.metric}, ${x.treatment_label} shows ${p.treatment.display} against ${p.control.display} for ${x.control_label} (${p.difference.display}, ${p.p_value.display}): ${sig}.`,
    [p.treatment.id, p.control.id, p.difference.id, p.p_value.id],
  );
}

/**
 * Two to three paragraphs. With `lead` (grounded model prose), that prose is the first paragraph
 * and the rest is chosen around it: what it already says is not repeated.
 */
export function computedSummary(s: SummaryInput, lead: Prose[] = []): Prose[] {
  const out: Prose[] = [...lead];
  const sheet = s.insights?.summary;
  const citations = s.insights?.citations ?? {};
  const own = lead.length
    ? lead.map((p) => p.text).join(' ')
    : sheet
      ? s.audience === 'executive'
        ? sheet.executive
        : s.audience === 'product_manager'
          ? sheet.product_manager
          : sheet.data_scientist
      : '';
  const ownKey = `summary.${s.audience === 'data_scientist' ? 'data_scientist' : s.audience}`;
  const metrics = join(s.keyMetrics.slice(0, 2).map(metricSentence));
  if (!lead.length) {
    if (own) out.push(computed(own, citations[ownKey] ?? s.facts.citeText(own)));
    else if (s.keyMetrics.length) out.push(metrics);
  }
  // A second numbers paragraph only adds something when it compares periods or arms.
  if (own && s.audience !== 'executive' && s.keyMetrics.some((k) => k.previous)) out.push(metrics);

  // The analyst's summary may already name the top recommendation: then lead with the next one.
  const mentioned = (title: string) => own.toLowerCase().includes(title.toLowerCase().slice(0, 40));
  const top = s.recs.find((r) => !mentioned(r.title));
  const x = s.experiment;
  if (x) out.push(experimentSentence(x));
  else if (top) {
    const first = top === s.recs[0];
    const lead = !first
      ? 'Also worth doing'
      : s.audience === 'executive'
        ? 'The largest opportunity'
        : s.audience === 'product_manager'
          ? 'First action'
          : 'The highest-priority recommendation';
    out.push(computed(`${lead}: ${top.title}. ${top.expected_impact.text}`, top.expected_impact.fact_ids));
  } else if (!out.includes(metrics) && s.keyMetrics.length) out.push(metrics);
  // The analyst's summary often already names the top risk: do not say it twice.
  const risk = s.guardrails.find((g) => !own.includes(g.message.text.slice(0, 60)));
  const second = s.recs.find((r) => r !== top && r !== s.recs[0] && !mentioned(r.title));
  const tail: Prose[] = [];
  if (risk) tail.push(computed(`Main risk to watch (${risk.severity.toLowerCase()} severity): ${risk.message.text}`, risk.message.fact_ids));
  else if (!s.guardrails.length) tail.push(computed('No guardrail or trade-off warning was raised for this period.', []));
  if (second && s.audience !== 'executive') tail.push(computed(`Next in line: ${second.title}.`, []));
  if (tail.length) out.push(join(tail));
  if (out.length < 2) out.push(computed('The sections below give the figures behind this summary, the recommendations and the facts they rest on.', []));
  // Two to three paragraphs: the seed's executive summary shape.
  return out.slice(0, 3);
}

function ownerFor(title: string, audience: Audience): string {
  if (audience === 'executive') return 'Product lead';
  if (/experiment|test|a\/b/i.test(title)) return 'Data science + product';
  if (/data|track|quality|instrument/i.test(title)) return 'Analytics engineering';
  return 'Product owner';
}

export function actionItems(
  audience: Audience,
  insights: InsightsReport | null,
  recs: ReportRecommendation[],
  guardrails: ReportGuardrail[],
  x: ExperimentReadout | null,
): ActionItem[] {
  const out: ActionItem[] = [];
  if (x) for (const step of x.next_steps) out.push({ text: step, owner: 'Experiment owner', from: `Experiment decision ${x.decision}`, priority: 'High' });
  for (const r of recs) {
    const items = audience === 'executive' ? r.action_items.slice(0, 1) : r.action_items;
    for (const a of items) out.push({ text: a, owner: ownerFor(`${r.title} ${a}`, audience), from: r.title, priority: r.priority });
  }
  for (const g of guardrails.filter((g) => g.severity === 'High'))
    out.push({ text: g.recommendation, owner: 'Analytics', from: `Guardrail: ${g.metric}`, priority: 'High' });
  if (audience !== 'executive') {
    for (const e of (insights?.experiment_suggestions ?? []).slice(0, 2)) {
      out.push({ text: `Test: ${e.hypothesis}`, owner: 'Data science + product', from: 'Experiment suggestion', priority: 'Medium' });
    }
  }
  const rank = { High: 0, Medium: 1, Low: 2 } as const;
  return out.sort((a, b) => rank[a.priority] - rank[b.priority]);
}

export function methods(r: FunnelResult | null, insights: InsightsReport | null, x: ExperimentReadout | null): string[] {
  const out: string[] = [];
  if (r) {
    out.push(
      `Users are counted once per stage: a user reaches a stage when their events follow the funnel order (mode ${modeText(r.definition)}) within the conversion window.`,
    );
    out.push(
      'Step conversion is users at a stage divided by users at the stage before; drop-off is its complement; overall conversion is completers divided by entrants.',
    );
    if (r.previous_period) out.push('The previous period is the window of equal length immediately before the current one, computed with the same definition.');
    if (r.segment_by)
      out.push(
        `Segments split users by ${r.segment_by}; segment gaps are reported as differences only when the analyst's significance test (with multiple-comparison correction) supports them.`,
      );
  }
  if (insights?.anomalies.length || insights?.forecast.overall) {
    out.push(
      'Anomalies are days whose value departs from a robust baseline (same weekday when the series is long enough) by a large robust z-score, with binomial noise in the scale.',
    );
  }
  if (insights?.forecast.overall) out.push(`Forecast: ${insights.forecast.overall.method}; the band is a prediction interval.`);
  if (x)
    out.push(
      `Experiment: two-sided tests at the stated alpha; secondary metrics corrected for multiplicity; a sample ratio mismatch check precedes any decision; the decision (${x.decision}) follows the engine's documented rule.`,
    );
  return out;
}

export function caveats(r: FunnelResult | null, insights: InsightsReport | null, x: ExperimentReadout | null): string[] {
  const out: string[] = [];
  for (const f of insights?.findings.filter((f) => f.kind === 'data_quality') ?? []) out.push(f.text);
  if (r && r.daily.length < 14)
    out.push('The daily series is shorter than two weeks: weekly seasonality cannot be separated from trend, so anomaly and forecast results are indicative.');
  if (r && !r.previous_period) out.push('No previous period of equal length is available, so period-over-period changes are not shown.');
  if (x && x.srm && !x.srm.passed) out.push('The sample ratio mismatch check failed: assignment may be broken and the effect estimates may be biased.');
  out.push('Associations between segments and conversion are observational: they suggest where to look, not what causes the difference.');
  return out;
}
