import { z } from 'zod';
import { call } from './call';

export const FunnelStep = z.object({
  /** Event name (event logs) or stage name (aggregated exports). */
  event: z.string().min(1).max(500),
  label: z.string().max(200).optional(),
  /** Optional property filter on the step's events: column ∈ values. */
  where: z.object({ column: z.string(), values: z.array(z.string()).min(1) }).optional(),
});
export type FunnelStep = z.infer<typeof FunnelStep>;

export const FunnelMode = z.enum(['any-start', 'first-touch', 'unordered']);

export const FunnelDefinition = z.object({
  steps: z.array(FunnelStep).min(2).max(20),
  /** Conversion window, e.g. "7d", "24h", "30m", or "none" for unbounded. */
  window: z.string().regex(/^(none|\d+(\.\d+)?(ms|s|m|h|d|w))$/, 'window must look like 30m, 24h, 7d or none').default('7d'),
  mode: FunnelMode.default('any-start'),
  strict: z.boolean().default(false),
  breakdown: z.string().optional(),
  /** Include lists per property; a value list prefixed by "!" in the CLI becomes exclude. */
  include: z.record(z.string(), z.array(z.string())).default({}),
  exclude: z.record(z.string(), z.array(z.string())).default({}),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  tz: z.string().default('UTC'),
});
export type FunnelDefinition = z.infer<typeof FunnelDefinition>;
export type FunnelDefinitionInput = z.input<typeof FunnelDefinition>;

export const StageMetrics = z.object({
  stage_name: z.string(),
  users: z.number().int().nonnegative(),
  conversion_rate: z.number(),
  step_conversion_rate: z.number(),
  drop_off_rate: z.number(),
});
export type StageMetrics = z.infer<typeof StageMetrics>;

export const FunnelCore = z.object({
  stages: z.array(StageMetrics),
  overall_conversion_rate: z.number(),
  total_users: z.number().int().nonnegative(),
  completed_users: z.number().int().nonnegative(),
});
export type FunnelCore = z.infer<typeof FunnelCore>;

export const TimeToConvert = z.object({
  from_stage: z.string(),
  to_stage: z.string(),
  users: z.number().int().nonnegative(),
  median_seconds: z.number().nullable(),
  p25_seconds: z.number().nullable(),
  p75_seconds: z.number().nullable(),
  p90_seconds: z.number().nullable(),
});

export const DailyPoint = z.object({
  date: z.string(),
  /** Users per stage, by the day of their step-1 event. */
  users: z.array(z.number().int().nonnegative()),
});

export const FunnelResult = FunnelCore.extend({
  funnel_name: z.string().optional(),
  date_range: z.object({ start: z.string(), end: z.string() }).nullable(),
  segment_by: z.string().nullable(),
  segment_breakdown: z.record(z.string(), FunnelCore).nullable(),
  /**
   * Per segment value: its overall conversion against all other users' (two-proportion z-test,
   * Holm-corrected over the segments), or why it was not tested (too few users).
   */
  segment_tests: z.record(z.string(), z.object({
    users: z.number().int().nonnegative(),
    p_value: z.number().nullable(),
    p_adjusted: z.number().nullable(),
    significant: z.boolean(),
    reason: z.string().nullable(),
  })).optional(),
  /**
   * When the daily series has days far (over two weeks) from the main block of data: the main
   * block's range and the isolated days, so a stray event does not pass for the period.
   */
  dense_range: z.object({
    start: z.string(),
    end: z.string(),
    left_out_days: z.array(z.string()),
    /** Users whose step-1 day is one of those. */
    left_out_users: z.number().int().nonnegative(),
  }).optional(),
  previous_period: FunnelCore.extend({ date_range: z.object({ start: z.string(), end: z.string() }) }).nullable(),
  daily: z.array(DailyPoint),
  time_to_convert: z.array(TimeToConvert),
  definition: FunnelDefinition,
  dataset_id: z.string(),
  computed_ms: z.number().nonnegative(),
});
export type FunnelResult = z.infer<typeof FunnelResult>;

export const Funnel = z.object({
  id: z.string(),
  datasetId: z.string(),
  name: z.string(),
  definition: FunnelDefinition,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Funnel = z.infer<typeof Funnel>;

const IdParam = z.object({ id: z.string().min(1).max(200) });

export const funnelsList = call({
  name: 'funnels:list',
  summary: 'List saved funnels, optionally for one dataset.',
  http: { method: 'GET', path: '/api/v1/funnels' },
  input: z.object({ datasetId: z.string().optional() }).strict(),
  output: z.object({ funnels: z.array(Funnel) }),
});

export const funnelsCreate = call({
  name: 'funnels:create',
  summary: 'Save a funnel definition on a dataset.',
  http: { method: 'POST', path: '/api/v1/funnels' },
  input: z.object({ datasetId: z.string().min(1), name: z.string().trim().min(1).max(200), definition: FunnelDefinition }).strict(),
  output: Funnel,
});

export const funnelsGet = call({
  name: 'funnels:get',
  summary: 'One saved funnel.',
  http: { method: 'GET', path: '/api/v1/funnels/:id' },
  input: IdParam,
  output: Funnel,
});

export const funnelsUpdate = call({
  name: 'funnels:update',
  summary: 'Rename a funnel or change its definition.',
  http: { method: 'PATCH', path: '/api/v1/funnels/:id' },
  input: IdParam.extend({ name: z.string().trim().min(1).max(200).optional(), definition: FunnelDefinition.optional() }).strict(),
  output: Funnel,
});

export const funnelsDelete = call({
  name: 'funnels:delete',
  summary: 'Delete a saved funnel.',
  http: { method: 'DELETE', path: '/api/v1/funnels/:id' },
  input: IdParam,
  output: z.object({ deleted: z.literal(true) }),
});
