import { z } from 'zod';
import { call } from './call';
import { Fact } from './facts';
import { LlmOptions, NarrateOutput } from './llm';

/**
 * Experiment design, analysis and causal checks. Every number in these outputs is computed by
 * src/core/stats (never by a model) and also listed in `facts` so a narrating model can only
 * restate them. Rates and differences are in percent / percentage points, p-values are
 * probabilities, relative lifts are percent.
 */

const Pair = z.tuple([z.number(), z.number()]);
const Cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const TableInput = z.object({ columns: z.record(z.string(), z.array(Cell)) });
export type TableInput = z.infer<typeof TableInput>;

/** A metric is a column (0/1 → rate, numbers → mean) or a ratio of two count columns ("Enrollments/Clicks"). */
export const MetricSpec = z.union([
  z.string().trim().min(1).max(500),
  z.object({ name: z.string().optional(), numerator: z.string().min(1), denominator: z.string().min(1) }),
]);
export type MetricSpec = z.infer<typeof MetricSpec>;

export const Direction = z.enum(['higher_is_better', 'lower_is_better']);

export const GuardrailSpec = z.union([
  z.string().trim().min(1).max(500),
  z.object({
    metric: MetricSpec,
    /** Non-inferiority margin: how much worse the treatment may be before the guardrail fails. */
    margin: z.number().positive().default(0.02),
    margin_type: z.enum(['relative', 'absolute']).default('relative'),
    direction: Direction.default('higher_is_better'),
  }),
]);
export type GuardrailSpec = z.infer<typeof GuardrailSpec>;

const Fraction = z.number().gt(0).lt(1);

// ---------------------------------------------------------------- design

export const DesignInput = z
  .object({
    /** Model prose on top of the computed result (provider, model, refresh); numbers never change. */
    llm: LlmOptions.optional(),
    funnelId: z.string().optional(),
    experiment_id: z.string().optional(),
    name: z.string().max(200).optional(),
    hypothesis: z.string().max(2000).optional(),
    /** Baseline rate of the primary metric as a fraction (0.15 = 15%). */
    baseline_rate: Fraction.optional(),
    /** Seed-style funnel metrics (percent); overall_conversion_rate is used when no baseline_rate is given. */
    current_metrics: z
      .object({
        overall_conversion_rate: z.number().min(0).max(100).optional(),
        stages: z
          .array(
            z.object({
              stage_name: z.string(),
              conversion_rate: z.number().optional(),
              step_conversion_rate: z.number().optional(),
              users: z.number().optional(),
            }),
          )
          .optional(),
        total_users: z.number().nonnegative().optional(),
      })
      .passthrough()
      .optional(),
    metric_type: z.enum(['rate', 'mean']).default('rate'),
    /** For mean metrics: baseline mean and standard deviation. */
    baseline_mean: z.number().optional(),
    baseline_sd: z.number().positive().optional(),
    /** Required unless sample_size or duration_days is given (then the MDE they allow is computed). */
    mde: z.number().positive().optional(),
    mde_type: z.enum(['relative', 'absolute']).default('relative'),
    alpha: Fraction.default(0.05),
    power: Fraction.default(0.8),
    variants: z.number().int().min(2).max(20).default(2),
    /** Unequal allocation: units in each treatment arm per control unit (statsmodels' ratio; 90/10 = 1/9). */
    ratio: z.number().positive().max(1000).optional(),
    alternative: z.enum(['two-sided', 'one-sided']).default('two-sided'),
    /** Total units available (all arms): the design reports the power at the MDE and the MDE at the target power. */
    sample_size: z.number().int().positive().optional(),
    /** Or the planned duration in days (with daily_users and allocation) to the same end. */
    duration_days: z.number().int().positive().max(3650).optional(),
    daily_users: z.number().positive().optional(),
    /** Share of daily eligible users placed in the experiment. */
    allocation: z.number().gt(0).max(1).default(1),
    full_weeks: z.boolean().default(true),
    primary_metric: z.string().max(200).optional(),
    secondary_metrics: z.array(z.string().max(200)).default([]),
    guardrails: z.array(GuardrailSpec).default([]),
    randomization_unit: z.string().max(100).default('user_id'),
    stratification: z.array(z.string().max(100)).default([]),
    variant_names: z.array(z.string().max(200)).optional(),
    business_context: z.object({ project: z.string().optional(), domain: z.string().optional(), constraints: z.array(z.string()).default([]) }).optional(),
    save: z.boolean().default(true),
  })
  .strict();
