import type { Fact } from '../../shared/contract/facts';
import type { ExperimentAnalysis, GuardrailCheck, MetricResult, SegmentResult } from '../../shared/contract/experiments';
import { adjustPValues, msprt, srmCheck, type GaussianPrior } from '../stats';
import { achievedPower, checkGuardrail, decide } from './decision';
import { decideBayesian } from './decision-bayes';
import { FactSheetBuilder, slug } from './facts';
import { compareMetric, reconcile, type Direction } from './metrics';
import type { PreparedExperiment } from './prepared';

export interface AnalyzeOptions {
  alpha?: number;
  correction?: 'holm' | 'bh' | 'bonferroni';
  ciMethod?: 'wald' | 'newcombe';
  engine?: 'frequentist' | 'bayesian';
  /** Prior on the relative lift for the Bayesian engine (flat when absent). */
  prior?: GaussianPrior;
  /** Planned weights [control, treatment] (a longer list is the A/B/n plan; its first two are used here). */
  plannedSplit?: readonly number[];
  mde?: number;
  mdeType?: 'relative' | 'absolute';
  /** Run the mSPRT over the daily looks; tau defaults to the absolute MDE, else 10% of the control value. */
  sequential?: { tau?: number } | null;
  lowerIsBetter?: readonly string[];
  experimentId?: string | null;
  provenance?: Fact['provenance'];
  now?: () => Date;
}

const SRM_THRESHOLD = 0.001;

function srm(p: PreparedExperiment, planned: readonly number[] | undefined): ExperimentAnalysis['srm_check'] {
  const [c, t] = p.srmCounts;
  const split: [number, number] = planned ? [planned[0], planned[1]] : [1, 1];
  const sum = split[0] + split[1];
  const expected: [number, number] = [split[0] / sum, split[1] / sum];
  if (c + t === 0) {
    return {
      control_n: c,
      treatment_n: t,
      expected_split: expected,
      statistic: null,
      p_value: null,
      passed: false,
      threshold: SRM_THRESHOLD,
      message: 'No units in either arm, so the split cannot be checked.',
    };
  }
  const r = srmCheck([c, t], split, SRM_THRESHOLD);
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return {
    control_n: c,
    treatment_n: t,
    expected_split: expected,
    statistic: r.statistic,
    p_value: r.p_value,
    passed: !r.mismatch,
    threshold: SRM_THRESHOLD,
    message: r.mismatch
      ? `Sample ratio mismatch: ${pct(c / (c + t))} / ${pct(t / (c + t))} of ${p.srmUnit} against a planned ${pct(expected[0])} / ${pct(expected[1])} (p < ${SRM_THRESHOLD}).`
      : `The split of ${p.srmUnit} (${pct(c / (c + t))} / ${pct(t / (c + t))}) is consistent with the planned ${pct(expected[0])} / ${pct(expected[1])}.`,
  };
}

