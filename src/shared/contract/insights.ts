import { z } from 'zod';
import { call } from './call';
import { Fact } from './facts';
import { LlmOptions, NarrateOutput } from './llm';
import { ColumnFilters, FunnelDefinition, IsoDay, orderedRange } from './funnels';

/**
 * The deterministic analyst's output. Every text field is built from facts and lists the fact ids
 * it cites (`fact_ids` on objects, `citations` for the whole response keyed by field path), so the
 * LLM layer can rephrase a field and the grounding check knows which numbers it may use.
 */

export const Audience = z.enum(['data_scientist', 'executive', 'product_manager']);
export type Audience = z.infer<typeof Audience>;

export const Level = z.enum(['High', 'Medium', 'Low']);
export type Level = z.infer<typeof Level>;

export const FindingKind = z.enum([
  'bottleneck',
  'segment_gap',
  'segment_similar',
  'trend',
  'anomaly',
  'forecast',
  'tradeoff',
  'health',
  'data_quality',
  'comparison',
]);
export type FindingKind = z.infer<typeof FindingKind>;

export const Finding = z.object({
  id: z.string(),
  kind: FindingKind,
  title: z.string(),
  text: z.string(),
  fact_ids: z.array(z.string()),
  severity: Level,
  /** 0..1: how sure the detector is that the pattern is real (significance, sample size, data quality). */
  confidence: z.number().min(0).max(1),
  /** Ranking score (higher first); comparable across kinds. */
  score: z.number(),
  /** Stage / segment the finding is about, for linking and fingerprints. */
  stage: z.string().nullable().default(null),
  segment: z.string().nullable().default(null),
  /** Which way a trend or an anomaly moves, and an anomaly's day: what recommendations branch on. */
  direction: z.enum(['up', 'down']).optional(),
  date: z.string().optional(),
});
export type Finding = z.infer<typeof Finding>;

export const RecommendationStatus = z.enum(['New', 'Reviewed', 'In Progress', 'Completed', 'Dismissed']);
export type RecommendationStatus = z.infer<typeof RecommendationStatus>;

export const InsightRecommendation = z.object({
  id: z.string(),
  fingerprint: z.string(),
  priority: Level,
  title: z.string(),
  rationale: z.string(),
  expected_impact: z.string(),
  action_items: z.array(z.string()),
  estimated_effort: z.string(),
  risk_level: Level,
  /** How the impact was estimated, in words, citing the same facts. */
  impact_basis: z.string(),
  fact_ids: z.array(z.string()),
  finding_ids: z.array(z.string()),
  status: RecommendationStatus.default('New'),
});
export type InsightRecommendation = z.infer<typeof InsightRecommendation>;

export const Guardrail = z.object({
  type: z.enum(['warning', 'trend', 'tradeoff', 'data_quality']),
  severity: Level,
  message: z.string(),
  metric: z.string(),
  recommendation: z.string(),
  fact_ids: z.array(z.string()),
});
export type Guardrail = z.infer<typeof Guardrail>;

export const ExperimentSuggestion = z.object({
  id: z.string(),
  recommendation_id: z.string().nullable(),
  hypothesis: z.string(),
  test_design: z.string(),
  success_metrics: z.array(z.string()),
  expected_outcome: z.string(),
  duration: z.string(),
  sample_size: z.string(),
  baseline_rate: z.number(),
  mde_relative: z.number(),
  sample_size_per_variant: z.number().int().positive(),
  duration_days: z.number().int().positive(),
  daily_eligible_users: z.number().nonnegative(),
  fact_ids: z.array(z.string()),
});
export type ExperimentSuggestion = z.infer<typeof ExperimentSuggestion>;

export const Anomaly = z.object({
  id: z.string(),
  date: z.string(),
  /** Stage the series measures (the step's destination), or null for the overall series. */
  stage: z.string().nullable(),
  segment: z.string().nullable(),
  metric: z.enum(['step_conversion_rate', 'overall_conversion_rate', 'entry_users']),
  observed: z.number(),
  expected: z.number(),
  direction: z.enum(['drop', 'spike']),
  /** Robust z-score: (observed − expected) / scale, with the scale from a MAD of residuals and binomial noise. */
  score: z.number(),
  /** True when the baseline used same-weekday days (weekly seasonality); false on short series. */
  seasonal: z.boolean(),
  severity: Level,
  confidence: z.number().min(0).max(1),
  hints: z.array(z.string()),
  fact_ids: z.array(z.string()),
});
export type Anomaly = z.infer<typeof Anomaly>;

export const ForecastSeries = z.object({
  metric: z.string(),
  label: z.string(),
  method: z.string(),
  points: z.array(z.object({ date: z.string(), value: z.number(), lower: z.number(), upper: z.number() })),
  slope_per_week_pp: z.number().nullable(),
  threshold: z.number().nullable(),
  crossing_date: z.string().nullable(),
  fact_ids: z.array(z.string()),
});
export type ForecastSeries = z.infer<typeof ForecastSeries>;

export const Comparison = z.object({
  kind: z.enum(['segment', 'period', 'variant']),
  metric: z.string(),
  a: z.string(),
  b: z.string(),
  significant: z.boolean(),
  text: z.string(),
  fact_ids: z.array(z.string()),
});
export type Comparison = z.infer<typeof Comparison>;

export const Summary = z.object({
  executive: z.string(),
  /** The seed's name for the data-scientist summary. */
  technical: z.string(),
  data_scientist: z.string(),
  product_manager: z.string(),
});