export type DesignInput = z.input<typeof DesignInput>;
export type DesignParsed = z.output<typeof DesignInput>;

export const GuardrailPlan = z.object({
  metric: z.string(),
  margin: z.number(),
  margin_type: z.enum(['relative', 'absolute']),
  direction: Direction,
  description: z.string(),
});

export const ExperimentDesign = z.object({
  hypothesis: z.string(),
  variants: z.record(z.string(), z.object({ name: z.string(), description: z.string() })),
  primary_metric: z.object({ name: z.string(), type: z.enum(['rate', 'mean']), baseline: z.number(), unit: z.enum(['percent', 'number']) }),
  success_metrics: z.array(z.string()),
  secondary_metrics: z.array(z.string()),
  guardrails: z.array(GuardrailPlan),
  sample_size: z.object({
    per_variant: z.number().int(),
    total: z.number().int(),
    power: z.number(),
    alpha: z.number(),
    mde: z.number(),
    mde_type: z.enum(['relative', 'absolute']),
    /** Absolute MDE in percentage points (rates) or metric units (means). */
    mde_absolute: z.number(),
    /** Relative MDE in percent. */
    mde_relative: z.number(),
    alpha_per_comparison: z.number(),
    variants: z.number().int(),
    method: z.string(),
    /** Unequal allocation: units in control and in each treatment arm (per_variant is the control's). */
    control_n: z.number().int().optional(),
    treatment_n: z.number().int().optional(),
    ratio: z.number().optional(),
    alternative: z.enum(['two-sided', 'one-sided']).optional(),
  }),
  /** For a given sample size or duration: the power it gives at the MDE and the MDE it allows at the target power. */
  power_analysis: z
    .object({
      source: z.enum(['sample_size', 'duration']),
      total: z.number().int(),
      control_n: z.number().int(),
      treatment_n: z.number().int(),
      power_at_mde: z.number().nullable(),
      /** pp for rates, metric units for means. */
      mde_absolute: z.number(),
      mde_relative: z.number().nullable(),
    })
    .nullable()
    .optional(),
  duration: z.object({
    days: z.number().int().nullable(),
    weeks: z.number().int().nullable(),
    days_needed: z.number().int().nullable(),
    daily_users: z.number().nullable(),
    allocation: z.number(),
    rationale: z.string(),
  }),
  randomization: z.object({ method: z.string(), unit: z.string(), split: z.string(), allocation: z.array(z.number()), stratification: z.array(z.string()) }),
  analysis_plan: z.object({
    primary_analysis: z.string(),
    secondary_analysis: z.array(z.string()),
    multiple_comparisons: z.string(),
    sequential_monitoring: z.string(),
    stopping_rules: z.array(z.string()),
    decision_rule: z.array(z.string()),
  }),
});
export type ExperimentDesign = z.infer<typeof ExperimentDesign>;

export const DesignResult = z.object({
  /** Grounded model prose, or the computed text when no model is active. */
  narrative: NarrateOutput.nullable().optional(),
  experiment_id: z.string().nullable(),
  experiment_design: ExperimentDesign,
  warnings: z.array(z.string()),
  facts: z.array(Fact),
  generated_at: z.string(),
});
export type DesignResult = z.infer<typeof DesignResult>;

// ---------------------------------------------------------------- analysis

