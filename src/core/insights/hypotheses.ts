import type { Fact, Hypothesis, InsightsReport } from '../../shared/contract';

/**
 * Hypotheses restate the strongest findings as causal claims an experiment can refute, with the
 * facts behind them as evidence. Wording is a claim to test, never a conclusion.
 */
export function buildHypotheses(
  report: Pick<InsightsReport, 'findings' | 'recommendations' | 'experiment_suggestions' | 'facts'>,
  focus?: string[],
): Hypothesis[] {
  const facts = new Map(report.facts.map((f) => [f.id, f]));
  const evidence = (ids: string[]): string[] =>
    ids
      .map((id) => facts.get(id))
      .filter((f): f is Fact => Boolean(f))
      .filter((f) => ['percent', 'pp', 'ratio', 'p', 'users'].includes(f.unit))
      .slice(0, 4)
      .map((f) => `${f.label}: ${f.display}`);
  const out: Hypothesis[] = [];
  const wants = (area: string) => !focus?.length || focus.some((f) => f.toLowerCase().includes(area));
  for (const rec of report.recommendations) {
    const f = report.findings.find((x) => rec.finding_ids.includes(x.id));
    if (!f) continue;
    const exp = report.experiment_suggestions.find((e) => e.recommendation_id === rec.id);
    const stage = f.stage ?? 'the weakest step';
    let title: string;
    let description: string;
    let type = 'A/B test';
    let experiment = exp?.test_design ?? '';
    if (f.kind === 'segment_gap' && wants('segment')) {
      title = `${f.segment} users meet friction at ${stage} that others do not`;
      description = `${f.text} If the gap comes from the experience rather than from who the users are, a ${f.segment}-specific change at ${stage} will narrow it.`;
    } else if (f.kind === 'bottleneck' && (wants('drop') || wants('conversion'))) {
      title = `The step into ${stage} asks more than users are ready to give`;
      description = `${f.text} A lighter step (fewer fields, clearer value, faster load) should keep more of these users without lowering completion further down.`;
    } else if (f.kind === 'anomaly') {
      title = `A change around ${f.date ?? 'that day'} broke ${f.stage ?? 'the funnel'}`;
      description = `${f.text} If a release or tracking change caused it, reverting it (or comparing with a holdout that did not get it) restores the expected rate.`;
      type = 'Rollback or holdout comparison';
      experiment = `Revert or hold back the suspected change for part of the traffic and compare ${f.stage ?? 'overall'} conversion with the rest.`;
    } else if (f.kind === 'tradeoff' || f.kind === 'health') {
      title = 'Gains at one point of the funnel are being paid for elsewhere';
      description = `${f.text} A change judged on the downstream metric instead of the step metric would not show this trade-off.`;
      experiment = 'Re-run the change as an A/B test with the downstream rate as primary metric and the step rate as secondary.';
    } else if (f.kind === 'trend') {
      title = `The decline in ${f.stage ? `${stage} conversion` : 'conversion'} is a mix shift, not a worse product`;
      description = `${f.text} If the decline disappears within segments and channels, it comes from who arrives, not from how the product performs.`;
      type = 'Observational check, then A/B test';
      experiment = 'Recompute the trend within each segment and channel; if it persists within them, test the most recent change against a holdout.';
    } else continue;
    out.push({
      id: `hyp_${out.length + 1}`,
      title,
      description,
      evidence: evidence(rec.fact_ids),
      fact_ids: [...new Set([...rec.fact_ids, ...(exp?.fact_ids ?? [])])],
      testable: true,
      suggested_experiment: {
        type,
        description: experiment,
        expected_outcome: exp?.expected_outcome ?? rec.expected_impact,
        baseline_rate: exp?.baseline_rate ?? null,
        sample_size_per_variant: exp?.sample_size_per_variant ?? null,
        duration_days: exp?.duration_days ?? null,
        mde_relative: exp?.mde_relative ?? null,
        daily_eligible_users: exp?.daily_eligible_users ?? null,
      },
      priority: rec.priority,
    });
    if (out.length >= 5) break;
  }
  return out;
}
