import { z } from 'zod';
import { call } from './call';

/** One condition of a step: the event's `column` holds one of `values` ("(none)" names the empty value). */
export const StepCondition = z.object({ column: z.string().min(1), values: z.array(z.string()).min(1) });
export type StepCondition = z.infer<typeof StepCondition>;

export const FunnelStep = z.object({
  /** Event name (event logs) or stage name (aggregated exports). */
  event: z.string().min(1).max(500),
  /** More event names: the step matches an event named `event` or any of these (event logs only). */
  orEvents: z.array(z.string().min(1).max(500)).max(50).optional(),
  label: z.string().max(200).optional(),
  /** Property conditions on the step's events, all of which must hold: one condition or a list. */
  where: z.union([StepCondition, z.array(StepCondition).min(1).max(10)]).optional(),
});
export type FunnelStep = z.infer<typeof FunnelStep>;

/** A step's conditions as a list (`where` may hold one condition or several). */
export function stepConditions(step: Pick<FunnelStep, 'where'>): StepCondition[] {
  return step.where === undefined ? [] : Array.isArray(step.where) ? step.where : [step.where];
}

/** The event names a step matches. */
export function stepEvents(step: Pick<FunnelStep, 'event' | 'orEvents'>): string[] {
  return [step.event, ...(step.orEvents ?? [])];
}

/** A step as the CLI writes it: `view|view_m[platform=ios,country=de|fr]`. */
export function stepText(step: Pick<FunnelStep, 'event' | 'orEvents' | 'where'>): string {
  const conds = stepConditions(step).map((c) => `${c.column}=${c.values.join('|')}`);
  return stepEvents(step).join('|') + (conds.length ? `[${conds.join(',')}]` : '');
}

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
export function orderedRange<K extends string>(
  fromKey: K,
  toKey: K,
): [(v: Partial<Record<K, string | undefined>>) => boolean, { message: string; path: PropertyKey[] }] {
  return [(v) => !v[fromKey] || !v[toKey] || v[fromKey]! <= v[toKey]!, { message: `${fromKey} must not be after ${toKey}`, path: [fromKey] }];
}

export const FunnelDefinition = z
  .object({
    steps: z.array(FunnelStep).min(2).max(20),
    /** Conversion window, e.g. "7d", "24h", "30m", or "none" for unbounded. */
    window: z
      .string()
      .regex(/^(none|\d+(\.\d+)?(ms|s|m|h|d|w))$/, 'window must look like 30m, 24h, 7d or none')
      .default('7d'),
    mode: FunnelMode.default('any-start'),
    strict: z.boolean().default(false),
    /**
     * ClickHouse windowFunnel's other modes (docs/funnel-semantics.md has their exact rules). They
     * combine with each other and with `strict` as ClickHouse's options do, and apply to the
     * any-start mode only. Absent means off, so older definitions read the same.
     */
    strictOrder: z.boolean().optional(),
    strictDeduplication: z.boolean().optional(),
    strictOnce: z.boolean().optional(),
    /** With strictOrder only: a step-1 event after step 2 is reached restarts the chain's step 1 instead of ending it. */
    allowReentry: z.boolean().optional(),
    breakdown: z.string().optional(),
    /** Include lists per property; a value list prefixed by "!" in the CLI becomes exclude. */
    include: ColumnFilters.default({}),
    exclude: ColumnFilters.default({}),
    from: IsoDay.optional(),
    to: IsoDay.optional(),
    tz: z.string().default('UTC'),
  })
  .refine(...orderedRange('from', 'to'));
export type FunnelDefinition = z.infer<typeof FunnelDefinition>;

/** The mode and its options as the CLI's flags name them: "any-start, strict-order, allow-reentry". */
export function modeText(def: Pick<FunnelDefinition, 'mode' | 'strict' | 'strictOrder' | 'strictDeduplication' | 'strictOnce' | 'allowReentry'>): string {
  const opts = [
    def.strict && 'strict',
    def.strictOrder && 'strict-order',
    def.strictDeduplication && 'strict-deduplication',
    def.strictOnce && 'strict-once',
    def.allowReentry && 'allow-reentry',
  ];
  return [def.mode, ...opts].filter(Boolean).join(', ');
}

/** Why a definition's modes cannot be computed, or null. (Not a zod refinement: the schema stays a plain object.) */
export function funnelModeProblem(def: Pick<FunnelDefinition, 'mode' | 'strictOrder' | 'strictDeduplication' | 'strictOnce' | 'allowReentry'>): string | null {
  if (def.allowReentry && !def.strictOrder) return 'allow-reentry needs strict-order (as in ClickHouse).';
  const extra = [def.strictOrder && 'strict-order', def.strictDeduplication && 'strict-deduplication', def.strictOnce && 'strict-once'].filter(Boolean);
  if (extra.length > 0 && (def.mode ?? 'any-start') !== 'any-start') return `${extra.join(', ')} apply to the any-start mode only (not ${def.mode}).`;
  return null;
}
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
  segment_tests: z
    .record(
      z.string(),
      z.object({
        users: z.number().int().nonnegative(),
        p_value: z.number().nullable(),
        p_adjusted: z.number().nullable(),
        significant: z.boolean(),
        reason: z.string().nullable(),
      }),
    )
    .optional(),
  /**
   * When the daily series has days far (over two weeks) from the main block of data: the main
   * block's range and the isolated days, so a stray event does not pass for the period.
   */
  dense_range: z
    .object({
      start: z.string(),
      end: z.string(),
      left_out_days: z.array(z.string()),
      /** Users whose step-1 day is one of those. */
      left_out_users: z.number().int().nonnegative(),
    })
    .optional(),
  previous_period: FunnelCore.extend({ date_range: z.object({ start: z.string(), end: z.string() }) }).nullable(),
  daily: z.array(DailyPoint),
  time_to_convert: z.array(TimeToConvert),
  definition: FunnelDefinition,
  dataset_id: z.string(),
  computed_ms: z.number().nonnegative(),
});
export type FunnelResult = z.infer<typeof FunnelResult>;

export const FunnelComputeInput = z
  .object({
    datasetId: z.string().min(1).optional(),
    definition: FunnelDefinition.optional(),
    funnelId: z.string().min(1).optional(),
  })
  .refine((v) => Boolean(v.funnelId) || (Boolean(v.datasetId) && Boolean(v.definition)), {
    message: 'give either funnelId, or datasetId and definition',
  });

export const funnelsCompute = call({
  name: 'funnels:compute',
  summary: 'Compute a funnel (stages, segments, previous period, daily series, time to convert).',
  http: { method: 'POST', path: '/api/v1/funnels/compute', aliases: ['/api/v1/analytics/:funnelId/funnel'] },
  input: FunnelComputeInput,
  output: FunnelResult,
});

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
