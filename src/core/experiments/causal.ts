import type { CausalResult, ExperimentAnalysis } from '../../shared/contract/experiments';
import type { Fact } from '../../shared/contract/facts';
import { balanceChecks, externalFactorsCheck, heterogeneityCheck, mechanismChain, temporalCheck } from './causal-checks';
import { causalClaim, listing, type Level } from './causal-claim';
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
  /** The balance rows already computed (from a backend's per-variant counts) when there is no table. */
  balance?: CausalResult['confounding_check']['selection_bias']['balance'];
  provenance?: Fact['provenance'];
  now?: () => Date;
}

/**
 * Causal confidence and wording follow causalClaim (causal-claim.ts, docs/statistics.md): "caused"
 * and High only with randomisation, balance and temporal stability checked and passed.
 */
export function causalAnalysis(p: PreparedExperiment, a: ExperimentAnalysis, o: CausalOptions): CausalResult {
  const m = a.statistical_analysis.primary_metric;
  const primaryData = p.metrics[0];
  const external = externalFactorsCheck(o.externalFactors);
  const balance =
    o.balance ??
    (o.table && p.variantColumn && o.balanceColumns.length ? balanceChecks(o.table, p.variantColumn, p.controlLabel, p.treatmentLabel, o.balanceColumns) : []);
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

  const otherWarnings = [
    ...(hetero.status === 'warning' ? ['effects that differ across segments'] : []),
    ...(external.status === 'warning' ? ['possible external factors'] : []),
  ];
  const significant = m.tested && m.significant;
  const claim = causalClaim({
    tested: m.tested,
    significant,
    randomisation: a.srm_check.p_value === null ? 'not_checked' : srmOk ? 'passed' : 'failed',
    balance: balance.length === 0 ? 'not_checked' : imbalanced.length ? 'failed' : 'passed',
    temporal: temporal.status,
    otherFailures: external.status === 'failed' ? ['a confirmed external factor'] : [],
    otherWarnings,
    reasons: {
      randomisation: 'no arm counts to test',
      balance: o.table || o.balance ? 'no segment columns given' : 'aggregated data has no unit-level columns',
      temporal: p.daily.length ? 'too few days with data in both arms' : 'no date column',
    },
  });
  const failures = claim.failures;
  const warnings = [...claim.notPassed, ...otherWarnings];
  const confidence: Level = claim.confidence;

  const liftText =
    m.relative_lift !== null
      ? `${m.relative_lift >= 0 ? '+' : ''}${m.relative_lift.toFixed(1)}%`
      : `${(m.difference ?? 0) >= 0 ? '+' : ''}${(m.difference ?? 0).toFixed(2)}${m.kind === 'rate' ? ' pp' : ''}`;
  const pTxt = m.p_value === null ? '' : m.p_value < 0.001 ? 'p < 0.001' : `p = ${m.p_value.toFixed(3)}`;
  // Names only in the statement; the reasons are in not_checked, shown next to it.
  const names = claim.notChecked.map((x) => x.replace(/ \(.*\)$/, ''));
  const gaps = [
    ...(names.length ? [`${listing(names)} ${names.length > 1 ? 'were' : 'was'} not checked`] : []),
    ...claim.notPassed.map((x) => `${x} was found`),
  ];
  let statement: string;
  let rationale: string;
  if (!m.tested) {
    statement = `No causal conclusion about ${m.metric}: no test was run.`;
    rationale = m.reason ?? 'Insufficient data.';
  } else if (!significant) {
    statement = `No causal effect of ${a.treatment_label} on ${m.metric} can be claimed (${liftText}, ${pTxt}).`;
    rationale = 'The difference is not statistically significant.';
  } else if (claim.kind === 'unsupported') {
    statement = `${a.treatment_label} is associated with a ${liftText} change in ${m.metric}, but a causal claim is not supported.`;
    rationale = `Statistically significant (${pTxt}), but ${failures.join(' and ')} undermine${failures.length > 1 ? '' : 's'} the comparison.`;
  } else if (claim.kind === 'associated') {
    // Significant in a randomised test is not yet "caused": say which check is missing.
    statement = `${a.treatment_label} is associated with a ${liftText} change in ${m.metric}; not called caused: ${listing(gaps)}.`;
    const split = srmOk && a.srm_check.p_value !== null ? ' and the arm sizes match the planned split' : '';
    rationale = `Statistically significant (${pTxt})${split}, but a causal claim needs randomisation, covariate balance and temporal stability checked and passed.`;
  } else {
    statement = `${a.treatment_label} caused a ${liftText} change in ${m.metric}.`;
    const caveats = otherWarnings.length ? `; caveats: ${otherWarnings.join(', ')}` : '';
    const where = chain.some((c) => c.significant) ? ', and the funnel shows where the change happened' : '';
    rationale = `Statistically significant (${pTxt}); randomisation, covariate balance and temporal stability were checked and passed${caveats}${where}.`;
  }

  const sigSteps = chain.filter((c) => c.significant);
  const stepText = (c: (typeof chain)[number]) =>
    `${c.stage} (${c.lift === null ? 'n/a' : `${c.lift >= 0 ? '+' : ''}${c.lift.toFixed(1)}%`}${c.significant ? '*' : ''})`;
  const enters = sigSteps.length ? `The effect enters at: ${sigSteps.map((c) => c.stage).join(', ')}.` : 'No single step changed significantly.';
  const description = chain.length
    ? `${chain.map(stepText).join(' → ')}; * = significant step change. ${enters}`
    : `Treatment (${a.treatment_label}) → ${m.metric} ${liftText}. Give the funnel stages to see which step moved.`;
  if (!chain.length && m.tested) {
    chain.push({
      step: 1,
      cause: `Treatment (${a.treatment_label})`,
      effect: `${m.metric} ${significant ? 'changed' : 'did not change significantly'} (${liftText})`,
      stage: m.metric,
      control_rate: m.control_value,
      treatment_rate: m.treatment_value,
      difference: m.difference,
      lift: m.relative_lift,
      confidence_interval: m.confidence_interval,
      p_value: m.p_value,
      significant,
    });
  }

  const issues = [...failures, ...warnings];
  const unrun = [
    ...claim.notChecked,
    ...(hetero.status === 'not_checked' ? ['heterogeneity across segments'] : []),
    ...(external.status === 'not_checked' ? ['external factors'] : []),
  ];
  const extValidity: Level = hetero.status === 'warning' || temporal.days < 7 ? 'Low' : temporal.days >= 14 && hetero.status === 'passed' ? 'High' : 'Medium';
  const facts = new FactSheetBuilder(o.provenance ?? {});
  for (const b of balance)
    facts.add(`experiment.causal.balance.${slug(b.column)}.p_value_adjusted`, `Balance of ${b.column}: adjusted p-value`, b.p_value_adjusted, 'p');
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
    causal_conclusion: { statement, confidence, rationale, not_checked: claim.notChecked },
    mechanism: { description, causal_chain: chain },
    confounding_check: {
      external_factors: external,
      selection_bias: { status: selectionStatus, check: selectionCheck, srm_p_value: a.srm_check.p_value, balance },
      temporal_effects: temporal,
      heterogeneity: hetero,
      // "No confounders detected" only when every check ran: an unrun check found nothing because it looked at nothing.
      overall: [
        issues.length ? `Issues: ${issues.join('; ')}.` : '',
        unrun.length ? `Not checked: ${listing(unrun)}.` : '',
        !issues.length && !unrun.length ? 'No confounders detected by any check.' : !issues.length ? 'Nothing failed among the checks that ran.' : '',
      ]
        .filter(Boolean)
        .join(' '),
    },
    generalizability: {
      internal_validity: failures.length ? 'Low' : claim.kind === 'caused' && !warnings.length ? 'High' : 'Medium',
      external_validity: extValidity,
      notes:
        `Results apply to the users and period of this test${temporal.days ? ` (${plural(temporal.days, 'day')})` : ''}` +
        `${hetero.status === 'warning' ? `; the effect differs by ${hetero.column}, so check each segment before generalizing` : ''}.`,
    },
    analysis: a,
    next_steps: [
      ...a.recommendation.next_steps,
      ...(temporal.status === 'warning' ? ['Keep a holdout to measure the long-run effect'] : []),
      ...(imbalanced.length || !srmOk ? ['Audit the assignment mechanism before re-running'] : []),
    ],
    facts: [...a.facts, ...facts.facts],
    generated_at: (o.now ?? (() => new Date()))().toISOString(),
  };
}
