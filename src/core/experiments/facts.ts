import type { Fact, FactUnit } from '../../shared/contract/facts';
import type { MetricResult } from '../../shared/contract/experiments';
import { plural } from '../../shared/plural';

/**
 * Facts are every number the experiment outputs show, with a stable id and the exact display
 * string, so a narrating model can only restate them (the grounding check matches displays).
 */
export function slug(s: string): string {
  return (
    s
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '') || 'x'
  );
}

export function display(value: number, unit: FactUnit): string {
  switch (unit) {
    case 'percent':
      return `${value.toFixed(2)}%`;
    case 'pp':
      return `${value >= 0 ? '+' : ''}${value.toFixed(2)} pp`;
    case 'p':
      return value < 0.001 ? 'p < 0.001' : `p = ${value.toFixed(3)}`;
    case 'users':
    case 'count':
      return Math.round(value).toLocaleString('en-US');
    case 'days':
      return plural(Math.round(value), 'day');
    default:
      return Number.isInteger(value) ? value.toLocaleString('en-US') : Number(value.toPrecision(4)).toString();
  }
}

export class FactSheetBuilder {
  readonly facts: Fact[] = [];
  constructor(private readonly provenance: Fact['provenance'] = {}) {}

  add(id: string, label: string, value: number | null | undefined, unit: FactUnit, disp?: string): void {
    if (value === null || value === undefined || !Number.isFinite(value)) return;
    this.facts.push({ id, label, value, unit, display: disp ?? display(value, unit), provenance: this.provenance });
  }

  /** Signed relative change in percent ("+12.00%"). */
  addLift(id: string, label: string, value: number | null): void {
    if (value === null) return;
    this.add(id, label, value, 'percent', `${value >= 0 ? '+' : ''}${value.toFixed(2)}%`);
  }

  metric(prefix: string, m: MetricResult): void {
    const rate = m.kind === 'rate';
    const v = rate ? 'percent' : 'number';
    this.add(`${prefix}.control_value`, `${m.metric}: control`, m.control_value, v);
    this.add(`${prefix}.treatment_value`, `${m.metric}: treatment`, m.treatment_value, v);
    this.add(`${prefix}.difference`, `${m.metric}: difference (treatment − control)`, m.difference, rate ? 'pp' : 'number');
    this.addLift(`${prefix}.relative_lift`, `${m.metric}: relative lift`, m.relative_lift);
    this.add(`${prefix}.p_value`, `${m.metric}: p-value`, m.p_value, 'p');
    this.add(`${prefix}.p_value_adjusted`, `${m.metric}: adjusted p-value`, m.p_value_adjusted, 'p');
    this.add(`${prefix}.effect_size`, `${m.metric}: ${m.effect_size_type === 'cohens_h' ? "Cohen's h" : "Cohen's d"}`, m.effect_size, 'number');
    if (m.confidence_interval) {
      this.add(`${prefix}.ci_lower`, `${m.metric}: CI lower bound`, m.confidence_interval[0], rate ? 'pp' : 'number');
      this.add(`${prefix}.ci_upper`, `${m.metric}: CI upper bound`, m.confidence_interval[1], rate ? 'pp' : 'number');
    }
    if (m.relative_lift_ci) {
      this.addLift(`${prefix}.lift_ci_lower`, `${m.metric}: relative lift CI lower bound`, m.relative_lift_ci[0]);
      this.addLift(`${prefix}.lift_ci_upper`, `${m.metric}: relative lift CI upper bound`, m.relative_lift_ci[1]);
    }
    if (m.bayesian) {
      const b = m.bayesian;
      this.add(`${prefix}.chance_to_win`, `${m.metric}: chance to beat control`, b.chance_to_win * 100, 'percent');
      this.addLift(`${prefix}.expected_lift`, `${m.metric}: expected lift (posterior mean)`, b.expected_lift);
      this.addLift(`${prefix}.credible_lower`, `${m.metric}: credible interval lower bound`, b.credible_interval[0]);
      this.addLift(`${prefix}.credible_upper`, `${m.metric}: credible interval upper bound`, b.credible_interval[1]);
      this.add(`${prefix}.risk_treatment`, `${m.metric}: risk of shipping (expected loss)`, b.risk_treatment, 'percent');
      this.add(`${prefix}.risk_control`, `${m.metric}: risk of keeping control (expected loss)`, b.risk_control, 'percent');
    }
    this.add(`${prefix}.control_n`, `${m.metric}: control units`, m.control_n, 'users');
    this.add(`${prefix}.treatment_n`, `${m.metric}: treatment units`, m.treatment_n, 'users');
  }
}
