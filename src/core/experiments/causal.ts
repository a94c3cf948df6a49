import type { CausalResult, ExperimentAnalysis } from '../../shared/contract/experiments';
import type { Fact } from '../../shared/contract/facts';
import { balanceChecks, externalFactorsCheck, heterogeneityCheck, mechanismChain, temporalCheck } from './causal-checks';
import { FactSheetBuilder, slug } from './facts';
import type { PreparedExperiment } from './prepared';
import type { Table } from './table';
import { plural } from '../../shared/plural';

export interface CausalOptions {
  alpha: number;
  externalFactors: readonly (string | { description: string; impact: 'none' | 'possible' | 'confirmed' })[];
  /** The user-level table (balance needs unit-level segment columns); null for aggregated inputs. */
  table: Table | null;
  balanceColumns: readonly string[];
  provenance?: Fact['provenance'];
  now?: () => Date;
}

type Level = 'High' | 'Medium' | 'Low';

/**
 * Causal confidence (docs/statistics.md):
 *   Low    the primary metric is not significant (or untested), or any check failed:
 *          SRM, covariate balance, or a confirmed external factor;
 *   High   significant, nothing failed, no warnings (temporal trend, heterogeneity, possible
 *          external factor) — checks that could not run do not count as warnings;
 *   Medium significant, nothing failed, at least one warning.
 */
