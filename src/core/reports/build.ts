import { modeText, stepText, type FunnelResult, type ReportSection } from '../../shared/contract';
import type { ExperimentAnalysis } from '../../shared/contract/experiments';
import type { Audience, Finding, InsightsReport } from '../../shared/contract/insights';
import { funnelRows, keyMetrics, segmentRows, trend } from './build-data';
import { experimentKeyMetrics, experimentReadout } from './build-experiment';
import { actionItems, caveats, computedSummary, methods } from './build-text';
import { ReportFacts } from './facts';
import { AUDIENCE_LABEL, DEFAULT_SECTIONS, type Prose, type ReportGuardrail, type ReportInsight, type ReportModel, type ReportRecommendation } from './model';

export interface ReportSource {
  dataset_name: string;
  dataset_id: string | null;
  funnel_id: string | null;
  funnel_name: string | null;
}

/** Model prose for the summary, already grounded by the LLM layer (or null: computed text only). */
export interface ReportNarration {
  paragraphs: { text: string; fact_ids: string[]; source: 'model' | 'computed' }[];
  provider: string;
  model: string | null;
  prompt_version: string | null;
  fallback_fields: string[];
}

export interface BuildInput {
  audience: Audience;
  sections?: ReportSection[];
  title?: string;
  generated_at: string;
  source: ReportSource;
  funnel: FunnelResult | null;
  insights: InsightsReport | null;
  experiment: ExperimentAnalysis | null;
  narration: ReportNarration | null;
}

/** How much of each list an audience sees: executives get the top of everything, data scientists all of it. */
const DEPTH: Record<Audience, { insights: number; recs: number; guardrails: number; anomalies: number; actions: number }> = {
  executive: { insights: 3, recs: 3, guardrails: 3, anomalies: 3, actions: 5 },
  product_manager: { insights: 5, recs: 5, guardrails: 5, anomalies: 5, actions: 10 },
  data_scientist: { insights: 8, recs: 8, guardrails: 10, anomalies: 12, actions: 10 },
};

const RANK = { High: 0, Medium: 1, Low: 2 } as const;

function describeDefinition(r: FunnelResult | null): string {
  if (!r) return 'experiment analysis';
  const d = r.definition;
  const steps = d.steps.map(stepText).join(' → ');
  return `${steps}; window ${d.window}; mode ${modeText(d)}; time zone ${d.tz}`;
}

function describeFilters(r: FunnelResult | null): string {
  if (!r) return 'none';
  const d = r.definition;
  const parts = [
    ...Object.entries(d.include).map(([k, v]) => `${k} in (${v.join(', ')})`),
    ...Object.entries(d.exclude).map(([k, v]) => `${k} not in (${v.join(', ')})`),
  ];
  if (d.from || d.to) parts.push(`dates ${d.from ?? 'start'} to ${d.to ?? 'end'}`);
  if (d.breakdown) parts.push(`segmented by ${d.breakdown}`);
  return parts.length ? parts.join('; ') : 'none';
}

