import type { GuardrailCheck, MetricResult, Recommendation } from '../../shared/contract/experiments';
import { decide } from './decision';

/**
 * The decision rule for a Bayesian read-out (docs/statistics.md). Steps 1–3 (not tested, SRM,
 * failed guardrail) are the frequentist rule's, since they do not depend on the engine. Then:
 *  4. chance to beat control ≥ 1 − α and the risk of shipping ≤ RISK_THRESHOLD
 *       → SHIP (ITERATE while a guardrail is inconclusive); High when the chance is ≥ 1 − α/5
 *  5. chance to beat control ≤ α → ROLLBACK (High when ≤ α/5)
 *  6. otherwise → ITERATE (Low): the posterior still allows either direction
 * Risk is the expected relative loss of shipping, in percent of the control value.
 */
export const RISK_THRESHOLD = 0.5;

export interface BayesDecisionInput {
  primary: MetricResult;
  srmPassed: boolean;
  srmP: number | null;
  guardrails: GuardrailCheck[];
  alpha: number;
}

const pc = (x: number) => `${(x * 100).toFixed(1)}%`;

export function decideBayesian(x: BayesDecisionInput): Recommendation {
  const m = x.primary;
  const b = m.bayesian;
  const early = decide({ ...x, powerAtMde: null });
  if (!b || !m.tested || ['not_tested', 'srm_failed', 'guardrail_failed'].includes(early.rule)) return early;
  const name = m.metric;
  const ctw = b.chance_to_win;
  const risk = `risk of shipping ${b.risk_treatment.toFixed(2)}% of control`;
  if (ctw >= 1 - x.alpha && b.risk_treatment <= RISK_THRESHOLD) {
    const open = x.guardrails.filter((g) => g.status === 'inconclusive');
    if (open.length) {
      return {
        decision: 'ITERATE',
        confidence: 'Medium',
        rule: 'guardrail_inconclusive',
        rationale: `${name}: ${pc(ctw)} chance to beat control (${risk}), but guardrail${open.length > 1 ? 's' : ''} ${open.map((g) => g.metric).join(', ')} could not be shown to stay within the margin.`,
        next_steps: ['Extend the experiment until the guardrails are conclusive', 'Or ship to a small share of users while monitoring the guardrails'],
      };
    }
    return {
      decision: 'SHIP',
      confidence: ctw >= 1 - x.alpha / 5 ? 'High' : 'Medium',
      rule: 'primary_better',
      rationale: `${name}: ${pc(ctw)} chance to beat control, expected lift ${b.expected_lift.toFixed(2)}%, ${risk} (threshold ${RISK_THRESHOLD}%).`,
      next_steps: ['Roll out to 50% of users', 'Monitor the primary metric and guardrails for 2 weeks', 'Full rollout if stable'],
    };
  }
  if (ctw <= x.alpha) {
    return {
      decision: 'ROLLBACK',
      confidence: ctw <= x.alpha / 5 ? 'High' : 'Medium',
      rule: 'primary_worse',
      rationale: `${name}: only ${pc(ctw)} chance to beat control; expected lift ${b.expected_lift.toFixed(2)}%.`,
      next_steps: ['Roll the treatment back', 'Look at the segment breakdown for where the loss comes from', 'Revisit the hypothesis before another test'],
    };
  }
  return {
    decision: 'ITERATE',
    confidence: 'Low',
    rule: 'inconclusive',
    rationale: `${name}: ${pc(ctw)} chance to beat control (${risk}); neither shipping (≥ ${pc(1 - x.alpha)} and risk ≤ ${RISK_THRESHOLD}%) nor rolling back (≤ ${pc(x.alpha)}) is supported yet.`,
    next_steps: ['Run longer or with more traffic to narrow the credible interval', 'Or accept the current risk explicitly if the change is cheap to reverse'],
  };
}