export const Hypothesis = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  evidence: z.array(z.string()),
  fact_ids: z.array(z.string()),
  testable: z.boolean(),
  suggested_experiment: z.object({
    type: z.string(),
    description: z.string(),
    expected_outcome: z.string(),
    baseline_rate: z.number().nullable(),
    sample_size_per_variant: z.number().int().nullable(),
    duration_days: z.number().int().nullable(),
    /** The relative MDE (fraction) and daily eligible users behind the sample size and duration, so a designer can reproduce them. */
    mde_relative: z.number().nullable().default(null),
    daily_eligible_users: z.number().nullable().default(null),
  }),
  priority: Level,
});
export type Hypothesis = z.infer<typeof Hypothesis>;

const Day = IsoDay;

/** The seed's request plus an unsaved funnel (datasetId + definition, as in funnels:compute). */
export const AnalyticsInput = z
  .object({
    /** Model prose on top of the computed result (provider, model, refresh); numbers never change. */
    llm: LlmOptions.optional(),
    funnelId: z.string().min(1).optional(),
    datasetId: z.string().min(1).optional(),
    definition: FunnelDefinition.optional(),
    start_date: Day.optional(),
    end_date: Day.optional(),
    segment_filters: ColumnFilters.optional(),
    segment_by: z.string().nullable().optional(),
    include_historical: z.boolean().default(true),
    audience: Audience.default('data_scientist'),
    /** Overall conversion threshold in percent for the forecast's crossing date. */
    forecast_threshold: z.number().min(0).max(100).optional(),
    focus_areas: z.array(z.string()).optional(),
  })
  .refine((v) => Boolean(v.funnelId) || (Boolean(v.datasetId) && Boolean(v.definition)), {
    message: 'give either funnelId, or datasetId and definition',
  })
  .refine(...orderedRange('start_date', 'end_date'));
export type AnalyticsInput = z.infer<typeof AnalyticsInput>;

export const InsightsReport = z.object({
  /** Grounded model prose, or the computed text when no model is active. */
  narrative: NarrateOutput.nullable().optional(),
  funnel_id: z.string().nullable(),
  dataset_id: z.string(),
  audience: Audience,
  insights: z.array(z.string()),
  insight_details: z.array(Finding),
  findings: z.array(Finding),
  recommendations: z.array(InsightRecommendation),
  guardrails: z.array(Guardrail),
  experiment_suggestions: z.array(ExperimentSuggestion),
  comparisons: z.array(Comparison),
  summary: Summary,
  facts: z.array(Fact),
  anomalies: z.array(Anomaly),
  forecast: z.object({ overall: ForecastSeries.nullable(), stages: z.array(ForecastSeries) }),
  /** Field path (e.g. "summary.executive", "recommendations.0.rationale") → fact ids it cites. */
  citations: z.record(z.string(), z.array(z.string())),
  provider: z.literal('none'),
  model_used: z.null(),
  generated_at: z.string(),
  cache_hit: z.literal(false),
});
export type InsightsReport = z.infer<typeof InsightsReport>;

export const HypothesesReport = z.object({
  /** Grounded model prose, or the computed text when no model is active. */
  narrative: NarrateOutput.nullable().optional(),
  funnel_id: z.string().nullable(),
  dataset_id: z.string(),
  hypotheses: z.array(Hypothesis),
  facts: z.array(Fact),
  citations: z.record(z.string(), z.array(z.string())),
  provider: z.literal('none'),
  generated_at: z.string(),
});
export type HypothesesReport = z.infer<typeof HypothesesReport>;

export const StoredRecommendation = z.object({
  id: z.string(),
  funnel_id: z.string().nullable(),
  fingerprint: z.string(),
  title: z.string(),
  priority: Level,
  status: RecommendationStatus,
  body: InsightRecommendation,
  history: z.array(z.object({ from: RecommendationStatus.nullable(), to: RecommendationStatus, note: z.string().nullable(), changed_at: z.string() })),
  created_at: z.string(),
  updated_at: z.string(),
});
export type StoredRecommendation = z.infer<typeof StoredRecommendation>;

export const analyticsRecommendations = call({
  name: 'analytics:recommendations',
  summary: 'Insights, ranked recommendations, guardrails, experiment suggestions, anomalies, forecast and summaries, every number a cited fact.',
  http: { method: 'POST', path: '/api/v1/analytics/:funnelId/recommendations', aliases: ['/api/v1/analytics/recommendations'] },
  input: AnalyticsInput,
  output: InsightsReport,
});

export const analyticsHypotheses = call({
  name: 'analytics:hypotheses',
  summary: 'Testable hypotheses with evidence (facts), a suggested experiment and a priority.',
  http: { method: 'POST', path: '/api/v1/analytics/:funnelId/hypotheses', aliases: ['/api/v1/analytics/hypotheses'] },
  input: AnalyticsInput,
  output: HypothesesReport,
});

export const recommendationsList = call({
  name: 'recommendations:list',
  summary: 'Stored recommendations with their status and status history.',
  http: { method: 'GET', path: '/api/v1/recommendations' },
  input: z.object({ funnelId: z.string().optional(), status: RecommendationStatus.optional() }).strict(),
  output: z.object({ recommendations: z.array(StoredRecommendation) }),
});

export const recommendationsSetStatus = call({
  name: 'recommendations:set-status',
  summary: 'Mark a recommendation Reviewed, In Progress, Completed or Dismissed (kept across regenerations, with history).',
  http: { method: 'POST', path: '/api/v1/recommendations/:id/status' },
  input: z.object({ id: z.string().min(1).max(200), status: RecommendationStatus, note: z.string().max(2000).optional() }).strict(),
  output: StoredRecommendation,
});
