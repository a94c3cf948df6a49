import type { ImportMapping } from '../../../shared/contract';
import { detect } from '../detect';

export type Tool = 'mixpanel' | 'amplitude' | 'segment' | 'ga4' | 'json';

/** A sample of flattened records: each a map from dotted path to its text. */
export type SampleRecord = Map<string, string>;

export interface ShapeGuess {
  tool: Tool;
  /** "Mixpanel export", "Amplitude export", ... as the preview shows it. */
  label: string;
  confidence: number;
  mapping: ImportMapping;
  /** Why this field is the user (and when the fallback applies). */
  userReason: string;
  notes: string[];
  /** Set when the generic detection found no event log (a user table, an aggregated export). */
  notEvents?: boolean;
}

const LABELS: Record<Tool, string> = {
  mixpanel: 'Mixpanel export',
  amplitude: 'Amplitude export',
  segment: 'Segment / RudderStack',
  ga4: 'GA4 BigQuery export',
  json: 'Nested JSON',
};

const share = (recs: SampleRecord[], f: (r: SampleRecord) => boolean) => (recs.length ? recs.filter(f).length / recs.length : 0);
const has = (k: string) => (r: SampleRecord) => r.has(k);

/** Seconds, milliseconds or microseconds, from the size of the sample's numbers (or an ISO text). */
export function timeUnit(values: string[]): NonNullable<ImportMapping['timeFormat']> {
  const nums = values
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .map(Number)
    .sort((a, b) => a - b);
  if (!nums.length || nums.length < values.length * 0.9) return 'iso';
  const median = nums[Math.floor(nums.length / 2)];
  // 1e11 s is the year 5138, 1e11 ms is 1973; 1e14 ms is the year 5138, 1e14 us is 1973.
  return median >= 1e14 ? 'unix_us' : median >= 1e11 ? 'unix_ms' : 'unix_s';
}

export function unitLabel(f: ImportMapping['timeFormat']): string {
  switch (f) {
    case 'unix_s':
      return 'unix seconds';
    case 'unix_ms':
      return 'unix milliseconds';
    case 'unix_us':
      return 'unix microseconds';
    case 'iso':
      return 'ISO 8601 date-time (UTC when no zone)';
    case 'date':
      return 'calendar date';
    default:
      return f ?? 'unknown';
  }
}

const values = (recs: SampleRecord[], k: string) => recs.map((r) => r.get(k)).filter((v): v is string => v !== undefined);

/**
 * Which tool wrote these records, from the fields each documents (Mixpanel's raw export API,
 * Amplitude's export API, Segment's and RudderStack's event spec, GA4's BigQuery schema), and how
 * their fields map to user, time and event. A forced mapping (the user's edits) always wins.
 */
export function guessShape(recs: SampleRecord[], forced: ImportMapping = {}): ShapeGuess {
  const g = guessTool(recs);
  const m: ImportMapping = { ...g.mapping, ...stripUndefined(forced) };
  if (forced.user && forced.user !== g.mapping.user && !forced.userFallback) delete m.userFallback;
  if (forced.time && forced.time !== g.mapping.time && !forced.timeFormat) m.timeFormat = timeUnit(values(recs, forced.time));
  let userReason = g.userReason;
  if (forced.user && forced.user !== g.mapping.user)
    userReason = `"${forced.user}" was chosen in the mapping${m.userFallback ? `, with "${m.userFallback}" where it is empty` : ''}.`;
  return { ...g, mapping: m, userReason };
}

function stripUndefined(m: ImportMapping): ImportMapping {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined && v !== '')) as ImportMapping;
}

