import type { Fact, ReportSection } from '../../shared/contract';
import type { Audience } from '../../shared/contract/insights';

/**
 * The report as data, before any format. Every figure is a Fact (so the renderers can only print
 * fact displays) and every prose field says where it came from, so the appendix can list the parts
 * that fell back to computed text. Renderers never compute: they lay this out.
 */

export type Tone = 'good' | 'bad' | 'neutral';
export type Severity = 'High' | 'Medium' | 'Low';

/** A paragraph or sentence; `source` = who wrote it. Rendered as escaped text, never as HTML. */
export interface Prose {
  text: string;
  fact_ids: string[];
  source: 'model' | 'computed';
}

export interface KeyMetric {
  label: string;
  current: Fact;
  previous: Fact | null;
  /** What `previous` is: "previous period", or the control arm of an experiment. */
  baseline_label: string;
  change: Fact | null;
  direction: 'up' | 'down' | 'flat' | null;
  /** Whether the move is good news (conversion up) or bad (drop-off up); neutral when unknown. */
  tone: Tone;
  note: string | null;
}

export interface FunnelStageRow {
  name: string;
  users: Fact;
  conversion: Fact;
  step: Fact | null;
  drop: Fact | null;
  /** Same stage in the previous period, for the chart's comparison bar. */
  previous_users: Fact | null;
}

export interface SegmentRow {
  segment: string;
  users: Fact;
  conversion: Fact;
}

export interface TrendPoint {
  date: Fact;
  /** Overall conversion for users whose first step fell on that day. */
  value: Fact;
  entries: Fact;
}

export interface BandPoint {
  date: Fact;
  value: Fact;
  lower: Fact;
  upper: Fact;
}

export interface AnomalyRow {
  date: Fact;
  metric: string;
  stage: string | null;
  segment: string | null;
  direction: 'drop' | 'spike';
  observed: Fact;
  expected: Fact;
  score: Fact | null;
  severity: Severity;
  hints: string[];
}

export interface Trend {
  metric_label: string;
  points: TrendPoint[];
  forecast: { method: string; points: BandPoint[]; crossing: Prose | null } | null;
  anomalies: AnomalyRow[];
  /** The chart's value axis runs 0..max; a fact so the axis label is grounded like every other number. */
  axis_max: Fact;
  axis_min: Fact;
  /** Isolated days (before or after the main block of data) left out of the chart (count only, for the caption). */
  left_out: number;
  /** Days with fewer than min_day_users entrants, left out so a one-user day never sets the peak. */
  left_out_small?: number;
  min_day_users?: number;
}

export interface ReportInsight {
  title: string;
  text: Prose;
  severity: Severity;
  confidence: Fact | null;
  kind: string;
}

export interface ReportRecommendation {
  priority: Severity;
  title: string;
  rationale: Prose;
  expected_impact: Prose;
  impact_basis: Prose | null;
  action_items: string[];
  effort: string;
  risk: Severity;
  status: string;
}

export interface ReportGuardrail {
  severity: Severity;
  metric: string;
  message: Prose;
  recommendation: string;
  kind: string;
}

export interface ExperimentMetricRow {
  metric: string;
  control: Fact;
  treatment: Fact;
  difference: Fact;
  relative_lift: Fact | null;
  ci_low: Fact | null;
  ci_high: Fact | null;
  p_value: Fact;
  significant: boolean;
  role: 'primary' | 'secondary' | 'guardrail';
}

export interface ExperimentReadout {
  name: string;
  control_label: string;
  treatment_label: string;
  decision: string;
  confidence: string;
  rationale: Prose;
  metrics: ExperimentMetricRow[];
  srm: { control_n: Fact; treatment_n: Fact; p_value: Fact; passed: boolean } | null;
  next_steps: string[];
}

export interface ActionItem {
  text: string;
  owner: string;
  /** Why this is on the list (the recommendation or risk it comes from). */
  from: string;
  priority: Severity;
}

export interface AppendixInfo {
  data_source: string;
  dataset_id: string | null;
  funnel_id: string | null;
  definition: string;
  filters: string;
  provider: string;
  model: string | null;
  prompt_version: string | null;
  fallback_fields: string[];
  generated_at: string;
}

export interface ReportModel {
  title: string;
  subtitle: string;
  audience: Audience;
  sections: ReportSection[];
  /** `isolated`: days far (over two weeks) from the main block, counted in the totals but not in the period. */
  period: { start: Fact; end: Fact; isolated?: Fact[] } | null;
  previous_period: { start: Fact; end: Fact } | null;
  summary: Prose[];
  key_metrics: KeyMetric[];
  funnel: FunnelStageRow[];
  segments: { by: string; rows: SegmentRow[] } | null;
  trend: Trend | null;
  insights: ReportInsight[];
  recommendations: ReportRecommendation[];
  guardrails: ReportGuardrail[];
  experiment: ExperimentReadout | null;
  action_items: ActionItem[];
  /** Data-scientist depth: how the numbers were computed, and what to be careful with. */
  methods: string[];
  caveats: string[];
  /** Only the facts the report prints or cites, in first-use order. */
  facts: Fact[];
  appendix: AppendixInfo;
}

export const AUDIENCE_LABEL: Record<Audience, string> = {
  data_scientist: 'Data scientist',
  executive: 'Executive',
  product_manager: 'Product manager',
};

/** Re-exported from the contract so the renderer's form and the engine agree. */
export { DEFAULT_REPORT_SECTIONS as DEFAULT_SECTIONS } from '../../shared/contract';

/** Per-day series values are listed where they are shown (the trend table), not again in the appendix. */
export function isSeriesFact(id: string): boolean {
  return id.startsWith('report.daily.') || id.startsWith('report.forecast.');
}

export const SERIES_NOTE =
  "Daily values and forecast points are facts too (ids report.daily.<day>.* and report.forecast.<day>.*), derived from the funnel's daily counts and the analyst's forecast; they appear in the trend chart and table.";
