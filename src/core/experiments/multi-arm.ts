import { IafaError } from '../../shared/contract';
import type { ArmResult, ExperimentAnalysis, MultiArmSummary, Recommendation } from '../../shared/contract/experiments';
import { srmCheck } from '../stats';
import { analyzePrepared, applyCorrection, type AnalyzeOptions } from './analyze';
import { decide } from './decision';
import { decideBayesian } from './decision-bayes';
import { FactSheetBuilder, slug } from './facts';
import { prepareUserTable, type UserTableSpec } from './prepare-table';
import type { PreparedExperiment } from './prepared';
import { cellKey, requireColumn, type Table } from './table';

/**
 * A/B/n: every treatment arm read against the shared control in one result. Each arm is prepared
 * and analysed as its own two-arm comparison (same fields as an A/B read-out), then:
 *  - p-values are adjusted across arms: the primary metric over the k − 1 arm comparisons (the
 *    family the design's α/(k − 1) sizes for), secondary metrics over arms × secondary metrics;
 *  - the sample-ratio check is one chi-square over all k arms against the planned split;
 *  - each arm gets its decision from the same rule, and the arm to ship is the best-performing
 *    arm (largest improvement on the primary metric) among those whose decision is SHIP.
 */
const SRM_THRESHOLD = 0.001;

/** The distinct treatment arms, checked against the control and the planned split. */
export function checkArms(control: string, treatments: readonly string[], planned: readonly number[] | undefined): string[] {
  const arms = [...new Set(treatments)];
  if (arms.includes(control)) throw new IafaError('validation', `"${control}" is the control; it cannot also be a treatment.`);
  if (planned && planned.length !== arms.length + 1) {
    throw new IafaError(
      'validation',
      `The planned split has ${planned.length} weights; with ${arms.length} treatments it needs ${arms.length + 1} (control first).`,
    );
  }
  return arms;
}

/** The control of an A/B/n read-out: as given, else the one value that looks like a control. */
export function guessControl(values: readonly string[], variantColumn: string, treatments: readonly string[]): string {
  const guess = values.filter((v) => !treatments.includes(v)).find((v) => /control|baseline|^a$|off/i.test(v));
  if (!guess)
    throw new IafaError(
      'validation',
      `Say which value of "${variantColumn}" is the control (--control): with several treatments it cannot be guessed. Values: ${[...values].sort().join(', ')}.`,
      { reason: 'ambiguous_variants' },
    );
  return guess;
}

export function resolveControl(table: Table, variantColumn: string, control: string | undefined, treatments: readonly string[]): string {
  if (control) return control;
  const col = requireColumn(table, variantColumn, 'variant');
  const values = new Set<string>();
  for (const v of col) if (v !== null) values.add(cellKey(v));
  return guessControl([...values], variantColumn, treatments);
}

export function analyzeMultiArm(
  table: Table,
  spec: UserTableSpec & { control: string; treatments: readonly string[] },
  opts: AnalyzeOptions,
): ExperimentAnalysis {
  const arms = checkArms(spec.control, spec.treatments, opts.plannedSplit);
  const prepared = arms.map((arm) => prepareUserTable(table, { ...spec, treatment: arm }));
  return analyzeArms(spec.control, arms, prepared, otherValues(table, spec.variantColumn, [spec.control, ...arms]), opts);
}

/**
 * The A/B/n read-out from each arm's two-arm preparation (against the shared control), however
 * it was prepared (from a table in memory or from a backend's aggregates). `others` are the
 * variant values named neither control nor treatment.
 */
