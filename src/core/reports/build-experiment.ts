import type { Fact, FactUnit } from '../../shared/contract';
import type { ExperimentAnalysis, MetricResult } from '../../shared/contract/experiments';
import { idKey, type ReportFacts } from './facts';
import type { ExperimentMetricRow, ExperimentReadout, KeyMetric } from './model';

/**
 * The experiment read-out from the statistics engine's analysis. Figures are the engine's own
 * facts (found by label and value, so the read-out never depends on its id scheme); a figure the
 * engine did not publish as a fact is derived under `report.experiment.*`.
 */

function find(analysis: ExperimentAnalysis, facts: ReportFacts, metric: string, what: string, value: number, unit: FactUnit, signed = false): Fact {
  const hit = analysis.facts.find(
    (f) => f.label.startsWith(`${metric}:`) && f.unit === unit && Math.abs(f.value - value) <= 1e-9 * Math.max(1, Math.abs(value)),
  );
  if (hit) return facts.use(facts.get(hit.id) ?? hit);
  return facts.derive(`report.experiment.${idKey(metric)}.${what}`, `${metric}: ${what.replace(/_/g, ' ')}`, value, unit, signed);
}

function row(analysis: ExperimentAnalysis, facts: ReportFacts, m: MetricResult, role: ExperimentMetricRow['role'], arm?: string): ExperimentMetricRow | null {
  if (!m.tested || m.control_value === null || m.treatment_value === null || m.difference === null || m.p_value === null) return null;
  const rate = m.kind === 'rate';
  const v: FactUnit = rate ? 'percent' : 'number';
  const d: FactUnit = rate ? 'pp' : 'number';
  return {
    // A/B/n: one row per arm and metric, named by both.
    metric: arm ? `${m.metric} (${arm})` : m.metric,
    role,
    control: find(analysis, facts, m.metric, 'control_value', m.control_value, v),
    treatment: find(analysis, facts, m.metric, 'treatment_value', m.treatment_value, v),
    difference: find(analysis, facts, m.metric, 'difference', m.difference, d, true),
    relative_lift: m.relative_lift === null ? null : find(analysis, facts, m.metric, 'relative_lift', m.relative_lift, 'percent', true),
    ci_low: m.confidence_interval ? find(analysis, facts, m.metric, 'ci_lower', m.confidence_interval[0], d, true) : null,
    ci_high: m.confidence_interval ? find(analysis, facts, m.metric, 'ci_upper', m.confidence_interval[1], d, true) : null,
    p_value: find(analysis, facts, m.metric, 'p_value', m.p_value_adjusted ?? m.p_value, 'p'),
    significant: m.significant,
  };
}

export function experimentReadout(analysis: ExperimentAnalysis, facts: ReportFacts, name: string): ExperimentReadout {
  const sa = analysis.statistical_analysis;
  const rows = analysis.arms?.length
    ? analysis.arms.flatMap((a) => [
        row(analysis, facts, a.primary_metric, 'primary', a.treatment_label),
        ...a.secondary_metrics.map((m) => row(analysis, facts, m, 'secondary', a.treatment_label)),
      ])
    : [row(analysis, facts, sa.primary_metric, 'primary'), ...sa.secondary_metrics.map((m) => row(analysis, facts, m, 'secondary'))];
  const metrics = rows.filter((r): r is ExperimentMetricRow => r !== null);
  const srm = analysis.srm_check;
  const srmP = srm.p_value;
  const findAny = (value: number, unit: FactUnit, id: string, label: string) => {
    const hit = analysis.facts.find((f) => f.unit === unit && f.value === value && /srm|sample ratio|units|assigned/i.test(`${f.id} ${f.label}`));
    return hit ? facts.use(facts.get(hit.id) ?? hit) : facts.derive(id, label, value, unit);
  };
  return {
    name,
    control_label: analysis.control_label,
    treatment_label: analysis.multi_arm ? analysis.multi_arm.treatment_labels.join(', ') : analysis.treatment_label,
    decision: analysis.recommendation.decision,
    confidence: analysis.recommendation.confidence,
    rationale: { text: analysis.recommendation.rationale, fact_ids: facts.citeText(analysis.recommendation.rationale), source: 'computed' },
    metrics,
    srm:
      srmP === null
        ? null
        : {
            control_n: findAny(srm.control_n, 'users', 'report.experiment.srm.control_n', `Units in ${analysis.control_label}`),
            treatment_n: findAny(srm.treatment_n, 'users', 'report.experiment.srm.treatment_n', `Units in ${analysis.treatment_label}`),
            p_value: findAny(srmP, 'p', 'report.experiment.srm.p_value', 'Sample ratio mismatch p-value'),
            passed: srm.passed,
          },
    next_steps: analysis.recommendation.next_steps,
  };
}

/** An experiment-only report (no funnel) leads with its primary metric per arm. */
export function experimentKeyMetrics(x: ExperimentReadout): KeyMetric[] {
  return x.metrics.slice(0, 3).map((m) => ({
    label: `${m.metric} (${x.treatment_label} vs ${x.control_label})`,
    current: m.treatment,
    previous: m.control,
    baseline_label: x.control_label,
    change: m.difference,
    direction: m.difference.value > 0 ? 'up' : m.difference.value < 0 ? 'down' : 'flat',
    tone: !m.significant ? 'neutral' : m.difference.value > 0 ? 'good' : 'bad',
    note: m.significant ? `significant (${m.p_value.display})` : `not significant (${m.p_value.display})`,
  }));
}
