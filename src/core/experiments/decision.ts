import type { GuardrailCheck, MetricResult, Recommendation } from '../../shared/contract/experiments';
import { meanPower, relativeLiftDelta, relativeLiftProportions, twoProportionPowerUnequal, waldDiffCI, welchTTest } from '../stats';
import { changeSign, untestableReason, type Direction, type MetricData } from './metrics';

export interface GuardrailRule {
  margin: number;
  margin_type: 'relative' | 'absolute';
  direction: Direction;
}

const fmt = (x: number, d = 2) => (Math.round(x * 10 ** d) / 10 ** d).toString();

/**
 * Non-inferiority check of one guardrail, with the (1 − 2α) confidence interval of the change
 * (the two-sided form of a one-sided test at α). In "worse is negative" orientation:
 *   passed        the whole interval is above −margin (non-inferiority shown);
 *   failed        the whole interval is below 0 and the estimate is at or beyond −margin;
 *   inconclusive  anything else (too noisy to tell).
 * Margins are fractions: relative 0.02 = 2% of the control value; absolute 0.01 = 1 pp for rates.
 */
export function checkGuardrail(d: MetricData, rule: GuardrailRule, alpha: number, pValue: number | null): GuardrailCheck {
  const rel = rule.margin_type === 'relative';
  const scale = d.kind === 'rate' || rel ? 100 : 1;
  const margin = rule.margin * scale;
  const out: GuardrailCheck = {
    metric: d.name,
    status: 'inconclusive',
    control: null,
    treatment: null,
    change: null,
    change_type: rule.margin_type,
    change_ci: null,
    margin,
    direction: rule.direction,
    p_value: pValue,
    rule: '',
  };
  const unitWord = rel ? '%' : d.kind === 'rate' ? ' pp' : '';
  if (d.kind === 'rate') {
    out.control = d.control.n ? (d.control.successes / d.control.n) * 100 : null;
    out.treatment = d.treatment.n ? (d.treatment.successes / d.treatment.n) * 100 : null;
  } else {
    out.control = d.control.n ? d.control.mean : null;
    out.treatment = d.treatment.n ? d.treatment.mean : null;
  }
  const reason = untestableReason(d);
  if (reason || (rel && out.control === 0)) {
    out.rule = `Not checked: ${reason ?? 'the control value is 0, so a relative margin is undefined'}.`;
    return out;
  }
  let change: number;
  let lo: number;
  let hi: number;
  const a2 = Math.min(0.5, 2 * alpha);
  if (d.kind === 'rate') {
    if (rel) {
      const l = relativeLiftProportions(d.control, d.treatment, a2);
      [change, lo, hi] = [l.lift, l.ci.lower, l.ci.upper];
    } else {
      const ci = waldDiffCI(d.control, d.treatment, a2);
      [change, lo, hi] = [d.treatment.successes / d.treatment.n - d.control.successes / d.control.n, ci.lower, ci.upper];
    }
  } else if (rel) {
    // t with the Welch df, as the analysis's own relative interval of a mean.
    const df = welchTTest(d.control, d.treatment, a2).df;
    const l = relativeLiftDelta(d.control.mean, d.control.sd ** 2 / d.control.n, d.treatment.mean, d.treatment.sd ** 2 / d.treatment.n, a2, df);
    [change, lo, hi] = [l.lift, l.ci.lower, l.ci.upper];
  } else {
    const w = welchTTest(d.control, d.treatment, a2);
    [change, lo, hi] = [w.difference, w.ci.lower, w.ci.upper];
  }
  out.change = change * scale;
  out.change_ci = [lo * scale, hi * scale];
  const s = rule.direction === 'higher_is_better' ? 1 : -1;
  const oc = s * change * scale;
  const olo = Math.min(s * lo, s * hi) * scale;
  const ohi = Math.max(s * lo, s * hi) * scale;
  const level = `${fmt((1 - a2) * 100, 1)}% CI`;
  if (olo > -margin) {
    out.status = 'passed';
    out.rule = `Passed: the ${level} of the change rules out a deterioration of ${fmt(margin)}${unitWord} or more.`;
  } else if (ohi < 0 && oc <= -margin) {
    out.status = 'failed';
    out.rule = `Failed: the treatment is significantly worse (the ${level} excludes 0) and the estimated deterioration (${fmt(Math.abs(oc))}${unitWord}) reaches the ${fmt(margin)}${unitWord} margin.`;
  } else {
    out.rule = `Inconclusive: the ${level} of the change still includes deteriorations beyond the ${fmt(margin)}${unitWord} margin.`;
  }
  return out;
}

