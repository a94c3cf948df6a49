import { z } from 'zod';

/**
 * A fact is one computed number with a stable id. Every text the app shows (template or model)
 * cites facts by id, and the grounding check accepts a number in a text only when it equals a
 * fact's value at display precision (or a difference/ratio of two cited facts).
 */
export const FactUnit = z.enum(['percent', 'pp', 'users', 'count', 'ratio', 'p', 'days', 'date', 'number', 'seconds']);
export type FactUnit = z.infer<typeof FactUnit>;

export const Fact = z.object({
  /** Stable, dotted id: stage.click.drop_off_rate, segment.Planner.overall_conversion_rate ... */
  id: z.string(),
  label: z.string(),
  /** For unit "date", the value is the day as epoch milliseconds at UTC midnight. */
  value: z.number(),
  unit: FactUnit,
  /** Exactly what users see, e.g. "42.5%", "1,204", "p = 0.003", "2026-01-15". */
  display: z.string(),
  provenance: z
    .object({
      datasetId: z.string().optional(),
      funnelId: z.string().optional(),
      filters: z.record(z.string(), z.unknown()).optional(),
      period: z.object({ start: z.string(), end: z.string() }).optional(),
      note: z.string().optional(),
    })
    .default({}),
});
export type Fact = z.infer<typeof Fact>;

export const FactSheet = z.object({
  facts: z.array(Fact),
  generated_at: z.string(),
});
export type FactSheet = z.infer<typeof FactSheet>;

export const GroundingReport = z.object({
  checked: z.number().int().nonnegative(),
  passed: z.boolean(),
  fallback_fields: z.array(z.string()),
  ungrounded: z.array(z.object({ field: z.string(), text: z.string(), number: z.string() })),
});
export type GroundingReport = z.infer<typeof GroundingReport>;