export function causalAnalysis(p: PreparedExperiment, a: ExperimentAnalysis, o: CausalOptions): CausalResult {
  const m = a.statistical_analysis.primary_metric;
  const primaryData = p.metrics[0];
  const external = externalFactorsCheck(o.externalFactors);
  const balance = o.table && p.variantColumn && o.balanceColumns.length ? balanceChecks(o.table, p.variantColumn, p.controlLabel, p.treatmentLabel, o.balanceColumns) : [];
  const srmOk = a.srm_check.passed;
  const imbalanced = balance.filter((b) => !b.passed);
  const selectionStatus = !srmOk || imbalanced.length ? 'failed' : 'passed';
  const selectionCheck = !srmOk
    ? `${a.srm_check.message} Randomization cannot be trusted.`
    : imbalanced.length
      ? `Arms differ in ${imbalanced.map((b) => b.column).join(', ')} (Holm-adjusted chi-square p < 0.001): assignment was not random with respect to ${imbalanced.length > 1 ? 'these columns' : 'this column'}.`
      : balance.length
        ? `Arm sizes match the planned split and ${balance.map((b) => b.column).join(', ')} ${balance.length > 1 ? 'are' : 'is'} balanced across arms.`
        : 'Arm sizes match the planned split (no segment columns given for a balance check).';
  const temporal = temporalCheck(p, primaryData, o.alpha, m.difference);
  const hetero = heterogeneityCheck(p, o.alpha);
  const chain = mechanismChain(p, o.alpha);

  const failures = [
    ...(selectionStatus === 'failed' ? [srmOk ? 'covariate imbalance' : 'sample ratio mismatch'] : []),
    ...(external.status === 'failed' ? ['a confirmed external factor'] : []),
  ];
  const warnings = [
    ...(temporal.status === 'warning' ? ['a time trend in the effect'] : []),
    ...(hetero.status === 'warning' ? ['effects that differ across segments'] : []),
    ...(external.status === 'warning' ? ['possible external factors'] : []),
  ];
  const significant = m.tested && m.significant;
  const confidence: Level = !significant || failures.length ? 'Low' : warnings.length ? 'Medium' : 'High';

  const liftText = m.relative_lift !== null ? `${m.relative_lift >= 0 ? '+' : ''}${m.relative_lift.toFixed(1)}%` : `${(m.difference ?? 0) >= 0 ? '+' : ''}${(m.difference ?? 0).toFixed(2)}${m.kind === 'rate' ? ' pp' : ''}`;
  const pTxt = m.p_value === null ? '' : m.p_value < 0.001 ? 'p < 0.001' : `p = ${m.p_value.toFixed(3)}`;
  let statement: string;
  let rationale: string;
  if (!m.tested) {
    statement = `No causal conclusion about ${m.metric}: no test was run.`;
    rationale = m.reason ?? 'Insufficient data.';
  } else if (!significant) {
    statement = `No causal effect of ${a.treatment_label} on ${m.metric} can be claimed (${liftText}, ${pTxt}).`;
    rationale = 'The difference is not statistically significant.';
  } else if (failures.length) {
    statement = `${a.treatment_label} is associated with a ${liftText} change in ${m.metric}, but a causal claim is not supported.`;
    rationale = `Statistically significant (${pTxt}), but ${failures.join(' and ')} undermine${failures.length > 1 ? '' : 's'} the comparison.`;
  } else {
    statement = `${a.treatment_label} CAUSED a ${liftText} change in ${m.metric}.`;
    rationale = `Statistically significant (${pTxt}), randomization checks passed${warnings.length ? `; caveats: ${warnings.join(', ')}` : ', no confounders detected'}${chain.some((c) => c.significant) ? ', and the funnel shows where the change happened' : ''}.`;
  }

  const sigSteps = chain.filter((c) => c.significant);
  const description = chain.length
    ? `${chain.map((c) => `${c.stage} (${c.lift === null ? 'n/a' : `${c.lift >= 0 ? '+' : ''}${c.lift.toFixed(1)}%`}${c.significant ? '*' : ''})`).join(' → ')}; * = significant step change. ${sigSteps.length ? `The effect enters at: ${sigSteps.map((c) => c.stage).join(', ')}.` : 'No single step changed significantly.'}`
    : `Treatment (${a.treatment_label}) → ${m.metric} ${liftText}. Give the funnel stages to see which step moved.`;
  if (!chain.length && m.tested) {
    chain.push({ step: 1, cause: `Treatment (${a.treatment_label})`, effect: `${m.metric} ${significant ? 'changed' : 'did not change significantly'} (${liftText})`, stage: m.metric, control_rate: m.control_value, treatment_rate: m.treatment_value, difference: m.difference, lift: m.relative_lift, confidence_interval: m.confidence_interval, p_value: m.p_value, significant });
  }

  const issues = [...failures, ...warnings];
  const extValidity: Level = hetero.status === 'warning' || temporal.days < 7 ? 'Low' : temporal.days >= 14 && hetero.status === 'passed' ? 'High' : 'Medium';
  const facts = new FactSheetBuilder(o.provenance ?? {});
  for (const b of balance) facts.add(`experiment.causal.balance.${slug(b.column)}.p_value_adjusted`, `Balance of ${b.column}: adjusted p-value`, b.p_value_adjusted, 'p');
  facts.add('experiment.causal.temporal.slope', 'Daily effect trend (per day)', temporal.slope, primaryData.kind === 'rate' ? 'pp' : 'number');
  facts.add('experiment.causal.temporal.p_value', 'Daily effect trend: p-value', temporal.p_value, 'p');
  facts.add('experiment.causal.heterogeneity.q', "Cochran's Q across segments", hetero.q, 'number');
  facts.add('experiment.causal.heterogeneity.p_value', 'Heterogeneity: p-value', hetero.p_value, 'p');
  for (const c of chain) {
    facts.addLift(`experiment.causal.mechanism.${slug(c.stage)}.lift`, `${c.stage}: step conversion lift`, c.lift);
    facts.add(`experiment.causal.mechanism.${slug(c.stage)}.p_value`, `${c.stage}: step conversion p-value`, c.p_value, 'p');
  }
  return {
    experiment_id: a.experiment_id,
    causal_conclusion: { statement, confidence, rationale },
    mechanism: { description, causal_chain: chain },
    confounding_check: {
      external_factors: external,
      selection_bias: { status: selectionStatus, check: selectionCheck, srm_p_value: a.srm_check.p_value, balance },
      temporal_effects: temporal,
      heterogeneity: hetero,
      overall: issues.length ? `Issues: ${issues.join('; ')}.` : 'No confounders detected',
    },
    generalizability: {
      internal_validity: failures.length ? 'Low' : warnings.length ? 'Medium' : 'High',
      external_validity: extValidity,
      notes: `Results apply to the users and period of this test${temporal.days ? ` (${plural(temporal.days, 'day')})` : ''}${hetero.status === 'warning' ? `; the effect differs by ${hetero.column}, so check each segment before generalizing` : ''}.`,
    },
    analysis: a,
    next_steps: [...a.recommendation.next_steps, ...(temporal.status === 'warning' ? ['Keep a holdout to measure the long-run effect'] : []), ...(imbalanced.length || !srmOk ? ['Audit the assignment mechanism before re-running'] : [])],
    facts: [...a.facts, ...facts.facts],
    generated_at: (o.now ?? (() => new Date()))().toISOString(),
  };
}
