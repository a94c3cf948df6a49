import type { DailyEffect } from '../../shared/contract/experiments';
import type { z } from 'zod';
import { IafaError, type MetricSpec } from '../../shared/contract';
import type { GuardrailRule } from './decision';
import type { Direction, MetricData } from './metrics';

/**
 * Whatever the input shape, analysis starts from this: per-arm data of each metric, the units
 * for the SRM check, the primary metric per segment value and per day.
 */
export interface PreparedExperiment {
  source: 'user_table' | 'aggregated_pair' | 'funnel_stages';
  variantColumn: string | null;
  controlLabel: string;
  treatmentLabel: string;
  /** Primary first. */
  metrics: MetricData[];
  guardrails: { data: MetricData; rule: GuardrailRule }[];
  srmCounts: [number, number];
  srmUnit: string;
  segments: { column: string; value: string; data: MetricData }[];
  segmentBy: string[];
  daily: z.infer<typeof DailyEffect>[];
  /** Cumulative primary-metric snapshots per day, for sequential monitoring. */
  looks: { control: { mean: number; variance: number; n: number }; treatment: { mean: number; variance: number; n: number } }[];
  /** Funnel stages in order (aggregated count columns or stage counts), for the mechanism chain. */
  stageData: { names: string[]; control: number[]; treatment: number[] } | null;
  warnings: string[];
}

export interface GuardrailInput {
  spec: MetricSpec;
  rule: GuardrailRule;
}

export type RawGuardrail = string | { metric: MetricSpec; margin: number; margin_type: 'relative' | 'absolute'; direction: Direction };

export const DEFAULT_GUARDRAIL_MARGIN = 0.02;

export function metricName(spec: MetricSpec): string {
  return typeof spec === 'string' ? spec : (spec.name ?? `${spec.numerator}/${spec.denominator}`);
}

/** "Enrollments/Clicks" → ratio; a plain column name stays a column. */
export function asRatio(spec: MetricSpec, columns: readonly string[]): { numerator: string; denominator: string; name: string } | null {
  if (typeof spec !== 'string') return { numerator: spec.numerator, denominator: spec.denominator, name: metricName(spec) };
  if (columns.includes(spec)) return null;
  const parts = spec.split('/').map((x) => x.trim());
  if (parts.length === 2 && parts[0] && parts[1]) return { numerator: parts[0], denominator: parts[1], name: spec };
  return null;
}

export function guardrailInputs(raw: readonly RawGuardrail[], lowerIsBetter: readonly string[]): GuardrailInput[] {
  return raw.map((g) =>
    typeof g === 'string'
      ? {
          spec: g,
          rule: { margin: DEFAULT_GUARDRAIL_MARGIN, margin_type: 'relative', direction: lowerIsBetter.includes(g) ? 'lower_is_better' : 'higher_is_better' },
        }
      : { spec: g.metric, rule: { margin: g.margin, margin_type: g.margin_type, direction: g.direction } },
  );
}

export function requireMetrics(metrics: readonly MetricSpec[]): void {
  if (metrics.length === 0) throw new IafaError('validation', 'Name at least one metric (the first one is the primary metric).');
}
