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

/** A calendar day written YYYY-MM-DD that exists (not 2026-02-30 or 2026-99-99). */
export const IsoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'dates look like 2026-01-31')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'not a calendar date');

/**
 * Column → values. zod, like any code that assigns keys to a plain object, drops a "__proto__"
 * key without a word, which would silently widen the filter to every user: refuse it instead.
 */
export const ColumnFilters = z
  .custom<Record<string, string[]>>(noProtoKey, 'a filter on a column named "__proto__" is not supported; rename the column')
  .pipe(z.record(z.string(), z.array(z.string())));

/** False for an object with an own "__proto__" key (JSON.parse makes one), which zod records drop. */
export function noProtoKey(v: unknown): boolean {
  return !(typeof v === 'object' && v !== null && Object.hasOwn(v, '__proto__'));
}

/** `from` must not come after `to` (either may be absent); used by every call that takes a range. */
export function orderedRange<K extends string>(fromKey: K, toKey: K): [(v: Partial<Record<K, string | undefined>>) => boolean, { message: string; path: PropertyKey[] }] {
  return [(v) => !v[fromKey] || !v[toKey] || v[fromKey]! <= v[toKey]!, { message: `${fromKey} must not be after ${toKey}`, path: [fromKey] }];
}

export const FunnelDefinition = z.object({
  steps: z.array(FunnelStep).min(2).max(20),
  /** Conversion window, e.g. "7d", "24h", "30m", or "none" for unbounded. */
  window: z.string().regex(/^(none|\d+(\.\d+)?(ms|s|m|h|d|w))$/, 'window must look like 30m, 24h, 7d or none').default('7d'),
  mode: FunnelMode.default('any-start'),
  strict: z.boolean().default(false),
  breakdown: z.string().optional(),
  /** Include lists per property; a value list prefixed by "!" in the CLI becomes exclude. */
  include: ColumnFilters.default({}),
  exclude: ColumnFilters.default({}),
  from: IsoDay.optional(),
  to: IsoDay.optional(),
  tz: z.string().default('UTC'),
}).refine(...orderedRange('from', 'to'));
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
