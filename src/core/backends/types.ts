import type { FunnelDefinition, FunnelResult } from '../../shared/contract';

/**
 * The seam between the analyses and where the events live. Every method is asynchronous and
 * takes an AbortSignal: a backend may run in another thread, process or machine (a warehouse),
 * and a cancelled call must stop the work there, not only stop waiting for it.
 *
 * A backend answers with aggregates only: users per funnel level, counts and sums per variant.
 * Per-user or per-event rows never cross this interface, so a backend over a warehouse never
 * has to bring them to the laptop.
 */
export interface DatasetBackend {
  /** 'local' (the imported column store) or the engine's name ('clickhouse'). */
  readonly kind: string;
  /** A human name for messages ("clickhouse://host:8123/db/events"), never with a password. */
  readonly label: string;

  /** Column names, their roles and the row count. */
  describe(o?: CallOptions): Promise<BackendSchema>;

  /**
   * The funnel in FunnelResult's shape: stages, breakdown, previous period, daily series and
   * time to convert, by the definitions in docs/funnel-semantics.md.
   */
  funnel(def: FunnelDefinition, o?: CallOptions): Promise<FunnelResult>;

  /** Event names with their event counts and distinct users, most frequent first. */
  events(o?: CallOptions & { limit?: number }): Promise<EventCount[]>;

  /** The non-role columns with their number of distinct values. */
  properties(o?: CallOptions): Promise<PropertyInfo[]>;

  /** The most frequent values of one column, with their row counts. */
  propertyValues(column: string, o?: CallOptions & { limit?: number }): Promise<ValueCount[]>;

  /** Per-variant sufficient statistics of a user-level experiment table (see ExperimentAggregates). */
  experimentAggregates(spec: ExperimentAggregateSpec, o?: CallOptions): Promise<ExperimentAggregates>;

  /** Releases connections; calls after close fail. */
  close(): Promise<void>;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** 0..1 where the backend can tell; warehouses report only start and end. */
  onProgress?: (fraction: number, note?: string) => void;
}

export interface BackendSchema {
  kind: 'event_log' | 'user_table';
  rows: number;
  columns: { name: string; type: string; role: 'user' | 'time' | 'event' | 'property' }[];
  /** First and last event time (epoch ms) of an event log; null for a user table. */
  timeMin: number | null;
  timeMax: number | null;
}

export interface EventCount {
  event: string;
  count: number;
  users: number;
}

export interface PropertyInfo {
  name: string;
  type: string;
  distinct: number;
}

export interface ValueCount {
  value: string;
  count: number;
}

/**
 * What an experiment read-out needs from a table with one row per unit: which column holds the
 * variant, the metric columns, optional segment columns and a date column; for CUPED and ratio
 * metrics the column sets read jointly; for the causal checks the balance and stage columns.
 */
export interface ExperimentAggregateSpec {
  variantColumn: string;
  /** The variants to return (all when absent); metrics are typed (rate or mean) over their rows. */
  variants?: string[];
  metrics: string[];
  segmentBy?: string[];
  /** Only the primary (metrics[0], or joints[primaryJoint]) is split by segment and by day. */
  dateColumn?: string;
  /** Segment values beyond this many per column (largest first) are left out. */
  maxSegmentValues?: number;
  /**
   * Column sets read jointly as numbers (a ratio's numerator and denominator, a metric with its
   * CUPED covariate, or all three): per arm their sums and centered co-moments over the rows
   * where every column of the set has a value (see JointAggregate).
   */
  joints?: string[][];
  /** Split joints[primaryJoint] by segment and day (a ratio primary) instead of metrics[0]. */
  primaryJoint?: number;
  /** Columns whose distribution per variant is wanted (units per value: the covariate-balance check). */
  balanceBy?: string[];
  /** Balance values beyond this many (most units first, then by value) are summed into `other`. */
  maxBalanceValues?: number;
  /** 0/1 stage flags in funnel order: per variant the units flagged at a stage and at every earlier one. */
  stageColumns?: string[];
}

/**
 * Sufficient statistics of one metric in one group of units: rows, rows with a value, and the
 * sum and centered sum of squares (Σ(x − mean)², computed two-pass, which keeps its digits on
 * large shifted values where Σx² − (Σx)²/n does not). A 0/1 metric's successes are its sum
 * (its m2 is left 0: n and the sum say everything).
 * `binary` says whether every non-empty value read as 0/1 (true/false, yes/no): a rate.
 */
export interface MetricAggregate {
  rows: number;
  n: number;
  sum: number;
  m2: number;
  binary: boolean;
}

/**
 * Joint sufficient statistics of k numeric columns in one group: rows, rows where all k read as
 * numbers (n), their sums and the centered co-moment matrix Σ(a − ā)(b − b̄) (k×k, symmetric),
 * computed two-pass like m2. A ratio's delta-method variance and CUPED's θ and adjusted
 * variances are functions of these alone.
 */
export interface JointAggregate {
  rows: number;
  n: number;
  sums: number[];
  comoments: number[][];
}

export interface VariantAggregate {
  variant: string;
  units: number;
  metrics: Record<string, MetricAggregate>;
  /** In the order of spec.joints. */
  joints?: JointAggregate[];
  /** [units, units at stage 1, at stages 1 and 2, …] for spec.stageColumns. */
  stages?: number[];
}

export interface SegmentValueAggregate {
  value: string;
  units: number;
  byVariant: Record<string, MetricAggregate>;
  /** The primary joint (spec.primaryJoint) per variant. */
  jointByVariant?: Record<string, JointAggregate>;
  /** The first row holding this value per variant, where the source has a row order (a file): ties keep file order. */
  firstRow?: Record<string, number>;
}

export interface ExperimentAggregates {
  /** Every variant value with its unit count, most units first (for the SRM check and the arm list). */
  variants: { variant: string; units: number }[];
  arms: VariantAggregate[];
  /** The primary metric per segment value (largest first, at most maxSegmentValues), and how many values there are. */
  segments: Record<string, { distinct: number; values: SegmentValueAggregate[] }>;
  /** The primary metric per day (the date column's YYYY-MM-DD), ascending. */
  daily: { date: string; byVariant: Record<string, MetricAggregate>; jointByVariant?: Record<string, JointAggregate> }[];
  /**
   * Per balance column: how many distinct values, the largest (maxBalanceValues) with units per
   * variant, and the units of the remaining values per variant.
   */
  balance?: Record<string, { distinct: number; values: { value: string; byVariant: Record<string, number> }[]; other: Record<string, number> }>;
  /** How each metric and joint column reads over the chosen variants' rows: 0/1, numbers, or neither. */
  columnKinds?: Record<string, 'rate' | 'mean' | 'invalid'>;
}