export const AnalyzeInput = z
  .object({
    /** Model prose on top of the computed result (provider, model, refresh); numbers never change. */
    llm: LlmOptions.optional(),
    funnelId: z.string().optional(),
    experiment_id: z.string().optional(),
    name: z.string().max(200).optional(),
    /** One user-level table (variant column + metric columns): an imported dataset, a CSV path or inline columns. */
    datasetId: z.string().optional(),
    file: z.string().optional(),
    table: TableInput.optional(),
    /** Or two aggregated exports (one per arm, e.g. daily counts), like the Udacity pair. */
    control_datasetId: z.string().optional(),
    treatment_datasetId: z.string().optional(),
    control_file: z.string().optional(),
    treatment_file: z.string().optional(),
    control_table: TableInput.optional(),
    treatment_table: TableInput.optional(),
    /** Or funnel stage counts per arm (from an event log with a variant property). */
    stages: z
      .object({ names: z.array(z.string()).min(2), control: z.array(z.number().int().nonnegative()), treatment: z.array(z.number().int().nonnegative()) })
      .optional(),
    variant_column: z.string().optional(),
    control: z.string().optional(),
    treatment: z.string().optional(),
    /** A/B/n: several treatment values of the variant column, each read against control in one result (user tables). */
    treatments: z.array(z.string().trim().min(1)).max(19).optional(),
    /** frequentist (p-values, confidence intervals) or bayesian (chance to beat control, risk); the Settings default when absent. */
    engine: z.enum(['frequentist', 'bayesian']).optional(),
    /** Bayesian engine: normal prior on the relative lift (fractions: mean 0, sd 0.3 = ±30%); flat when absent. */
    prior: z
      .object({ mean: z.number().default(0), sd: z.number().positive() })
      .strict()
      .optional(),
    /** The first metric is the primary one; the rest are secondary (corrected for multiplicity). */
    metrics: z.array(MetricSpec).default([]),
    guardrails: z.array(GuardrailSpec).default([]),
    segment_by: z.union([z.string(), z.array(z.string())]).optional(),
    date_column: z.string().optional(),
    /** Pre-period covariate column for CUPED (mean metrics). */
    covariate: z.string().optional(),
    lower_is_better: z.array(z.string()).default([]),
    alpha: z.number().gt(0).lt(0.5).default(0.05),
    /** Multiplicity correction for secondary metrics, segments and (A/B/n) arms: Holm, Benjamini–Hochberg or Bonferroni. */
    correction: z.enum(['holm', 'bh', 'bonferroni']).default('holm'),
    /** Interval for a difference of rates: unpooled Wald (default) or Newcombe's hybrid score (better near 0% or 100%). */
    ci_method: z.enum(['wald', 'newcombe']).default('wald'),
    /** Planned traffic weights: [control, treatment] or, for A/B/n, [control, ...treatments]. */
    planned_split: z.array(z.number().positive()).min(2).max(20).optional(),
    /** Aggregated inputs: count column whose per-arm totals are checked for SRM (default: the primary metric's denominator). */
    srm_column: z.string().optional(),
    /** The design's MDE, for "power at the planned effect". */
    mde: z.number().positive().optional(),
    mde_type: z.enum(['relative', 'absolute']).default('relative'),
    sequential: z.object({ tau: z.number().positive().optional() }).optional(),
    save: z.boolean().default(true),
  })
  .strict();
export type AnalyzeInput = z.input<typeof AnalyzeInput>;
export type AnalyzeParsed = z.output<typeof AnalyzeInput>;

/** The Bayesian read-out of one metric (engine = bayesian): percent on the relative-lift scale. */
export const BayesianMetric = z.object({
  /** Probability that the treatment is better than control (the metric's direction applied). */
  chance_to_win: z.number(),
  /** Posterior mean of the relative lift, percent. */
  expected_lift: z.number(),
  credible_interval: Pair,
  /** Expected loss (percent of control) of keeping control, and of shipping the treatment. */
  risk_control: z.number(),
  risk_treatment: z.number(),
  prior: z.string(),
});
export type BayesianMetric = z.infer<typeof BayesianMetric>;