/**
 * Power of the primary test at the observed effect and at the planned MDE. Rates use the
 * power.prop.test formula with the actual (unequal) arm sizes; means use the t-test formula
 * with the harmonic-mean arm size and the pooled SD.
 */
export function achievedPower(
  d: MetricData,
  alpha: number,
  mde: number | undefined,
  mdeType: 'relative' | 'absolute',
): { observed_effect: number | null; at_mde: number | null } {
  if (untestableReason(d)) return { observed_effect: null, at_mde: null };
  if (d.kind === 'rate') {
    const p1 = d.control.successes / d.control.n;
    const p2 = d.treatment.successes / d.treatment.n;
    const obs = twoProportionPowerUnequal(p1, p2, d.control.n, d.treatment.n, alpha);
    let atMde: number | null = null;
    if (mde !== undefined) {
      const target = mdeType === 'relative' ? p1 * (1 + mde) : p1 + mde;
      if (target < 1) atMde = twoProportionPowerUnequal(p1, target, d.control.n, d.treatment.n, alpha);
    }
    return { observed_effect: obs, at_mde: atMde };
  }
  const n = 2 / (1 / d.control.n + 1 / d.treatment.n);
  const sd = Math.sqrt(((d.control.n - 1) * d.control.sd ** 2 + (d.treatment.n - 1) * d.treatment.sd ** 2) / (d.control.n + d.treatment.n - 2));
  if (!(sd > 0)) return { observed_effect: null, at_mde: null };
  const delta = d.treatment.mean - d.control.mean;
  const obs = delta === 0 ? alpha : meanPower(n, delta, sd, alpha);
  const mdeAbs = mde === undefined ? undefined : mdeType === 'relative' ? Math.abs(d.control.mean) * mde : mde;
  return { observed_effect: obs, at_mde: mdeAbs ? meanPower(n, mdeAbs, sd, alpha) : null };
}

export interface DecisionInput {
  primary: MetricResult;
  srmPassed: boolean;
  srmP: number | null;
  guardrails: GuardrailCheck[];
  alpha: number;
  powerAtMde: number | null;
}

