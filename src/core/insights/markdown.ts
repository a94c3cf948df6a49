import type { HypothesesReport, InsightsReport } from '../../shared/contract';

/** Markdown for the CLI (`--format md`) and the docs examples; the audience decides what leads. */

const SUMMARY_TITLE = { data_scientist: 'Summary (data scientist)', executive: 'Summary (executive)', product_manager: 'Summary (product manager)' } as const;

export function renderMarkdown(r: InsightsReport, title = 'Funnel insights'): string {
  const L: string[] = [`# ${title}`, ''];
  L.push(`_Generated ${r.generated_at} by the deterministic analyst (provider: ${r.provider}); every number below is a fact in the fact sheet._`, '');
  L.push(`## ${SUMMARY_TITLE[r.audience]}`, '', r.summary[r.audience], '');
  L.push('## Insights', '');
  r.insight_details.forEach((f, i) =>
    L.push(`${i + 1}. **${f.title}** (${f.severity.toLowerCase()} severity, confidence ${Math.round(f.confidence * 100)}%). ${f.text}`),
  );
  L.push('', '## Recommendations', '');
  for (const rec of r.recommendations) {
    L.push(
      `### [${rec.priority}] ${rec.title}`,
      '',
      `**Why:** ${rec.rationale}`,
      '',
      `**Expected impact:** ${rec.expected_impact}`,
      '',
      `**Basis:** ${rec.impact_basis}`,
      '',
    );
    L.push(`**Effort:** ${rec.estimated_effort} · **Risk:** ${rec.risk_level} · **Status:** ${rec.status}`, '', '**Action items:**', '');
    rec.action_items.forEach((a, i) => L.push(`${i + 1}. ${a}`));
    L.push('');
  }
  if (r.recommendations.length === 0) L.push('Nothing stands out that needs action.', '');
  if (r.guardrails.length) {
    L.push('## Guardrails and warnings', '');
    for (const g of r.guardrails) L.push(`- **${g.severity} · ${g.type}:** ${g.message} _${g.recommendation}_`);
    L.push('');
  }
  if (r.experiment_suggestions.length) {
    L.push('## Experiment suggestions', '');
    for (const e of r.experiment_suggestions) {
      L.push(
        `- **Hypothesis:** ${e.hypothesis}`,
        `  - Design: ${e.test_design}`,
        `  - Success metrics: ${e.success_metrics.join('; ')}`,
        `  - Expected outcome: ${e.expected_outcome}`,
        `  - Sample size: ${e.sample_size}`,
        `  - Duration: ${e.duration}`,
      );
    }
    L.push('');
  }
  if (r.anomalies.length) {
    L.push('## Anomalies', '', '| date | series | segment | observed | expected | direction | score |', '|---|---|---|---|---|---|---|');
    const facts = new Map(r.facts.map((f) => [f.id, f.display]));
    for (const a of r.anomalies.slice(0, 15)) {
      const series = a.metric === 'overall_conversion_rate' ? 'overall conversion' : `${a.metric.replace(/_/g, ' ')}${a.stage ? ` (${a.stage})` : ''}`;
      const fact = (name: string) => facts.get(`${a.id}.${name}`) ?? '';
      L.push(`| ${a.date} | ${series} | ${a.segment ?? 'all'} | ${fact('observed')} | ${fact('expected')} | ${a.direction} | ${fact('score')} |`);
    }
    L.push('');
  }
  const fo = r.forecast.overall;
  if (fo) {
    const f = new Map(r.facts.map((x) => [x.id, x.display]));
    const rate = (name: string) => f.get(`forecast.overall_conversion_rate.${name}`);
    L.push(
      '## Forecast',
      '',
      `Overall conversion in ${f.get('forecast.horizon_days')}: ${rate('end.value')} (prediction interval ${rate('end.lower')} to ${rate('end.upper')}); method: ${fo.method}.`,
    );
    L.push(
      fo.crossing_date
        ? `Threshold ${rate('threshold')} is crossed around ${fo.crossing_date}.`
        : `No significant trend, so no threshold crossing date is projected (threshold ${rate('threshold')}).`,
      '',
    );
  }
  const sig = r.comparisons.filter((c) => c.kind !== 'period');
  if (sig.length) {
    L.push('## Comparisons', '');
    for (const c of sig) L.push(`- ${c.significant ? '' : '(not significant) '}${c.text}`);
    L.push('');
  }
  if (r.audience !== 'data_scientist') L.push('## Summary (data scientist)', '', r.summary.data_scientist, '');
  L.push(`<details><summary>Fact sheet (${r.facts.length} facts)</summary>`, '', '| id | label | value |', '|---|---|---|');
  for (const f of r.facts) L.push(`| \`${f.id}\` | ${f.label.replace(/\|/g, '/')} | ${f.display} |`);
  L.push('', '</details>', '');
  return L.join('\n');
}

export function renderHypothesesMarkdown(r: HypothesesReport, title = 'Hypotheses'): string {
  const L: string[] = [`# ${title}`, ''];
  for (const h of r.hypotheses) {
    L.push(`## [${h.priority}] ${h.title}`, '', h.description, '', '**Evidence:**', '', ...h.evidence.map((e) => `- ${e}`), '');
    L.push(
      `**Suggested experiment (${h.suggested_experiment.type}):** ${h.suggested_experiment.description}`,
      '',
      `**Expected outcome:** ${h.suggested_experiment.expected_outcome}`,
      '',
    );
  }
  if (r.hypotheses.length === 0) L.push('No finding is strong enough to turn into a testable hypothesis.', '');
  return L.join('\n');
}