export const MetricResult = z.object({
  metric: z.string(),
  /** ratio = Σnumerator/Σdenominator over units (delta method); its values are ratios, not percents. */
  kind: z.enum(['rate', 'mean', 'ratio']),
  direction: Direction,
  control_value: z.number().nullable(),
  treatment_value: z.number().nullable(),
  difference: z.number().nullable(),
  relative_lift: z.number().nullable(),
  relative_lift_ci: Pair.nullable(),
  p_value: z.number().nullable(),
  p_value_adjusted: z.number().nullable(),
  significant: z.boolean(),
  effect_size: z.number().nullable(),
  effect_size_type: z.enum(['cohens_h', 'cohens_d']),
  effect_size_label: z.enum(['negligible', 'small', 'medium', 'large']).nullable(),
  confidence_interval: Pair.nullable(),
  control_n: z.number().int(),
  treatment_n: z.number().int(),
  control_successes: z.number().int().nullable(),
  treatment_successes: z.number().int().nullable(),
  test: z.string(),
  tested: z.boolean(),
  reason: z.string().nullable(),
  cuped: z
    .object({
      covariate: z.string(),
      theta: z.number(),
      variance_reduction: z.number(),
      difference: z.number(),
      confidence_interval: Pair,
      p_value: z.number(),
    })
    .nullable(),
  ratio: z.object({ numerator: z.string(), denominator: z.string() }).nullable().optional(),
  bayesian: BayesianMetric.nullable().optional(),
});
export type MetricResult = z.infer<typeof MetricResult>;

export const SrmCheckResult = z.object({
  control_n: z.number().int(),
  treatment_n: z.number().int(),
  expected_split: Pair,
  statistic: z.number().nullable(),
  p_value: z.number().nullable(),
  passed: z.boolean(),
  threshold: z.number(),
  message: z.string(),
});

export const SegmentResult = z.object({
  segment_column: z.string(),
  segment_value: z.string(),
  control: z.number().nullable(),
  treatment: z.number().nullable(),
  difference: z.number().nullable(),
  lift: z.number().nullable(),
  p_value: z.number().nullable(),
  p_value_adjusted: z.number().nullable(),
  significant: z.boolean(),
  control_n: z.number().int(),
  treatment_n: z.number().int(),
  tested: z.boolean(),
  reason: z.string().nullable(),
});
export type SegmentResult = z.infer<typeof SegmentResult>;

export const GuardrailCheck = z.object({
  metric: z.string(),
  status: z.enum(['passed', 'failed', 'inconclusive']),
  control: z.number().nullable(),
  treatment: z.number().nullable(),
  /** Change in the margin's terms: relative percent or absolute (pp for rates). */
  change: z.number().nullable(),
  change_type: z.enum(['relative', 'absolute']),
  change_ci: Pair.nullable(),
  margin: z.number(),
  direction: Direction,
  p_value: z.number().nullable(),
  rule: z.string(),
});
export type GuardrailCheck = z.infer<typeof GuardrailCheck>;

export const Recommendation = z.object({
  decision: z.enum(['SHIP', 'ITERATE', 'ROLLBACK']),
  confidence: z.enum(['High', 'Medium', 'Low']),
  rule: z.enum(['not_tested', 'srm_failed', 'guardrail_failed', 'primary_worse', 'primary_better', 'guardrail_inconclusive', 'inconclusive']),
  rationale: z.string(),
  next_steps: z.array(z.string()),
});
export type Recommendation = z.infer<typeof Recommendation>;

export const DailyEffect = z.object({
  date: z.string(),
  control_n: z.number(),
  treatment_n: z.number(),
  control_value: z.number().nullable(),
  treatment_value: z.number().nullable(),
  difference: z.number().nullable(),
});

