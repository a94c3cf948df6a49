import type { Fact, InsightsReport } from '../../../src/shared/contract';
import { checkNarrative } from '../../../src/core/llm/grounding';
import { extractNumbers } from '../../../src/core/llm/numbers';

/** Every text field of a report, by path, with the fact ids it cites. */
export function textFields(r: InsightsReport): { path: string; text: string; ids: string[] }[] {
  const out: { path: string; text: string; ids: string[] }[] = [];
  r.insight_details.forEach((f, i) => out.push({ path: `insights.${i}`, text: f.text, ids: f.fact_ids }));
  r.findings.forEach((f, i) => out.push({ path: `findings.${i}`, text: f.text, ids: f.fact_ids }));
  r.recommendations.forEach((x, i) => {
    for (const k of ['title', 'rationale', 'expected_impact', 'impact_basis', 'estimated_effort'] as const)
      out.push({ path: `recommendations.${i}.${k}`, text: x[k], ids: x.fact_ids });
    x.action_items.forEach((a, j) => out.push({ path: `recommendations.${i}.action_items.${j}`, text: a, ids: x.fact_ids }));
  });
  r.guardrails.forEach((g, i) => {
    for (const k of ['message', 'metric', 'recommendation'] as const) out.push({ path: `guardrails.${i}.${k}`, text: g[k], ids: g.fact_ids });
  });
  r.experiment_suggestions.forEach((e, i) => {
    for (const k of ['hypothesis', 'test_design', 'expected_outcome', 'duration', 'sample_size'] as const)
      out.push({ path: `experiment_suggestions.${i}.${k}`, text: e[k], ids: e.fact_ids });
  });
  r.anomalies.forEach((a, i) => a.hints.forEach((h, j) => out.push({ path: `anomalies.${i}.hints.${j}`, text: h, ids: a.fact_ids })));
  r.comparisons.forEach((c, i) => out.push({ path: `comparisons.${i}`, text: c.text, ids: c.fact_ids }));
  for (const k of ['data_scientist', 'executive', 'product_manager'] as const)
    out.push({ path: `summary.${k}`, text: r.summary[k], ids: r.citations[`summary.${k}`] ?? [] });
  return out;
}

/**
 * Strict: every number a field states equals, at the precision written, a number shown in the
 * display of a fact the field cites. Returns the offending "path: number" strings.
 */
export function ungroundedStrict(r: InsightsReport): string[] {
  const byId = new Map<string, Fact>(r.facts.map((f) => [f.id, f]));
  const bad: string[] = [];
  for (const { path, text, ids } of textFields(r)) {
    const shown = ids.flatMap((id) => {
      const f = byId.get(id);
      if (!f) {
        bad.push(`${path}: unknown fact ${id}`);
        return [];
      }
      return extractNumbers(f.display).map((n) => `${n.kind === 'date' ? 'date' : ''}${Math.abs(n.value)}|${n.decimals}`);
    });
    for (const n of extractNumbers(text)) {
      const k = `${n.kind === 'date' ? 'date' : ''}${Math.abs(n.value)}|${n.decimals}`;
      if (!shown.includes(k)) bad.push(`${path}: ${n.raw} in "${text.slice(0, 120)}"`);
    }
  }
  return bad;
}

/** The LLM layer's own checker must accept the deterministic texts as they are. */
export function llmGroundingFindings(r: InsightsReport): string[] {
  const narrative = {
    insights: r.insight_details.map((f) => ({ text: f.text, fact_ids: f.fact_ids })),
    recommendations: r.recommendations.map((x) => ({
      title: x.title,
      rationale: x.rationale,
      expected_impact: x.expected_impact,
      impact_basis: x.impact_basis,
      action_items: x.action_items,
      fact_ids: x.fact_ids,
    })),
    guardrails: r.guardrails.map((g) => ({ message: g.message, metric: g.metric, recommendation: g.recommendation, fact_ids: g.fact_ids })),
    experiment_suggestions: r.experiment_suggestions.map((e) => ({
      hypothesis: e.hypothesis,
      expected_outcome: e.expected_outcome,
      duration: e.duration,
      sample_size: e.sample_size,
      fact_ids: e.fact_ids,
    })),
    summary: { executive: r.summary.executive, data_scientist: r.summary.data_scientist, product_manager: r.summary.product_manager },
  };
  return checkNarrative(narrative, r.facts).findings.map((f) => `${f.field}: ${f.number}`);
}