function guessTool(recs: SampleRecord[]): ShapeGuess {
  const notes: string[] = [];
  if (share(recs, (r) => r.has('event') && r.has('properties.distinct_id') && r.has('properties.time')) >= 0.9) {
    const extra =
      share(recs, has('properties.$insert_id')) > 0.5 ||
      recs.some((r) => [...r.keys()].some((k) => k.startsWith('properties.$') || k.startsWith('properties.mp_')));
    const unit = timeUnit(values(recs, 'properties.time'));
    return {
      tool: 'mixpanel',
      label: LABELS.mixpanel,
      confidence: extra ? 0.97 : 0.9,
      notes,
      mapping: { tool: 'mixpanel', user: 'properties.distinct_id', time: 'properties.time', event: 'event', timeFormat: unit, dedupe: 'properties.$insert_id' },
      userReason: 'Mixpanel names the user of each event in properties.distinct_id.',
    };
  }
  if (share(recs, (r) => r.has('event_type') && r.has('event_time') && (r.has('user_id') || r.has('device_id'))) >= 0.9) {
    const withUser = share(recs, has('user_id'));
    const fallback = withUser < 1 && share(recs, has('device_id')) > 0;
    return {
      tool: 'amplitude',
      label: LABELS.amplitude,
      confidence: recs.some((r) => r.has('amplitude_id')) ? 0.97 : 0.9,
      notes,
      mapping: {
        tool: 'amplitude',
        user: 'user_id',
        ...(fallback ? { userFallback: 'device_id' } : {}),
        time: 'event_time',
        event: 'event_type',
        timeFormat: timeUnit(values(recs, 'event_time')),
      },
      userReason: fallback
        ? `user_id is the user; it is empty in ${Math.round((1 - withUser) * 100)}% of the sample (events before login), where device_id is used instead. Choose amplitude_id to count Amplitude's merged users.`
        : 'user_id is the user (set on every sampled event; device_id would be used where it is empty).',
    };
  }
  const types = new Set(values(recs, 'type'));
  const segTypes = ['track', 'page', 'screen', 'identify', 'group', 'alias'];
  if (
    types.size &&
    [...types].every((t) => segTypes.includes(t)) &&
    share(recs, (r) => r.has('timestamp') && (r.has('userId') || r.has('anonymousId'))) >= 0.9
  ) {
    const rudder = recs.some((r) => r.has('rudderId') || /rudder/i.test(r.get('context.library.name') ?? ''));
    const fallback = share(recs, has('userId')) < 1;
    const skipped = share(recs, (r) => ['identify', 'group', 'alias'].includes(r.get('type') ?? ''));
    if (skipped)
      notes.push(`identify, group and alias calls (${Math.round(skipped * 100)}% of the sample) are not events: they are skipped and counted in the warnings.`);
    if (types.has('page') || types.has('screen'))
      notes.push('page and screen calls become events of their own, named "Viewed <name> Page" / "Viewed <name> Screen".');
    return {
      tool: 'segment',
      label: rudder ? 'RudderStack (Segment spec)' : LABELS.segment,
      confidence: recs.some((r) => r.has('messageId')) ? 0.95 : 0.85,
      notes,
      mapping: { tool: 'segment', user: 'userId', ...(fallback ? { userFallback: 'anonymousId' } : {}), time: 'timestamp', event: 'event', timeFormat: 'iso' },
      userReason: fallback
        ? 'userId is the user; anonymousId stands in where userId is empty (visitors before identify).'
        : 'userId is the user (set on every sampled call).',
    };
  }
  if (share(recs, (r) => r.has('event_name') && r.has('event_timestamp') && (r.has('user_pseudo_id') || r.has('user_id'))) >= 0.9) {
    const pseudo = share(recs, has('user_pseudo_id')) > 0;
    return {
      tool: 'ga4',
      label: LABELS.ga4,
      confidence: recs.some((r) => [...r.keys()].some((k) => k.startsWith('event_params.'))) ? 0.97 : 0.9,
      notes,
      mapping: { tool: 'ga4', user: pseudo ? 'user_pseudo_id' : 'user_id', time: 'event_timestamp', event: 'event_name', timeFormat: 'unix_us' },
      userReason: pseudo
        ? "user_pseudo_id is GA4's id of the browser or app instance, set on every event; choose user_id to count signed-in users."
        : 'user_id is the user (no user_pseudo_id in this export).',
    };
  }
  // Anything else: the same name and content rules as a flat CSV, over the flattened paths.
  const header: string[] = [];
  const seen = new Set<string>();
  for (const r of recs)
    for (const k of r.keys())
      if (!seen.has(k)) {
        seen.add(k);
        header.push(k);
      }
  const rows = recs.map((r) => header.map((h) => r.get(h) ?? ''));
  const d = detect(header, rows, {});
  const m: ImportMapping = { tool: 'json', ...d.mapping };
  if (m.time && d.kind === 'event_log') {
    const unit = timeUnit(values(recs, m.time));
    if (!m.timeFormat || m.timeFormat === 'auto' || unit === 'unix_us') m.timeFormat = unit;
  }
  return {
    tool: 'json',
    label: header.some((h) => h.includes('.')) ? LABELS.json : 'JSON events',
    confidence: d.confidence,
    notes: d.notes,
    mapping: m,
    notEvents: d.kind !== 'event_log',
    userReason: m.user ? `"${m.user}" looks like a user id (its name, and values that repeat across events).` : 'No user field was found; choose one.',
  };
}
