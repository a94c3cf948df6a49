import type { ExperimentSuggestion, Fact, InsightRecommendation } from '../../../shared/contract';
import type { ExperimentHandoff } from '../state/handoff';

/**
 * Links and notes that carry computed numbers from one workspace to another. Every number is the
 * engine's, passed as computed (never re-derived), so the target shows what the source showed.
 */

/** Facts the Dashboard can point at: the funnel, its stages and segments, its periods. */
export function dashboardHref(factId: string, funnelId: string | null): string | null {
  if (!/^(stage|segment|overall|funnel|period)\./.test(factId)) return null;
  return `#/dashboard?fact=${encodeURIComponent(factId)}${funnelId ? `&funnel=${encodeURIComponent(funnelId)}` : ''}`;
}

/** The first of a finding's facts the Dashboard can show. */
export function firstDashboardFact(ids: string[]): string | null {
  return ids.find((id) => dashboardHref(id, null) !== null) ?? null;
}

/** A recommendation with a suggested experiment, handed to the designer with the suggestion's numbers. */
export function recommendationHandoff(
  rec: InsightRecommendation,
  s: ExperimentSuggestion,
  facts: Map<string, Fact>,
  at: { datasetId: string | null; funnelId: string | null },
): ExperimentHandoff {
  return {
    version: 1,
    source: 'recommendation',
    hypothesisId: rec.id,
    title: rec.title,
    hypothesis: s.hypothesis,
    experimentType: 'A/B test',
    testDescription: s.test_design,
    expectedOutcome: s.expected_outcome,
    priority: rec.priority,
    baselineRate: s.baseline_rate,
    sampleSizePerVariant: s.sample_size_per_variant,
    durationDays: s.duration_days,
    mdeRelative: s.mde_relative,
    dailyUsers: s.daily_eligible_users,
    evidence: s.fact_ids
      .map((id) => facts.get(id))
      .filter((f): f is Fact => Boolean(f))
      .map((f) => ({ factId: f.id, label: f.label, display: f.display })),
    datasetId: at.datasetId,
    funnelId: at.funnelId,
    createdAt: new Date().toISOString(),
  };
}