/** One treatment arm of an A/B/n read-out, against the shared control. */
export const ArmResult = z.object({
  treatment_label: z.string(),
  primary_metric: MetricResult,
  secondary_metrics: z.array(MetricResult),
  guardrail_checks: z.record(z.string(), GuardrailCheck),
  recommendation: Recommendation,
});
export type ArmResult = z.infer<typeof ArmResult>;

export const MultiArmSummary = z.object({
  control_label: z.string(),
  treatment_labels: z.array(z.string()),
  correction: z.enum(['holm', 'bh', 'bonferroni']),
  /** How the p-values were grouped for the adjustment. */
  families: z.string(),
  srm: z.object({
    labels: z.array(z.string()),
    observed: z.array(z.number().int()),
    expected_shares: z.array(z.number()),
    statistic: z.number().nullable(),
    df: z.number().int(),
    p_value: z.number().nullable(),
    passed: z.boolean(),
    threshold: z.number(),
    message: z.string(),
  }),
  /** The arm to ship, or null when none qualifies. */
  ship: z.string().nullable(),
  rationale: z.string(),
});
export type MultiArmSummary = z.infer<typeof MultiArmSummary>;

export const ExperimentAnalysis = z.object({
  /** Grounded model prose, or the computed text when no model is active. */
  narrative: NarrateOutput.nullable().optional(),
  experiment_id: z.string().nullable(),
  source: z.enum(['user_table', 'aggregated_pair', 'funnel_stages']),
  variant_column: z.string().nullable(),
  control_label: z.string(),
  /** With several arms: the arm shown in the top-level fields (the one to ship, else the first). */
  treatment_label: z.string(),
  alpha: z.number(),
  engine: z.enum(['frequentist', 'bayesian']).optional(),
  /** A/B/n: every arm against control (the top-level fields repeat the shown arm). */
  arms: z.array(ArmResult).optional(),
  multi_arm: MultiArmSummary.nullable().optional(),
  statistical_analysis: z.object({
    primary_metric: MetricResult,
    secondary_metrics: z.array(MetricResult),
    secondary_correction: z.enum(['holm', 'bh', 'bonferroni']),
    power: z.object({
      observed_effect: z.number().nullable(),
      at_mde: z.number().nullable(),
      mde: z.number().nullable(),
      mde_type: z.enum(['relative', 'absolute']),
      note: z.string(),
    }),
    sequential: z
      .object({ method: z.string(), tau: z.number(), looks: z.number().int(), p_value: z.number(), confidence_interval: Pair, reject: z.boolean() })
      .nullable(),
  }),
  srm_check: SrmCheckResult,
  segment_by: z.array(z.string()),
  segment_analysis: z.record(z.string(), SegmentResult),
  guardrail_checks: z.record(z.string(), GuardrailCheck),
  recommendation: Recommendation,
  daily: z.array(DailyEffect),
  warnings: z.array(z.string()),
  facts: z.array(Fact),
  generated_at: z.string(),
});
export type ExperimentAnalysis = z.infer<typeof ExperimentAnalysis>;

// ---------------------------------------------------------------- causal

export const ExternalFactor = z.union([
  z.string().min(1).max(500),
  z.object({ description: z.string().min(1).max(500), impact: z.enum(['none', 'possible', 'confirmed']) }),
]);

export const CausalInput = AnalyzeInput.extend({
  external_factors: z.array(ExternalFactor).default([]),
  /** Columns (user table, 0/1) or count columns (aggregated) in funnel order, for the stage-by-stage mechanism. */
  stage_columns: z.array(z.string()).optional(),
  /** Segment columns whose balance across arms is checked (default: segment_by). */
  balance_columns: z.array(z.string()).optional(),
}).strict();
export type CausalInput = z.input<typeof CausalInput>;
export type CausalParsed = z.output<typeof CausalInput>;