export function analyzeArms(
  control: string,
  arms: readonly string[],
  preparedArms: readonly PreparedExperiment[],
  others: readonly string[],
  opts: AnalyzeOptions,
): ExperimentAnalysis {
  const planned = opts.plannedSplit;
  const spec = { control };
  const alpha = opts.alpha ?? 0.05;
  const correction = opts.correction ?? 'holm';
  const engine = opts.engine ?? 'frequentist';
  const runs = arms.map((arm, i) => {
    const prepared = preparedArms[i];
    // The per-arm "other values ignored" note would name the other arms; one note for the whole read-out instead.
    prepared.warnings = prepared.warnings.filter((w) => !w.startsWith('Variant values ignored'));
    return { arm, prepared, analysis: analyzePrepared(prepared, { ...opts, plannedSplit: planned ? [planned[0], planned[i + 1]] : undefined }) };
  });

  // Families: the primary over arms; secondaries over arms × metrics (docs/statistics.md).
  if (engine === 'frequentist') {
    applyCorrection(
      runs.map((r) => r.analysis.statistical_analysis.primary_metric),
      correction,
      alpha,
    );
    applyCorrection(
      runs.flatMap((r) => r.analysis.statistical_analysis.secondary_metrics),
      correction,
      alpha,
    );
  }

  const controlN = runs[0].prepared.srmCounts[0];
  const observed = [controlN, ...runs.map((r) => r.prepared.srmCounts[1])];
  const labels = [spec.control, ...arms];
  const weights = planned ?? labels.map(() => 1);
  const wsum = weights.reduce((a, b) => a + b, 0);
  const shares = weights.map((w) => w / wsum);
  const total = observed.reduce((a, b) => a + b, 0);
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  let srm: MultiArmSummary['srm'];
  if (total === 0) {
    srm = {
      labels,
      observed,
      expected_shares: shares,
      statistic: null,
      df: labels.length - 1,
      p_value: null,
      passed: false,
      threshold: SRM_THRESHOLD,
      message: 'No units in any arm, so the split cannot be checked.',
    };
  } else {
    const r = srmCheck(observed, weights, SRM_THRESHOLD);
    const seen = observed.map((o) => pct(o / total)).join(' / ');
    const plan = shares.map(pct).join(' / ');
    srm = {
      labels,
      observed,
      expected_shares: shares,
      statistic: r.statistic,
      df: r.df,
      p_value: r.p_value,
      passed: !r.mismatch,
      threshold: SRM_THRESHOLD,
      message: r.mismatch
        ? `Sample ratio mismatch across the ${labels.length} arms (${labels.join(' / ')}): ${seen} against a planned ${plan} (p < ${SRM_THRESHOLD}).`
        : `The split across the ${labels.length} arms (${labels.join(' / ')}: ${seen}) is consistent with the planned ${plan}.`,
    };
  }

  const armResults: ArmResult[] = runs.map(({ arm, analysis }) => {
    const sa = analysis.statistical_analysis;
    const input = {
      primary: sa.primary_metric,
      srmPassed: srm.passed,
      srmP: srm.p_value,
      guardrails: Object.values(analysis.guardrail_checks),
      alpha,
      powerAtMde: sa.power.at_mde,
    };
    const recommendation = engine === 'bayesian' ? decideBayesian(input) : decide(input);
    analysis.recommendation = recommendation;
    return {
      treatment_label: arm,
      primary_metric: sa.primary_metric,
      secondary_metrics: sa.secondary_metrics,
      guardrail_checks: analysis.guardrail_checks,
      recommendation,
    };
  });

  const ship = pickShip(armResults, engine);
  const shown = runs[ship ? arms.indexOf(ship.treatment_label) : 0].analysis;
  const overall: Recommendation = ship
    ? {
        ...ship.recommendation,
        rationale: `Ship ${ship.treatment_label}${qualifying(armResults) > 1 ? ` (the best of ${qualifying(armResults)} arms that qualify)` : ''}: ${ship.recommendation.rationale}`,
      }
    : summarizeNoShip(armResults);
  const families =
    engine === 'bayesian'
      ? 'Bayesian engine: each arm is read on its own posterior (chance to beat control, risk); no p-value adjustment applies.'
      : `${correction === 'bh' ? 'Benjamini–Hochberg' : correction === 'bonferroni' ? 'Bonferroni' : 'Holm'}-adjusted: the primary metric over the ${arms.length} arm comparisons; ` +
        `secondary metrics over ${arms.length} arms × ${shown.statistical_analysis.secondary_metrics.length} metrics.`;
  const multi: MultiArmSummary = {
    control_label: spec.control,
    treatment_labels: [...arms],
    correction,
    families,
    srm,
    ship: ship?.treatment_label ?? null,
    rationale: overall.rationale,
  };

  const facts = new FactSheetBuilder(opts.provenance ?? {});
  for (const a of armResults) {
    facts.metric(`experiment.arm.${slug(a.treatment_label)}.primary`, a.primary_metric);
    for (const m of a.secondary_metrics) facts.metric(`experiment.arm.${slug(a.treatment_label)}.secondary.${slug(m.metric)}`, m);
  }
  // The top-level SRM is the k-arm check, so its facts replace the pairwise ones (same p-value id).
  facts.add('experiment.srm.p_value', 'SRM across all arms: p-value', srm.p_value, 'p');
  labels.forEach((l, i) => {
    facts.add(`experiment.srm.arm.${slug(l)}.n`, `SRM: ${l} units`, observed[i], 'users');
    if (total > 0)
      facts.add(`experiment.srm.arm.${slug(l)}.share`, `SRM: ${l} share of units`, (observed[i] / total) * 100, 'percent', pct(observed[i] / total));
    facts.add(`experiment.srm.arm.${slug(l)}.planned_share`, `SRM: planned ${l} share`, shares[i] * 100, 'percent', pct(shares[i]));
  });
  // The rule's staged rollout ("Roll out to 50% of users") is a fixed policy figure; the pairwise
  // planned-share facts that used to carry it are replaced by the k-arm shares above.
  if (overall.next_steps.some((x) => x.includes('50%')))
    facts.add('experiment.decision.rollout_share', 'Staged rollout share in the next steps', 50, 'percent', '50%');
  const warnings = [
    ...shown.warnings.filter((w) => !w.startsWith('Variant values ignored')),
    ...(others.length ? [`Variant values ignored (not named as control or treatment): ${others.join(', ')}.`] : []),
  ];

  return {
    ...shown,
    // The top-level SRM repeats the k-arm check: the pairwise one would hide a mismatch elsewhere.
    srm_check: { ...shown.srm_check, statistic: srm.statistic, p_value: srm.p_value, passed: srm.passed, message: srm.message },
    engine,
    arms: armResults,
    multi_arm: multi,
    recommendation: overall,
    warnings,
    facts: [...shown.facts.filter((f) => !f.id.startsWith('experiment.srm.')), ...facts.facts],
  };
}