export function analyzePrepared(p: PreparedExperiment, opts: AnalyzeOptions = {}): ExperimentAnalysis {
  const alpha = opts.alpha ?? 0.05;
  const correction = opts.correction ?? 'holm';
  const mdeType = opts.mdeType ?? 'relative';
  const lower = new Set(opts.lowerIsBetter ?? []);
  const dir = (name: string): Direction => (lower.has(name) ? 'lower_is_better' : 'higher_is_better');
  const warnings = [...p.warnings];

  const [primaryData, ...secondaryData] = p.metrics;
  const ci = { ciMethod: opts.ciMethod ?? 'wald', engine: opts.engine ?? 'frequentist', prior: opts.prior } as const;
  const primary = compareMetric(primaryData, alpha, dir(primaryData.name), ci);
  const secondary = secondaryData.map((d) => compareMetric(d, alpha, dir(d.name), ci));
  applyCorrection(secondary, correction, alpha);

  const segmentAnalysis: Record<string, SegmentResult> = {};
  const segResults = p.segments.map((s) => ({ s, m: compareMetric(s.data, alpha, primary.direction, { ciMethod: ci.ciMethod }) }));
  applyCorrection(
    segResults.map((r) => r.m),
    correction,
    alpha,
  );
  const multiCol = p.segmentBy.length > 1;
  for (const { s, m } of segResults) {
    segmentAnalysis[multiCol ? `${s.column}=${s.value}` : s.value] = {
      segment_column: s.column,
      segment_value: s.value,
      control: m.control_value,
      treatment: m.treatment_value,
      difference: m.difference,
      lift: m.relative_lift,
      p_value: m.p_value,
      p_value_adjusted: m.p_value_adjusted,
      significant: m.significant,
      control_n: m.control_n,
      treatment_n: m.treatment_n,
      tested: m.tested,
      reason: m.reason,
    };
  }

  const guardrailChecks: Record<string, GuardrailCheck> = {};
  for (const g of p.guardrails) {
    const m = compareMetric(g.data, alpha, g.rule.direction);
    guardrailChecks[g.data.name] = checkGuardrail(g.data, g.rule, alpha, m.p_value);
  }

  const srmResult = srm(p, opts.plannedSplit);
  const pw = achievedPower(primaryData, alpha, opts.mde, mdeType);
  const decisionInput = {
    primary,
    srmPassed: srmResult.passed,
    srmP: srmResult.p_value,
    guardrails: Object.values(guardrailChecks),
    alpha,
    powerAtMde: pw.at_mde,
  };
  const recommendation = ci.engine === 'bayesian' ? decideBayesian(decisionInput) : decide(decisionInput);

  let sequential: ExperimentAnalysis['statistical_analysis']['sequential'] = null;
  if (opts.sequential) {
    const looks = p.looks.filter((l) => l.control.n > 0 && l.treatment.n > 0 && l.control.variance / l.control.n + l.treatment.variance / l.treatment.n > 0);
    const base = looks.length ? looks[looks.length - 1].control.mean : 0;
    const tau = opts.sequential.tau ?? (opts.mde !== undefined ? (mdeType === 'relative' ? Math.abs(base) * opts.mde : opts.mde) : Math.abs(base) * 0.1);
    if (looks.length && tau > 0) {
      const r = msprt(looks, { alpha, tau });
      const last = r[r.length - 1];
      const scale = primaryData.kind === 'rate' ? 100 : 1;
      sequential = {
        method: 'mSPRT (normal mixture, always-valid p-value)',
        tau: tau * scale,
        looks: r.length,
        p_value: last.p_value,
        confidence_interval: [last.ci.lower * scale, last.ci.upper * scale],
        reject: last.reject,
      };
    } else warnings.push('Sequential monitoring needs a date column (daily looks) with data in both arms.');
  }

  const facts = new FactSheetBuilder(opts.provenance ?? {});
  facts.metric('experiment.primary', primary);
  for (const m of secondary) facts.metric(`experiment.secondary.${slug(m.metric)}`, m);
  facts.add('experiment.srm.control_n', 'SRM: control units', srmResult.control_n, 'users');
  facts.add('experiment.srm.treatment_n', 'SRM: treatment units', srmResult.treatment_n, 'users');
  facts.add('experiment.srm.p_value', 'SRM: p-value', srmResult.p_value, 'p');
  // The SRM message quotes the observed and planned shares, so they are facts too.
  const units = srmResult.control_n + srmResult.treatment_n;
  if (units > 0) {
    const share = (id: string, label: string, x: number) => facts.add(id, label, x * 100, 'percent', `${(x * 100).toFixed(1)}%`);
    share('experiment.srm.control_share', 'SRM: control share of units', srmResult.control_n / units);
    share('experiment.srm.treatment_share', 'SRM: treatment share of units', srmResult.treatment_n / units);
    share('experiment.srm.planned_control_share', 'SRM: planned control share', srmResult.expected_split[0]);
    share('experiment.srm.planned_treatment_share', 'SRM: planned treatment share', srmResult.expected_split[1]);
  }
  for (const [key, s] of Object.entries(segmentAnalysis)) {
    const id = `experiment.segment.${slug(s.segment_column)}.${slug(s.segment_value)}`;
    const unit = primary.kind === 'rate' ? 'percent' : 'number';
    facts.add(`${id}.control`, `${key}: control`, s.control, unit);
    facts.add(`${id}.treatment`, `${key}: treatment`, s.treatment, unit);
    facts.addLift(`${id}.lift`, `${key}: relative lift`, s.lift);
    facts.add(`${id}.p_value_adjusted`, `${key}: adjusted p-value`, s.p_value_adjusted, 'p');
  }
  for (const g of Object.values(guardrailChecks)) {
    const id = `experiment.guardrail.${slug(g.metric)}`;
    const unit = g.change_type === 'relative' ? 'percent' : primary.kind === 'rate' ? 'pp' : 'number';
    facts.add(`${id}.change`, `${g.metric}: change`, g.change, unit);
    facts.add(`${id}.margin`, `${g.metric}: non-inferiority margin`, g.margin, unit);
  }
  facts.add('experiment.power.observed_effect', 'Power at the observed effect', pw.observed_effect === null ? null : pw.observed_effect * 100, 'percent');
  facts.add('experiment.power.at_mde', 'Power at the planned MDE', pw.at_mde === null ? null : pw.at_mde * 100, 'percent');
  if (sequential) facts.add('experiment.sequential.p_value', 'Always-valid p-value (mSPRT)', sequential.p_value, 'p');

  return {
    experiment_id: opts.experimentId ?? null,
    source: p.source,
    variant_column: p.variantColumn,
    control_label: p.controlLabel,
    treatment_label: p.treatmentLabel,
    alpha,
    engine: ci.engine,
    statistical_analysis: {
      primary_metric: primary,
      secondary_metrics: secondary,
      secondary_correction: correction,
      power: {
        observed_effect: pw.observed_effect,
        at_mde: pw.at_mde,
        mde: opts.mde ?? null,
        mde_type: mdeType,
        note: 'Power at the observed effect is a restatement of the p-value, not evidence; power at the planned MDE says whether a flat result is informative.',
      },
      sequential,
    },
    srm_check: srmResult,
    segment_by: p.segmentBy,
    segment_analysis: segmentAnalysis,
    guardrail_checks: guardrailChecks,
    recommendation,
    daily: p.daily,
    warnings,
    facts: facts.facts,
    generated_at: (opts.now ?? (() => new Date()))().toISOString(),
  };
}

/** Adjusted p-values over the tested rows; significance is then judged on the adjusted value. */
export function applyCorrection(rows: MetricResult[], method: 'holm' | 'bh' | 'bonferroni', alpha: number): void {
  const tested = rows.filter((r) => r.tested && r.p_value !== null);
  const adj = adjustPValues(
    tested.map((r) => r.p_value as number),
    method,
  );
  tested.forEach((r, i) => {
    r.p_value_adjusted = adj[i];
    r.significant = adj[i] < alpha;
    reconcile(r);
  });
}
