import type { FunnelCore, FunnelResult } from '../../../src/shared/contract';
import { seededRandom } from '../../../src/core/random';

/** Kept under its old name for the tests that import it from here. */
export const rng = seededRandom;

/**
 * Synthetic funnels at FunnelResult level: daily entries with weekly seasonality, binomial steps
 * with a little day-to-day extra variation (real funnels are overdispersed), segments, and planted
 * effects through `effect(day, segment, step) → multiplier on the step rate`.
 */

function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(Math.max(r(), 1e-12))) * Math.cos(2 * Math.PI * r());
}

export function binomial(n: number, p: number, r: () => number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n < 60) {
    let k = 0;
    for (let i = 0; i < n; i++) if (r() < p) k++;
    return k;
  }
  const x = Math.round(n * p + Math.sqrt(n * p * (1 - p)) * normal(r));
  return Math.min(n, Math.max(0, x));
}

function poisson(lambda: number, r: () => number): number {
  if (lambda < 30) {
    const L = Math.exp(-lambda);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= r();
    } while (p > L);
    return k - 1;
  }
  return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal(r)));
}

export interface SynthSegment {
  name: string;
  share: number;
  /** Multiplier per step on the base step rates. */
  mult?: number[];
}

export interface SynthSpec {
  seed?: number;
  days?: number;
  start?: string;
  entryPerDay?: number;
  stages?: string[];
  stepRates?: number[];
  /** Multiplier on entries by weekday (0 = Sunday). */
  weekday?: number[];
  /** Relative sd of day-to-day variation in step rates. */
  overdispersion?: number;
  segments?: SynthSegment[];
  segmentBy?: string;
  effect?: (day: number, segment: string, step: number) => number;
  previous?: boolean;
  window?: string;
}

const DEFAULT_WEEKDAY = [0.8, 1.05, 1.1, 1.1, 1.05, 1.0, 0.85];

function core(users: number[], names: string[]): FunnelCore {
  const pct = (a: number, b: number) => (b > 0 ? (100 * a) / b : 0);
  return {
    stages: names.map((stage_name, k) => ({
      stage_name,
      users: users[k],
      conversion_rate: pct(users[k], users[0]),
      step_conversion_rate: k === 0 ? 100 : pct(users[k], users[k - 1]),
      drop_off_rate: k === 0 ? 0 : 100 - pct(users[k], users[k - 1]),
    })),
    overall_conversion_rate: pct(users[users.length - 1], users[0]),
    total_users: users[0],
    completed_users: users[users.length - 1],
  };
}

function addDay(start: string, i: number): string {
  return new Date(Date.parse(`${start}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10);
}

export interface Synth {
  result: FunnelResult;
  segmentDaily: Record<string, FunnelResult['daily']>;
}

export function synth(spec: SynthSpec = {}): Synth {
  const r = rng(spec.seed ?? 1);
  const days = spec.days ?? 56;
  const start = spec.start ?? '2026-01-05';
  const stages = spec.stages ?? ['Pin View', 'Save', 'Click', 'Purchase'];
  const rates = spec.stepRates ?? [0.6, 0.4, 0.5];
  const segs = spec.segments ?? [{ name: 'All', share: 1 }];
  const wd = spec.weekday ?? DEFAULT_WEEKDAY;
  const od = spec.overdispersion ?? 0.03;
  const run = (offset: number) => {
    const segDaily: Record<string, FunnelResult['daily']> = {};
    const daily: FunnelResult['daily'] = [];
    const segTotals: Record<string, number[]> = {};
    for (let d = 0; d < days; d++) {
      const date = addDay(start, d + offset);
      const w = new Date(`${date}T00:00:00Z`).getUTCDay();
      const dayUsers = new Array<number>(stages.length).fill(0);
      for (const s of segs) {
        const u = [poisson((spec.entryPerDay ?? 2000) * s.share * wd[w], r)];
        for (let k = 1; k < stages.length; k++) {
          const eff = offset === 0 && spec.effect ? spec.effect(d, s.name, k) : 1;
          const p = Math.min(0.999, Math.max(0, rates[k - 1] * (s.mult?.[k - 1] ?? 1) * eff * (1 + od * normal(r))));
          u.push(binomial(u[k - 1], p, r));
        }
        (segDaily[s.name] ??= []).push({ date, users: u });
        segTotals[s.name] = (segTotals[s.name] ?? new Array<number>(stages.length).fill(0)).map((x, k) => x + u[k]);
        u.forEach((x, k) => (dayUsers[k] += x));
      }
      daily.push({ date, users: dayUsers });
    }
    const totals = stages.map((_, k) => daily.reduce((a, d) => a + d.users[k], 0));
    return { daily, segDaily, segTotals, totals };
  };
  const cur = run(0);
  const prev = spec.previous ? run(-days) : null;
  const segmented = segs.length > 1;
  const result: FunnelResult = {
    ...core(cur.totals, stages),
    funnel_name: 'Synthetic',
    date_range: { start, end: addDay(start, days - 1) },
    segment_by: segmented ? (spec.segmentBy ?? 'user_intent') : null,
    segment_breakdown: segmented ? Object.fromEntries(Object.entries(cur.segTotals).map(([k, u]) => [k, core(u, stages)])) : null,
    previous_period: prev ? { ...core(prev.totals, stages), date_range: { start: addDay(start, -days), end: addDay(start, -1) } } : null,
    daily: cur.daily,
    time_to_convert: [],
    definition: {
      steps: stages.map((event) => ({ event })),
      window: spec.window ?? '7d',
      mode: 'any-start',
      strict: false,
      include: {},
      exclude: {},
      tz: 'UTC',
      breakdown: segmented ? (spec.segmentBy ?? 'user_intent') : undefined,
    },
    dataset_id: 'ds_synth',
    computed_ms: 0,
  };
  return { result, segmentDaily: segmented ? cur.segDaily : {} };
}
