import { IafaError } from '../../shared/contract';
import type { DesignParsed, DesignResult, ExperimentDesign } from '../../shared/contract/experiments';
import type { Fact } from '../../shared/contract/facts';
import { bonferroniAlpha, experimentDuration, sampleSizeMeans, sampleSizeTwoProportions } from '../stats';
import { needsPlan, plan, type PlanResult } from './design-plan';
import { decisionRuleText } from './docs';
import { FactSheetBuilder } from './facts';
import { DEFAULT_GUARDRAIL_MARGIN, metricName } from './prepared';
import { plural } from '../../shared/plural';

/**
 * Experiment design: every number is computed (power.prop.test / power.t.test formulas), the
 * wording is a fixed template so the same inputs always give the same plan.
 */

function pct(x: number, digits = 1): string {
  return `${Number((x * 100).toFixed(digits))}%`;
}

function splitLabel(k: number): { label: string; shares: number[] } {
  const base = Math.floor(100 / k);
  const parts = Array.from({ length: k }, (_, i) => base + (i < 100 - base * k ? 1 : 0));
  return { label: parts.join('/'), shares: parts.map(() => 1 / k) };
}

/** Shares for a control weight of 1 and each treatment weight `ratio` (e.g. 90/10 for ratio 1/9). */
function ratioSplit(k: number, ratio: number): { label: string; shares: number[] } {
  const w = [1, ...Array.from({ length: k - 1 }, () => ratio)];
  const sum = w.reduce((a, b) => a + b, 0);
  const shares = w.map((x) => x / sum);
  return { label: shares.map((s) => Number((s * 100).toFixed(1))).join('/'), shares };
}

