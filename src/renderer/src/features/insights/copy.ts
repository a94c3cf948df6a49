import type { Fact } from '../../../../shared/contract';
import type { Guardrail, Hypothesis, InsightRecommendation } from '../../../../shared/contract';

/** Plain-text versions for the clipboard: the same words and fact displays the panel shows. */
export function insightsText(r: { insights: string[]; recommendations: InsightRecommendation[]; guardrails: Guardrail[]; generated_at: string }): string {
  const lines: string[] = ['IAFA insights and recommendations', `Generated ${r.generated_at}`, '', 'Key insights'];
  r.insights.forEach((t) => lines.push(`- ${t}`));
  lines.push('', 'Recommendations');
  r.recommendations.forEach((rec, i) => lines.push(recommendationText(rec, i + 1)));
  if (r.guardrails.length) {
    lines.push('Guardrails');
    r.guardrails.forEach((g) => lines.push(`- [${g.severity}] ${g.message} ${g.recommendation}`.trimEnd()));
  }
  return lines.join('\n');
}

export function recommendationText(rec: InsightRecommendation, n?: number): string {
  return [
    `${n ? `${n}. ` : ''}[${rec.priority} priority] ${rec.title} (status: ${rec.status})`,
    `   Rationale: ${rec.rationale}`,
    `   Expected impact: ${rec.expected_impact}`,
    `   Basis: ${rec.impact_basis}`,
    `   Effort: ${rec.estimated_effort} · Risk: ${rec.risk_level}`,
    ...rec.action_items.map((a) => `   - ${a}`),
    '',
  ].join('\n');
}

export function hypothesesText(hs: Hypothesis[], facts: Fact[]): string {
  const byId = new Map(facts.map((f) => [f.id, f]));
  return hs
    .map((h, i) =>
      [
        `${i + 1}. [${h.priority}] ${h.title}`,
        `   ${h.description}`,
        ...h.evidence.map((e) => `   Evidence: ${e}`),
        ...h.fact_ids
          .map((id) => byId.get(id))
          .filter((f): f is Fact => Boolean(f))
          .map((f) => `   Fact: ${f.label} = ${f.display}`),
        `   Test (${h.suggested_experiment.type}): ${h.suggested_experiment.description}`,
        `   Expected: ${h.suggested_experiment.expected_outcome}`,
        '',
      ].join('\n'),
    )
    .join('\n');
}

/** navigator.clipboard needs focus and permission; the textarea route covers the rest. */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // Fall through to the legacy path.
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  const ok = document.execCommand('copy');
  ta.remove();
  if (!ok) throw new Error('The clipboard is not available here: select the text and copy it by hand.');
}
