import type { FunnelResult } from '../../shared/contract';
import { stageKeys } from '../../shared/fact-keys';
import { FactBook, key, type Provenance } from './factbook';
import { buildSeries, dailyQuality, sum, type DailyQuality, type DailySeries } from './series';

/** Everything a detector reads: the funnel, its facts so far, names and keys, and the daily series. */

export interface SegmentInfo {
  name: string;
  key: string;
  /** Users per stage within the segment. */
  users: number[];
}

export interface AnalysisOptions {
  provenance?: Provenance;
  /** Saved funnel the analysis belongs to, recorded in every fact's provenance. */
  funnelId?: string | null;
  /** Per-segment daily series (the funnel computed with a filter on each segment value). */
  segmentDaily?: Record<string, FunnelResult['daily']>;
  /** Overall conversion threshold in percent for the forecast's crossing date. */
  forecastThreshold?: number;
  /** Import warnings (duplicates, unparsable timestamps ...) for root-cause hints. */
  dataWarnings?: string[];
  /** Fixed clock for reproducible output. */
  now?: Date;
  /** Segments smaller than this are left out of gap tests (too noisy to say anything). */
  minSegmentUsers?: number;
  /**
   * Days at the end of the data whose cohorts may not have finished converting (event logs: the
   * conversion window). Default: the window for windows of a day or more; 0 for aggregated exports.
   */
  censorDays?: number;
  maxSegments?: number;
}

export interface Ctx {
  r: FunnelResult;
  book: FactBook;
  opts: AnalysisOptions;
  stages: string[];
  keys: string[];
  users: number[];
  segments: SegmentInfo[];
  /** True when the breakdown column looks like an experiment arm, so gaps are variant comparisons. */
  variantBreakdown: boolean;
  quality: DailyQuality;
  series: DailySeries[];
  /** Conversion window in days (0 when unbounded or sub-day): recent cohorts may be incomplete. */
  windowDays: number;
  /** Last days left out of trends, forecasts and period splits because their cohorts are incomplete. */
  censored: Set<string>;
  /** When a stage's counts stop early, period totals use only the days before this one. */
  completeBefore: string | null;
  /** Names containing digits, masked by the grounding check. */
  names: string[];
}

function windowDays(w: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(w);
  if (!m) return 0;
  const per: Record<string, number> = { ms: 1 / 86_400_000, s: 1 / 86_400, m: 1 / 1440, h: 1 / 24, d: 1, w: 7 };
  return Math.floor(Number(m[1]) * per[m[2]]);
}

export function makeContext(r: FunnelResult, opts: AnalysisOptions): Ctx {
  const provenance: Provenance = opts.provenance ?? {
    datasetId: r.dataset_id,
    ...(opts.funnelId ? { funnelId: opts.funnelId } : {}),
    ...(r.date_range ? { period: r.date_range } : {}),
    ...(Object.keys(r.definition.include).length ? { filters: r.definition.include } : {}),
  };
  const stages = r.stages.map((s) => s.stage_name);
  const quality = dailyQuality(r.daily, r.stages.length);
  const cuts = quality.truncatedFrom.filter((d): d is string => d !== null).sort();
  const completeBefore = cuts[0] ?? null;
  // Totals that include days where a later stage was never exported understate that stage.
  const users = completeBefore
    ? r.stages.map((_, k) =>
        sum(r.daily.filter((d) => quality.days.includes(d.date.slice(0, 10)) && d.date.slice(0, 10) < completeBefore).map((d) => d.users[k] ?? 0)),
      )
    : r.stages.map((s) => s.users);
  const minUsers = opts.minSegmentUsers ?? 30;
  const segKeys = new Set<string>();
  const segments: SegmentInfo[] = Object.entries(r.segment_breakdown ?? {})
    .filter(([, c]) => c.total_users >= minUsers && c.stages.length === stages.length)
    .sort((a, b) => b[1].total_users - a[1].total_users)
    .slice(0, opts.maxSegments ?? 8)
    .map(([name, c]) => {
      let k = key(name);
      while (segKeys.has(k)) k += '_';
      segKeys.add(k);
      return { name, key: k, users: c.stages.map((s) => s.users) };
    });
  const wd = opts.censorDays ?? windowDays(r.definition.window);
  const censored = new Set(wd > 0 ? quality.days.slice(-wd) : []);
  const seg = r.segment_by ?? '';
  return {
    r,
    opts,
    stages,
    users,
    segments,
    quality,
    book: new FactBook(provenance),
    keys: stageKeys(stages),
    variantBreakdown: /variant|group|arm|experiment|bucket|treatment|version/i.test(seg),
    series: buildSeries(r.daily, stages.length, quality),
    windowDays: wd,
    censored,
    completeBefore,
    names: [...stages, ...segments.map((s) => s.name), seg].filter((n) => /\d/.test(n)),
  };
}