export function designExperiment(
  input: DesignParsed,
  opts: { experimentId?: string | null; provenance?: Fact['provenance']; now?: () => Date } = {},
): DesignResult {
  const warnings: string[] = [];
  const k = input.variants;
  const hypothesis = input.hypothesis?.trim() || 'The treatment improves the primary metric.';
  const primaryName = input.primary_metric ?? (input.metric_type === 'rate' ? 'Conversion rate' : 'Mean value');
  let perVariant: number;
  let total: number;
  let alphaPer: number;
  let baseline: number;
  let mdeAbs: number;
  let mdeRel: number;
  let method: string;
  let planned: PlanResult | null = null;
  if (needsPlan(input)) {
    // Unequal arms, one-sided, or a given n / duration: the general planner (design-plan.ts).
    const fromFunnel = input.current_metrics?.overall_conversion_rate;
    const rate = input.metric_type === 'rate';
    const b = rate ? (input.baseline_rate ?? (fromFunnel !== undefined ? fromFunnel / 100 : undefined)) : (input.baseline_mean ?? 0);
    if (b === undefined)
      throw new IafaError('validation', "Give the baseline rate of the primary metric (baseline_rate, e.g. 0.15) or the funnel's current metrics.");
    if (rate && !(b > 0 && b < 1)) throw new IafaError('validation', `The baseline rate must be strictly between 0% and 100% (got ${pct(b)}).`);
    if (!rate && input.baseline_sd === undefined) throw new IafaError('validation', 'A mean metric needs its standard deviation (baseline_sd).');
    if (rate && input.baseline_rate === undefined) warnings.push(`Baseline taken from the funnel's overall conversion rate (${pct(b, 2)}).`);
    baseline = b;
    alphaPer = bonferroniAlpha(input.alpha, k);
    planned = plan(input, b, alphaPer);
    [perVariant, total, mdeAbs, mdeRel, method] = [planned.perVariant, planned.total, planned.mdeAbs, planned.mdeRel, planned.method];
  } else if (input.metric_type === 'rate') {
    const fromFunnel = input.current_metrics?.overall_conversion_rate;
    const b = input.baseline_rate ?? (fromFunnel !== undefined ? fromFunnel / 100 : undefined);
    if (b === undefined)
      throw new IafaError('validation', "Give the baseline rate of the primary metric (baseline_rate, e.g. 0.15) or the funnel's current metrics.");
    if (!(b > 0 && b < 1)) throw new IafaError('validation', `The baseline rate must be strictly between 0% and 100% (got ${pct(b)}).`);
    if (input.baseline_rate === undefined) warnings.push(`Baseline taken from the funnel's overall conversion rate (${pct(b, 2)}).`);
    baseline = b;
    let r;
    try {
      r = sampleSizeTwoProportions({ baseline: b, mde: input.mde as number, mdeType: input.mde_type, alpha: input.alpha, power: input.power, variants: k });
    } catch (e) {
      throw new IafaError('validation', (e as Error).message);
    }
    [perVariant, total, alphaPer, mdeAbs, mdeRel] = [r.per_variant, r.total, r.alpha_per_comparison, r.mde_absolute * 100, r.mde_relative * 100];
    method = "two-sided two-proportion z-test; pooled variance under H0, unpooled under H1, no continuity correction (R's power.prop.test)";
  } else {
    if (input.baseline_sd === undefined) throw new IafaError('validation', 'A mean metric needs its standard deviation (baseline_sd).');
    if (input.mde_type === 'relative' && input.baseline_mean === undefined)
      throw new IafaError('validation', 'A relative MDE on a mean metric needs the baseline mean (baseline_mean).');
    baseline = input.baseline_mean ?? 0;
    const mde = input.mde as number;
    const delta = input.mde_type === 'relative' ? Math.abs(baseline) * mde : mde;
    const r = sampleSizeMeans({ delta, sd: input.baseline_sd, alpha: input.alpha, power: input.power, variants: k });
    [perVariant, total, alphaPer, mdeAbs, mdeRel] = [
      r.per_variant,
      r.total,
      r.alpha_per_comparison,
      delta,
      baseline !== 0 ? (delta / Math.abs(baseline)) * 100 : 0,
    ];
    method = "two-sided two-sample t-test (R's power.t.test)";
  }

  let duration: ExperimentDesign['duration'];
  if (input.duration_days !== undefined && input.daily_users !== undefined) {
    const weeks = Math.ceil(input.duration_days / 7);
    duration = {
      days: input.duration_days,
      weeks,
      days_needed: input.duration_days,
      daily_users: input.daily_users,
      allocation: input.allocation,
      rationale: `A planned ${input.duration_days}-day run at ${Math.round(input.daily_users * input.allocation).toLocaleString('en-US')} users per day gives ${total.toLocaleString('en-US')} users; the power analysis says what that sample can detect.`,
    };
  } else if (input.daily_users !== undefined) {
    const d = experimentDuration(total, input.daily_users, input.allocation, input.full_weeks);
    duration = {
      days: d.days,
      weeks: d.weeks,
      days_needed: d.days_needed,
      daily_users: input.daily_users,
      allocation: input.allocation,
      rationale: d.rationale,
    };
    if (d.days > 56) warnings.push(`At this traffic the test needs ${plural(d.weeks, 'week')}; consider a larger MDE, more traffic or fewer variants.`);
  } else {
    duration = {
      days: null,
      weeks: null,
      days_needed: null,
      daily_users: null,
      allocation: input.allocation,
      rationale: 'Give the number of daily eligible users to compute the duration (run whole weeks to cover weekly cycles).',
    };
  }

  const variantNames = input.variant_names ?? [];
  const variants: ExperimentDesign['variants'] = {
    control: { name: variantNames[0] ?? 'Control', description: 'The current experience, unchanged.' },
  };
  for (let i = 1; i < k; i++) {
    const key = i === 1 ? 'treatment' : `treatment_${i}`;
    variants[key] = {
      name: variantNames[i] ?? (i === 1 ? 'Treatment' : `Treatment ${i}`),
      description: i === 1 ? `The change under test: ${hypothesis}` : `Alternative version ${i} of the change under test.`,
    };
  }

  const marginText = (margin: number, type: 'relative' | 'absolute') =>
    type === 'relative'
      ? `${Number((margin * 100).toFixed(2))}% relative`
      : input.metric_type === 'rate'
        ? `${Number((margin * 100).toFixed(2))} pp`
        : `${margin}`;
  const guardrails: ExperimentDesign['guardrails'] = input.guardrails.map((g) => {
    const spec =
      typeof g === 'string' ? { metric: g, margin: DEFAULT_GUARDRAIL_MARGIN, margin_type: 'relative' as const, direction: 'higher_is_better' as const } : g;
    const name = metricName(spec.metric);
    const worse = spec.direction === 'higher_is_better' ? 'drop' : 'rise';
    return {
      metric: name,
      margin: spec.margin,
      margin_type: spec.margin_type,
      direction: spec.direction,
      description: `${name} must not ${worse} by more than ${marginText(spec.margin, spec.margin_type)} (non-inferiority at one-sided α = ${input.alpha}).`,
    };
  });
  for (const c of input.business_context?.constraints ?? []) {
    guardrails.push({
      metric: c,
      margin: DEFAULT_GUARDRAIL_MARGIN,
      margin_type: 'relative',
      direction: 'higher_is_better',
      description: `Constraint: ${c} (checked as a guardrail with a ${marginText(DEFAULT_GUARDRAIL_MARGIN, 'relative')} non-inferiority margin).`,
    });
  }

  const split = input.ratio !== undefined && input.ratio !== 1 ? ratioSplit(k, input.ratio) : splitLabel(k);
  const testName =
    input.metric_type === 'rate'
      ? 'two-proportion z-test (pooled), Wald CI of the difference and Fieller CI of the relative lift'
      : 'Welch t-test with CI of the mean difference (CUPED when a pre-period covariate exists)';
  const design: ExperimentDesign = {
    hypothesis,
    variants,
    primary_metric: {
      name: primaryName,
      type: input.metric_type,
      baseline: input.metric_type === 'rate' ? baseline * 100 : baseline,
      unit: input.metric_type === 'rate' ? 'percent' : 'number',
    },
    success_metrics: [primaryName, ...input.secondary_metrics],
    secondary_metrics: input.secondary_metrics,
    guardrails,
    sample_size: {
      per_variant: perVariant,
      total,
      power: input.power,
      alpha: input.alpha,
      mde: planned?.mde ?? (input.mde as number),
      mde_type: input.mde_type,
      mde_absolute: mdeAbs,
      mde_relative: mdeRel,
      alpha_per_comparison: alphaPer,
      variants: k,
      method,
      ...(planned ? { control_n: planned.controlN, treatment_n: planned.treatmentN, ratio: input.ratio ?? 1, alternative: input.alternative } : {}),
    },
    power_analysis: planned?.powerAnalysis ?? null,
    duration,
    randomization: {
      method: `Deterministic hash of ${input.randomization_unit} into ${k} ${input.ratio !== undefined && input.ratio !== 1 ? `buckets weighted ${split.label}` : 'equal buckets'}`,
      unit: input.randomization_unit,
      split: split.label,
      allocation: split.shares,
      stratification: input.stratification,
    },
    analysis_plan: {
      primary_analysis:
        `${input.alternative === 'one-sided' ? 'One-sided (treatment better)' : 'Two-sided'} ${testName} on ${primaryName} at α = ${input.alpha}` +
        (k > 2 ? ` (α = ${Number(alphaPer.toPrecision(4))} per treatment vs control, Bonferroni over ${k - 1} comparisons)` : '') +
        (input.alternative === 'one-sided'
          ? '; the read-out reports two-sided p-values, so the one-sided test at α is a two-sided p-value below 2α with the change in the planned direction'
          : '') +
        '.',
      secondary_analysis: [
        ...(input.secondary_metrics.length ? [`Secondary metrics (${input.secondary_metrics.join(', ')}) with Holm-adjusted p-values`] : []),
        'Segment breakdown with Holm-adjusted p-values',
        'Guardrail non-inferiority checks',
        'Sample ratio mismatch check (chi-square, flagged at p < 0.001)',
        'Daily effect trend (novelty or decay)',
      ],
      multiple_comparisons:
        k > 2
          ? `Each of the ${k - 1} treatments is compared with control at α/(k−1) = ${Number(alphaPer.toPrecision(4))}; secondary metrics and segments are Holm-adjusted.`
          : 'Secondary metrics and segments are Holm-adjusted; the primary comparison uses the full α.',
      sequential_monitoring:
        'Results may be watched daily only through the always-valid mSPRT p-value (mixture scale τ = the absolute MDE); the fixed-horizon p-value is read once, at the planned end.',
      stopping_rules: [
        'Sample ratio mismatch (p < 0.001) at any check: stop and investigate assignment',
        'A guardrail fails: stop and roll back',
        'The always-valid (mSPRT) p-value crosses α: the result may be read early',
        duration.days !== null
          ? `Otherwise run the full ${plural(duration.days, 'day')}, then read the fixed-horizon test once`
          : 'Otherwise run until the planned sample size is reached, in whole weeks',
      ],
      decision_rule: decisionRuleText(),
    },
  };

  const facts = new FactSheetBuilder(opts.provenance ?? {});
  if (input.metric_type === 'rate') facts.add('experiment.design.baseline', 'Baseline rate', baseline * 100, 'percent');
  else facts.add('experiment.design.baseline', 'Baseline mean', baseline, 'number');
  facts.add('experiment.design.mde_absolute', 'Minimum detectable effect (absolute)', mdeAbs, input.metric_type === 'rate' ? 'pp' : 'number');
  if (mdeRel !== 0) facts.add('experiment.design.mde_relative', 'Minimum detectable effect (relative)', mdeRel, 'percent');
  facts.add('experiment.design.sample_size.per_variant', 'Sample size per variant', perVariant, 'users');
  facts.add('experiment.design.sample_size.total', 'Total sample size', total, 'users');
  facts.add('experiment.design.power', 'Power', input.power * 100, 'percent');
  facts.add('experiment.design.alpha', 'Significance level (alpha)', input.alpha, 'number');
  facts.add('experiment.design.variants', 'Number of variants', k, 'count');
  if (planned && planned.controlN !== planned.treatmentN) {
    facts.add('experiment.design.sample_size.control', 'Control sample size', planned.controlN, 'users');
    facts.add('experiment.design.sample_size.treatment', 'Sample size per treatment arm', planned.treatmentN, 'users');
  }
  const pa = planned?.powerAnalysis;
  if (pa) {
    facts.add('experiment.design.power_analysis.total', 'Available sample', pa.total, 'users');
    facts.add(
      'experiment.design.power_analysis.power_at_mde',
      'Power at the MDE with this sample',
      pa.power_at_mde === null ? null : pa.power_at_mde * 100,
      'percent',
    );
    facts.add(
      'experiment.design.power_analysis.mde_absolute',
      'Detectable effect with this sample (absolute)',
      pa.mde_absolute,
      input.metric_type === 'rate' ? 'pp' : 'number',
    );
    facts.add('experiment.design.power_analysis.mde_relative', 'Detectable effect with this sample (relative)', pa.mde_relative, 'percent');
  }
  if (duration.days !== null) {
    facts.add('experiment.design.duration.days', 'Duration', duration.days, 'days');
    facts.add('experiment.design.duration.weeks', 'Duration in weeks', duration.weeks, 'number', `${duration.weeks} week${duration.weeks === 1 ? '' : 's'}`);
    facts.add('experiment.design.daily_users', 'Daily eligible users', duration.daily_users, 'users');
  }
  return {
    experiment_id: opts.experimentId ?? null,
    experiment_design: design,
    warnings,
    facts: facts.facts,
    generated_at: (opts.now ?? (() => new Date()))().toISOString(),
  };
}
