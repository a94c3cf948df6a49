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
 * variant, the metric columns, optional segment columns and a date column.
 */
export interface ExperimentAggregateSpec {
  variantColumn: string;
  /** The variants to return (all when absent); metrics are typed (rate or mean) over their rows. */
  variants?: string[];
  metrics: string[];
  segmentBy?: string[];
  /** Only the first metric (the primary) is split by segment and by day. */
  dateColumn?: string;
  /** Segment values beyond this many per column (largest first) are left out. */
  maxSegmentValues?: number;
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

export interface VariantAggregate {
  variant: string;
  units: number;
  metrics: Record<string, MetricAggregate>;
}

export interface ExperimentAggregates {
  /** Every variant value with its unit count, most units first (for the SRM check and the arm list). */
  variants: { variant: string; units: number }[];
  arms: VariantAggregate[];
  /** The primary metric per segment value (largest first, at most maxSegmentValues), and how many values there are. */
  segments: Record<string, { distinct: number; values: { value: string; units: number; byVariant: Record<string, MetricAggregate> }[] }>;
  /** The primary metric per day (the date column's YYYY-MM-DD), ascending. */
  daily: { date: string; byVariant: Record<string, MetricAggregate> }[];
}