export function buildReportModel(input: BuildInput): ReportModel {
  const { audience, funnel: r, insights } = input;
  const depth = DEPTH[audience];
  const sheet = [...(insights?.facts ?? []), ...(input.experiment?.facts ?? [])];
  const facts = new ReportFacts(sheet, { datasetId: input.source.dataset_id ?? undefined, funnelId: input.source.funnel_id ?? undefined });
  const sections = input.sections?.length ? input.sections : DEFAULT_SECTIONS[audience];

  // Days far from the rest of the data (a stray event) are not the period: the main block is, and
  // the cover names what it leaves out.
  const dense = r?.dense_range;
  const period = dense
    ? {
        start: facts.day('period.main.start', 'First day of the main block of data', dense.start),
        end: facts.day('period.main.end', 'Last day of the main block of data', dense.end),
        isolated: dense.left_out_days.map((d, i) => facts.day(`period.isolated.${i}`, 'Isolated day far from the rest of the data', d)),
      }
    : r?.date_range
      ? {
          start: facts.day('period.current.start', 'First day of the period', r.date_range.start),
          end: facts.day('period.current.end', 'Last day of the period', r.date_range.end),
        }
      : null;
  const previous_period = r?.previous_period
    ? {
        start: facts.day('period.previous.start', 'First day of the previous period', r.previous_period.date_range.start),
        end: facts.day('period.previous.end', 'Last day of the previous period', r.previous_period.date_range.end),
      }
    : null;

  const experiment = input.experiment ? experimentReadout(input.experiment, facts, input.source.funnel_name ?? input.source.dataset_name) : null;
  const key_metrics = [...(r ? keyMetrics(r, facts) : []), ...(experiment ? experimentKeyMetrics(experiment) : [])].slice(0, audience === 'executive' ? 4 : 6);
  const funnel = r ? funnelRows(r, facts) : [];
  const segments = r && sections.includes('segments') ? segmentRows(r, facts) : null;
  const trendModel = r && sections.includes('trend') ? trend(r, insights, facts, depth.anomalies) : null;

  const findings: Finding[] = (insights?.insight_details?.length ? insights.insight_details : (insights?.findings ?? [])).slice(0, depth.insights);
  const insightRows: ReportInsight[] = findings.map((f) => {
    facts.cite(f.fact_ids);
    return {
      title: f.title,
      text: { text: f.text, fact_ids: f.fact_ids, source: 'computed' },
      severity: f.severity,
      confidence:
        audience === 'data_scientist'
          ? facts.derive(`report.finding.${f.id}.confidence`, `Detector confidence: ${f.title}`, f.confidence * 100, 'percent')
          : null,
      kind: f.kind.replace(/_/g, ' '),
    };
  });

  const recs: ReportRecommendation[] = (insights?.recommendations ?? [])
    .filter((x) => x.status !== 'Dismissed')
    .slice()
    .sort((a, b) => RANK[a.priority] - RANK[b.priority])
    .slice(0, depth.recs)
    .map((x) => {
      facts.cite(x.fact_ids);
      const cited = (text: string): Prose => ({ text, fact_ids: facts.citeText(text), source: 'computed' });
      return {
        priority: x.priority,
        title: x.title,
        rationale: cited(x.rationale),
        expected_impact: cited(x.expected_impact),
        impact_basis: audience === 'executive' ? null : cited(x.impact_basis),
        action_items: x.action_items,
        effort: x.estimated_effort,
        risk: x.risk_level,
        status: x.status,
      };
    });

  const guardrails: ReportGuardrail[] = (insights?.guardrails ?? [])
    .slice()
    .sort((a, b) => RANK[a.severity] - RANK[b.severity])
    .filter((g) => audience !== 'executive' || g.severity !== 'Low')
    .slice(0, depth.guardrails)
    .map((g) => {
      facts.cite(g.fact_ids);
      return {
        severity: g.severity,
        metric: g.metric,
        message: { text: g.message, fact_ids: g.fact_ids, source: 'computed' },
        recommendation: g.recommendation,
        kind: g.type.replace(/_/g, ' '),
      };
    });

  const narration = input.narration;
  const lead = (narration?.paragraphs ?? []).filter((p) => p.source === 'model');
  const summary: Prose[] = computedSummary({ audience, insights, experiment, keyMetrics: key_metrics, recs, guardrails, facts }, lead);
  for (const p of summary) facts.cite(p.fact_ids);

  const subject = r
    ? r.stages.map((s) => s.stage_name).join(' → ')
    : experiment
      ? `${experiment.treatment_label} vs ${experiment.control_label}`
      : input.source.dataset_name;
  const title = input.title ?? (experiment && !r ? `Experiment report: ${subject}` : `Funnel report: ${subject}`);
  const subtitle = [input.source.funnel_name ?? input.source.dataset_name, `for ${AUDIENCE_LABEL[audience].toLowerCase()}s`].join(' · ');

  return {
    title,
    subtitle,
    audience,
    sections,
    period,
    previous_period,
    summary,
    key_metrics,
    funnel,
    segments,
    trend: trendModel,
    insights: insightRows,
    recommendations: recs,
    guardrails,
    experiment,
    action_items: actionItems(audience, insights, recs, guardrails, experiment).slice(0, depth.actions),
    methods: audience === 'data_scientist' ? methods(r, insights, experiment) : [],
    caveats: audience === 'data_scientist' ? caveats(r, insights, experiment) : [],
    facts: facts.used(),
    appendix: {
      data_source: input.source.dataset_name,
      dataset_id: input.source.dataset_id,
      funnel_id: input.source.funnel_id,
      definition: describeDefinition(r),
      filters: describeFilters(r),
      provider: narration?.provider ?? 'none',
      model: narration?.model ?? null,
      prompt_version: narration?.prompt_version ?? null,
      fallback_fields: narration ? narration.fallback_fields : ['summary (computed text: no model was used)'],
      generated_at: input.generated_at,
    },
  };
}