const CheckStatus = z.enum(['passed', 'warning', 'failed', 'not_checked']);

export const ChainStep = z.object({
  step: z.number().int(),
  cause: z.string(),
  effect: z.string(),
  stage: z.string(),
  control_rate: z.number().nullable(),
  treatment_rate: z.number().nullable(),
  difference: z.number().nullable(),
  lift: z.number().nullable(),
  confidence_interval: Pair.nullable(),
  p_value: z.number().nullable(),
  significant: z.boolean(),
});

export const CausalResult = z.object({
  /** Grounded model prose, or the computed text when no model is active. */
  narrative: NarrateOutput.nullable().optional(),
  experiment_id: z.string().nullable(),
  causal_conclusion: z.object({
    statement: z.string(),
    confidence: z.enum(['High', 'Medium', 'Low']),
    rationale: z.string(),
    /** Required checks (randomisation, covariate balance, temporal stability) that did not run, named. */
    not_checked: z.array(z.string()).default([]),
  }),
  mechanism: z.object({ description: z.string(), causal_chain: z.array(ChainStep) }),
  confounding_check: z.object({
    external_factors: z.object({
      status: CheckStatus,
      check: z.string(),
      factors: z.array(z.object({ description: z.string(), impact: z.enum(['none', 'possible', 'confirmed']) })),
    }),
    selection_bias: z.object({
      status: CheckStatus,
      check: z.string(),
      srm_p_value: z.number().nullable(),
      balance: z.array(
        z.object({
          column: z.string(),
          statistic: z.number().nullable(),
          df: z.number().nullable(),
          p_value: z.number().nullable(),
          p_value_adjusted: z.number().nullable(),
          passed: z.boolean(),
          note: z.string().nullable(),
        }),
      ),
    }),
    temporal_effects: z.object({
      status: CheckStatus,
      check: z.string(),
      days: z.number().int(),
      slope: z.number().nullable(),
      p_value: z.number().nullable(),
      first_half_difference: z.number().nullable(),
      second_half_difference: z.number().nullable(),
    }),
    heterogeneity: z.object({
      status: CheckStatus,
      check: z.string(),
      column: z.string().nullable(),
      q: z.number().nullable(),
      df: z.number().nullable(),
      p_value: z.number().nullable(),
    }),
    overall: z.string(),
  }),
  generalizability: z.object({ internal_validity: z.enum(['High', 'Medium', 'Low']), external_validity: z.enum(['High', 'Medium', 'Low']), notes: z.string() }),
  analysis: ExperimentAnalysis,
  next_steps: z.array(z.string()),
  facts: z.array(Fact),
  generated_at: z.string(),
});
export type CausalResult = z.infer<typeof CausalResult>;

export const experimentDesign = call({
  name: 'experiment:design',
  summary: 'Design an A/B test: sample size, duration, guardrails and analysis plan, all computed.',
  http: { method: 'POST', path: '/api/v1/experiments/design', aliases: ['/api/v1/analytics/:funnelId/experiment/design'] },
  input: DesignInput,
  output: DesignResult,
});

export const experimentAnalyze = call({
  name: 'experiment:analyze',
  summary: 'Analyze an A/B test: significance, SRM, segments, guardrails and a SHIP/ITERATE/ROLLBACK decision.',
  http: { method: 'POST', path: '/api/v1/experiments/analyze', aliases: ['/api/v1/analytics/:funnelId/experiment/analyze'] },
  input: AnalyzeInput,
  output: ExperimentAnalysis,
});

export const experimentCausal = call({
  name: 'experiment:causal',
  summary: 'Causal checks behind an A/B result: randomization, balance, temporal stability, heterogeneity, mechanism.',
  http: { method: 'POST', path: '/api/v1/experiments/causal', aliases: ['/api/v1/analytics/:funnelId/experiment/causal'] },
  input: CausalInput,
  output: CausalResult,
});