function pText(p: number | null): string {
  if (p === null) return 'no p-value';
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

/**
 * The decision rule, applied in this order (docs/statistics.md):
 *  1. the primary metric could not be tested        → ITERATE (Low)
 *  2. sample ratio mismatch                          → ITERATE (Low): do not ship, investigate
 *  3. any guardrail failed                           → ROLLBACK (High)
 *  4. primary significantly worse                    → ROLLBACK (High if p < α/5, else Medium)
 *  5. primary significantly better, a guardrail inconclusive → ITERATE (Medium)
 *  6. primary significantly better, guardrails passed → SHIP (High if p < α/5, else Medium)
 *  7. otherwise (flat or underpowered)               → ITERATE (Medium if power at the MDE ≥ 0.8, else Low)
 */
export function decide(x: DecisionInput): Recommendation {
  const m = x.primary;
  const name = m.metric;
  if (!m.tested) {
    return {
      decision: 'ITERATE',
      confidence: 'Low',
      rule: 'not_tested',
      rationale: `No test was run on ${name}: ${m.reason ?? 'insufficient data'}.`,
      next_steps: ['Collect more data or check the variant and metric columns', 'Re-run the analysis once each arm has enough units'],
    };
  }
  if (!x.srmPassed) {
    return {
      decision: 'ITERATE',
      confidence: 'Low',
      rule: 'srm_failed',
      rationale:
        `Do not ship: the arm sizes (${m.control_n.toLocaleString('en-US')} vs ${m.treatment_n.toLocaleString('en-US')}) do not match the planned split (SRM ${pText(x.srmP)}), ` +
        'so assignment or logging is broken and no comparison can be trusted.',
      next_steps: [
        'Investigate assignment, bot filtering and event logging for the two arms',
        'Fix the cause and re-run the experiment',
        'Do not use these results for a decision',
      ],
    };
  }
  const failed = x.guardrails.filter((g) => g.status === 'failed');
  if (failed.length) {
    return {
      decision: 'ROLLBACK',
      confidence: 'High',
      rule: 'guardrail_failed',
      rationale: `Guardrail${failed.length > 1 ? 's' : ''} failed: ${failed.map((g) => g.metric).join(', ')}. ${failed[0].rule}`,
      next_steps: [
        'Roll the treatment back',
        `Investigate why ${failed.map((g) => g.metric).join(', ')} deteriorated`,
        'Redesign the change so the guardrail holds, then re-test',
      ],
    };
  }
  const sign = changeSign(m);
  // With several arms the primary p-value is adjusted across them; the call and the text use that one.
  const p = m.p_value_adjusted ?? m.p_value;
  const strong = (p as number) < x.alpha / 5;
  if (m.significant && sign < 0) {
    return {
      decision: 'ROLLBACK',
      confidence: strong ? 'High' : 'Medium',
      rule: 'primary_worse',
      rationale: `${name} is significantly worse in the treatment (${pText(p)}${m.p_value_adjusted !== null ? ', adjusted' : ''}).`,
      next_steps: ['Roll the treatment back', 'Look at the segment breakdown for where the loss comes from', 'Revisit the hypothesis before another test'],
    };
  }
  if (m.significant && sign > 0) {
    const open = x.guardrails.filter((g) => g.status === 'inconclusive');
    if (open.length) {
      return {
        decision: 'ITERATE',
        confidence: 'Medium',
        rule: 'guardrail_inconclusive',
        rationale: `${name} improved significantly (${pText(p)}${m.p_value_adjusted !== null ? ', adjusted' : ''}), but guardrail${open.length > 1 ? 's' : ''} ${open.map((g) => g.metric).join(', ')} could not be shown to stay within the margin.`,
        next_steps: ['Extend the experiment until the guardrails are conclusive', 'Or ship to a small share of users while monitoring the guardrails'],
      };
    }
    return {
      decision: 'SHIP',
      confidence: strong ? 'High' : 'Medium',
      rule: 'primary_better',
      rationale: `${name} improved significantly (${pText(p)}${m.p_value_adjusted !== null ? ', adjusted' : ''})${x.guardrails.length ? ' and every guardrail passed' : ''}.`,
      next_steps: ['Roll out to 50% of users', 'Monitor the primary metric and guardrails for 2 weeks', 'Full rollout if stable'],
    };
  }
  const powered = x.powerAtMde !== null && x.powerAtMde >= 0.8;
  return {
    decision: 'ITERATE',
    confidence: powered ? 'Medium' : 'Low',
    rule: 'inconclusive',
    rationale: powered
      ? `No significant change in ${name} (${pText(m.p_value)}); the test had ${Math.round((x.powerAtMde as number) * 100)}% power at the planned MDE, so any effect is probably smaller than that.`
      : `No significant change in ${name} (${pText(m.p_value)}); the test is ` +
        `${x.powerAtMde === null ? 'of unknown power (no MDE given)' : `underpowered (${Math.round(x.powerAtMde * 100)}% power at the planned MDE)`}, so a real effect may have been missed.`,
    next_steps: powered
      ? ['Keep control', 'Try a bolder variant of the idea', 'Check segments for effects worth a dedicated test']
      : ['Run longer or with more traffic to reach the planned power', 'Or accept that effects below the MDE are not worth detecting'],
  };
}