const qualifying = (arms: ArmResult[]) => arms.filter((a) => a.recommendation.decision === 'SHIP').length;

function pickShip(arms: ArmResult[], engine: 'frequentist' | 'bayesian'): ArmResult | null {
  const ok = arms.filter((a) => a.recommendation.decision === 'SHIP');
  if (!ok.length) return null;
  const score = (a: ArmResult) => {
    const m = a.primary_metric;
    if (engine === 'bayesian' && m.bayesian) return m.bayesian.expected_lift * (m.direction === 'higher_is_better' ? 1 : -1);
    const d = m.cuped ? m.cuped.difference : m.difference;
    return (d ?? 0) * (m.direction === 'higher_is_better' ? 1 : -1);
  };
  return ok.reduce((best, a) => (score(a) > score(best) ? a : best));
}

function summarizeNoShip(arms: ArmResult[]): Recommendation {
  const rollback = arms.filter((a) => a.recommendation.decision === 'ROLLBACK');
  const first = arms.find((a) => a.recommendation.rule === 'srm_failed' || a.recommendation.rule === 'not_tested');
  if (first) return { ...first.recommendation, rationale: `No arm can be shipped. ${first.recommendation.rationale}` };
  const list = arms.map((a) => `${a.treatment_label}: ${a.recommendation.decision}`).join('; ');
  if (rollback.length === arms.length) {
    return {
      ...rollback[0].recommendation,
      rationale: `Every arm is worse than control or failed a guardrail (${list}). ${rollback[0].recommendation.rationale}`,
    };
  }
  return {
    decision: 'ITERATE',
    confidence: 'Low',
    rule: 'inconclusive',
    rationale: `No arm qualifies for shipping (${list}); keep control.`,
    next_steps: ['Keep control', 'Drop the arms that are worse; run the promising ones longer or with more traffic'],
  };
}

function otherValues(table: Table, column: string, named: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const v of table.columns[column] ?? []) if (v !== null) seen.add(cellKey(v));
  return [...seen].filter((v) => !named.includes(v)).sort();
}
