import type { Audience, Fact, HypothesesReport, InsightsReport, NarrateInput } from '../../shared/contract';
import type { CausalResult, DesignResult, ExperimentAnalysis } from '../../shared/contract/experiments';

/**
 * From each deterministic result to what the model rewrites: the computed text in the task's
 * narrative shape (also the fallback for any field that fails grounding), the facts it may use,
 * and, for experiments, the decision code made. The model never sees rows, only these.
 */

type Options = NarrateInput['options'];

const sheet = (facts: Fact[], at: string) => ({ facts, generated_at: at });
const ids = (xs: string[], max = 8) => [...new Set(xs)].slice(0, max);
const summaryKey: Record<Audience, 'executive' | 'data_scientist' | 'product_manager'> = {
  executive: 'executive',
  data_scientist: 'data_scientist',
  product_manager: 'product_manager',
};

export function insightsNarrateInput(r: InsightsReport, options: Options = {}, context: Record<string, unknown> = {}): NarrateInput {
  return {
    task: 'insights',
    facts: sheet(r.facts, r.generated_at),
    deterministic: {
      summary: r.summary[summaryKey[r.audience]],
      insights: r.insight_details.slice(0, 5).map((f) => ({ text: f.text, fact_ids: ids(f.fact_ids) })),
      recommendations: r.recommendations.slice(0, 3).map((x) => ({
        priority: x.priority,
        title: x.title,
        rationale: x.rationale,
        expected_impact: x.expected_impact,
        action_items: x.action_items.slice(0, 3),
        fact_ids: ids(x.fact_ids),
      })),
    },
    context: { audience: r.audience, ...context },
    scope: { funnel_id: r.funnel_id },
    options,
  };
}

export function hypothesesNarrateInput(r: HypothesesReport, options: Options = {}, context: Record<string, unknown> = {}): NarrateInput {
  return {
    task: 'hypotheses',
    facts: sheet(r.facts, r.generated_at),
    deterministic: {
      hypotheses: r.hypotheses.slice(0, 5).map((h) => ({
        title: h.title,
        rationale: h.description,
        test: h.suggested_experiment.description,
        expected_outcome: h.suggested_experiment.expected_outcome,
        priority: h.priority,
        fact_ids: ids(h.fact_ids),
      })),
    },
    context,
    scope: { funnel_id: r.funnel_id },
    options,
  };
}

export function designNarrateInput(r: DesignResult, options: Options = {}, context: Record<string, unknown> = {}): NarrateInput {
  const d = r.experiment_design;
  return {
    task: 'experiment_design',
    facts: sheet(r.facts, r.generated_at),
    deterministic: {
      summary: d.duration.rationale,
      rationale: d.analysis_plan.primary_analysis,
      risks: r.warnings.slice(0, 3),
      fact_ids: ids(r.facts.map((f) => f.id)),
    },
    context: { hypothesis: d.hypothesis, primary_metric: d.primary_metric.name, ...context },
    options,
  };
}

export function analysisNarrateInput(r: ExperimentAnalysis, options: Options = {}, context: Record<string, unknown> = {}): NarrateInput {
  return {
    task: 'experiment_analysis',
    facts: sheet(r.facts, r.generated_at),
    deterministic: {
      summary: r.recommendation.rationale,
      interpretation: r.statistical_analysis.power.note || r.recommendation.rationale,
      next_steps: r.recommendation.next_steps.slice(0, 3),
      fact_ids: ids(r.facts.map((f) => f.id)),
    },
    // The decision and its confidence are code's; the model may only explain them.
    decision: r.recommendation.decision,
    context: {
      decision: r.recommendation.decision,
      confidence: r.recommendation.confidence,
      control: r.control_label,
      treatment: r.treatment_label,
      ...context,
    },
    options,
  };
}

export function causalNarrateInput(r: CausalResult, options: Options = {}, context: Record<string, unknown> = {}): NarrateInput {
  return {
    task: 'causal',
    facts: sheet(r.facts, r.generated_at),
    deterministic: {
      conclusion: r.causal_conclusion.statement,
      mechanism: r.mechanism.causal_chain.slice(0, 4).map((c) => `${c.cause} → ${c.effect}`),
      confounders: r.confounding_check.overall,
      fact_ids: ids(r.facts.map((f) => f.id)),
    },
    decision: r.analysis.recommendation.decision,
    context: { confidence: r.causal_conclusion.confidence, decision: r.analysis.recommendation.decision, ...context },
    options,
  };
}
