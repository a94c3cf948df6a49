import type { Fact, QuestionKind } from '../../shared/contract';

/**
 * What a question asks, read without a model: its kind, the stages, segments, metrics and dates
 * it names, and what it names that the data does not have. Rules, not statistics: every rule is
 * covered by the phrased questions in test/fixtures/ask-questions.json.
 */

export interface Named {
  key: string;
  name: string;
}

export interface Vocabulary {
  stages: Named[];
  segments: Named[];
  segmentColumn: string | null;
  /** Experiment metrics (retention_1, ...), primary first. */
  metrics: Named[];
  period: { start: string; end: string } | null;
  labels: string;
  /** The dataset's columns, when known: a named column that exists is "not broken down by", not "absent". */
  columns: string[];
}

export interface Classified {
  kind: QuestionKind;
  /** Stage keys in the order the question names them. */
  stages: string[];
  segments: string[];
  /** Experiment metric keys ("primary" or a secondary metric's name). */
  metrics: string[];
  /** Days (YYYY-MM-DD) the question names. */
  dates: string[];
  extreme: 'max' | 'min' | null;
  /** Things the question names that the data does not have. */
  missing: string[];
  /** Words next to a single stage: "after cart" means leaving it, "before cart" reaching it. */
  leaving: boolean;
}

const norm = (s: string) =>
  s
    .toLowerCase()
    .replace(/[_\-./]+/g, ' ')
    .replace(/[^a-z0-9% ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** Reads the names the fact sheet knows from its ids and labels. */
export function vocabulary(facts: Fact[], columns: string[] = []): Vocabulary {
  const stages: Named[] = [];
  const segments: Named[] = [];
  const metrics: Named[] = [];
  let segmentColumn: string | null = null;
  let period: Vocabulary['period'] = null;
  for (const f of facts) {
    let m = /^stage\.([^.]+)\.users$/.exec(f.id);
    if (m) stages.push({ key: m[1], name: f.label.replace(/^Users reaching /, '') });
    m = /^segment\.([^.]+)\.total_users$/.exec(f.id);
    if (m) {
      const lm = /^Users entering, (.*) \(([^()]*)\)$/.exec(f.label);
      segments.push({ key: m[1], name: lm ? lm[1] : m[1] });
      if (lm && lm[2] !== 'segment') segmentColumn = lm[2];
    }
    if (f.id === 'experiment.primary.control_value') metrics.unshift({ key: 'primary', name: f.label.replace(/: control$/, '') });
    m = /^experiment\.secondary\.(.+)\.control_value$/.exec(f.id);
    if (m) metrics.push({ key: m[1], name: f.label.replace(/: control$/, '') });
    if (f.provenance?.period && !period) period = { start: f.provenance.period.start.slice(0, 10), end: f.provenance.period.end.slice(0, 10) };
  }
  const start = facts.find((f) => f.id === 'period.current.start')?.display;
  const end = facts.find((f) => f.id === 'period.current.end')?.display;
  if (start && end) period = { start, end };
  return { stages, segments, segmentColumn, metrics, period, labels: norm(facts.map((f) => `${f.label} ${f.id}`).join(' ')), columns };
}

/** Words for the same step in different products: a question about "purchases" finds a "buy" step. */
/** Each group's name in a refusal ("This analysis has no purchase step"). */
const STEP_NAMES = ['purchase', 'cart', 'view', 'click', 'save', 'favourite', 'enrolment', 'sign-up', 'install', 'login', 'subscription'];
const STEP_SYNONYMS: string[][] = [
  [
    'buy',
    'bought',
    'buys',
    'buyer',
    'buyers',
    'buying',
    'purchase',
    'purchased',
    'purchases',
    'purchasers',
    'purchasing',
    'order',
    'ordered',
    'orders',
    'checkout',
    'paid',
    'pay',
    'paying',
    'payment',
    'payments',
  ],
  ['cart', 'carts', 'carted', 'basket', 'baskets'],
  ['pv', 'view', 'views', 'viewed', 'pageview', 'pageviews', 'visit', 'visits', 'visited'],
  ['click', 'clicks', 'clicked', 'clicking'],
  ['save', 'saves', 'saved', 'saving'],
  ['fav', 'favs', 'favorite', 'favorited', 'favourite', 'favourited'],
  ['enroll', 'enrolled', 'enrolls', 'enrollment', 'enrollments', 'enrol', 'enrolment'],
  ['signup', 'signups', 'signed', 'register', 'registered', 'registration', 'registrations'],
  ['install', 'installs', 'installed'],
  ['login', 'logins', 'logged'],
  ['subscribe', 'subscribed', 'subscription', 'subscriptions', 'trial', 'trials'],
];

/** Columns products often have; named but absent, they get a plain "the data has no ...". */
const DIMENSIONS = [
  'mobile',
  'desktop',
  'tablet',
  'ios',
  'android',
  'iphone',
  'device',
  'devices',
  'platform',
  'platforms',
  'os',
  'browser',
  'browsers',
  'country',
  'countries',
  'region',
  'regions',
  'city',
  'cities',
  'channel',
  'channels',
  'campaign',
  'campaigns',
  'utm',
  'gender',
  'age',
  'language',
  'locale',
  'referrer',
  'organic',
  'paid search',
  'returning',
  'new users',
  'cohort',
  'cohorts',
  'plan',
  'tier',
];
/** Metrics the engine never computes from a funnel or an A/B table unless the data names them. */
const METRICS = [
  'revenue',
  'sales',
  'profit',
  'price',
  'prices',
  'aov',
  'order value',
  'basket value',
  'ltv',
  'lifetime value',
  'arpu',
  'arppu',
  'churn',
  'cost',
  'costs',
  'cac',
  'roi',
  'margin',
  'bounce',
  'sessions',
  'session',
  'retention',
  'engagement',
  'nps',
  'dau',
  'mau',
  'ctr',
  'gmv',
  'income',
  'spend',
  'spent',
];
const RELATIVE_PERIODS = [
  'last week',
  'this week',
  'last month',
  'this month',
  'yesterday',
  'today',
  'last year',
  'this year',
  'last quarter',
  'this quarter',
  'last weekend',
  'past week',
  'past month',
];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function has(q: string, phrase: string): number {
  const m = new RegExp(`(^| )${phrase.replace(/ /g, ' ')}( |$)`).exec(q);
  return m ? m.index : -1;
}

/** Where a stage is named: its own words, then its step's synonyms. -1 when absent. */
function stageAt(q: string, s: Named): number {
  const name = norm(s.name);
  const plural = has(q, `${name}s`);
  let at = has(q, name);
  if (at < 0) at = plural;
  if (at < 0 && name.length >= 5) {
    const squeezed = q.replace(/ /g, '');
    const i = squeezed.indexOf(name.replace(/ /g, ''));
    if (i >= 0) at = i;
  }
  if (at >= 0) return at;
  const group = STEP_SYNONYMS.find((g) => g.includes(name) || name.split(' ').some((w) => g.includes(w)));
  if (!group) return -1;
  const hits = group.map((w) => has(q, w)).filter((i) => i >= 0);
  return hits.length ? Math.min(...hits) : -1;
}

/** ISO days, and "Feb 10" / "10 February" read in the year of the data's period that contains them. */
function isoDates(q: string, period: Vocabulary['period']): string[] {
  const out = [...q.matchAll(/\b(\d{4})-(\d{2})-(\d{2})\b/g)].map((m) => m[0]);
  const mon = '(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*';
  const found = [...q.matchAll(new RegExp(`\\b${mon}\\.? (\\d{1,2})(?:st|nd|rd|th)?\\b`, 'g'))]
    .map((m) => [m[1], m[2]])
    .concat([...q.matchAll(new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)? (?:of )?${mon}\\b`, 'g'))].map((m) => [m[2], m[1]]));
  const years = period ? [...new Set([Number(period.start.slice(0, 4)), Number(period.end.slice(0, 4))])] : [new Date().getUTCFullYear()];
  for (const [m, d] of found) {
    const month = MONTHS.findIndex((x) => x.startsWith(m.slice(0, 3))) + 1;
    const day = Number(d);
    if (month < 1 || day < 1 || day > 31) continue;
    const iso = (y: number) => `${y}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const inside = period ? years.map(iso).find((x) => x >= period.start && x <= period.end) : undefined;
    out.push(inside ?? iso(years[0]));
  }
  return [...new Set(out)];
}

export function classifyQuestion(question: string, v: Vocabulary): Classified {
  const raw = question.toLowerCase();
  const q = norm(question);
  const stageHits = v.stages
    .map((s) => ({ key: s.key, at: stageAt(q, s) }))
    .filter((x) => x.at >= 0)
    .sort((a, b) => a.at - b.at);
  const stages = stageHits.map((x) => x.key);
  const segments = v.segments.filter((s) => has(q, norm(s.name)) >= 0 || has(q, `${norm(s.name)}s`) >= 0).map((s) => s.key);
  const metrics = v.metrics.filter((m) => has(q, norm(m.name)) >= 0 || metricAlias(q, m.name)).map((m) => m.key);
  const dates = isoDates(raw, v.period);
  const extreme = /\b(largest|biggest|highest|most|max|maximum|best|top|greatest|strongest)\b/.test(q)
    ? 'max'
    : /\b(lowest|smallest|least|min|minimum|fewest|worst|weakest)\b/.test(q)
      ? 'min'
      : null;
  const known = (w: string) => ` ${v.labels} `.includes(` ${w} `) || v.segments.some((s) => norm(s.name) === w) || norm(v.segmentColumn ?? '') === w;
  const missing: string[] = [];

  // A step the funnel does not have ("signed up" in a pv → cart → buy funnel).
  const inGroup = (g: string[], s: Named) =>
    g.includes(norm(s.name)) ||
    norm(s.name)
      .split(' ')
      .some((w) => g.includes(w));
  STEP_SYNONYMS.forEach((g, i) => {
    const word = g.find((w) => has(q, w) >= 0);
    if (word && v.stages.length && !v.stages.some((s) => inGroup(g, s))) missing.push(`${STEP_NAMES[i]} step`);
  });
  const column = (w: string) => v.columns.find((c) => norm(c) === w || norm(c) === w.replace(/s$/, ''));
  for (const d of DIMENSIONS) {
    if (has(q, d) < 0 || known(d) || known(d.replace(/s$/, ''))) continue;
    const col = column(d);
    missing.push(col ? `breakdown by "${col}"` : `"${d}" column or segment`);
  }
  // A column of the data the funnel is not broken down by ("by surface").
  for (const c of v.columns)
    if (
      c !== v.segmentColumn &&
      norm(c).length >= 3 &&
      !known(norm(c)) &&
      has(q, norm(c)) >= 0 &&
      !DIMENSIONS.includes(norm(c)) &&
      !missing.some((m) => m.includes(`"${c}"`))
    )
      missing.push(`breakdown by "${c}"`);
  for (const m of METRICS) if (has(q, m) >= 0 && !known(m)) missing.push(`${m} metric`);
  const wowFacts = v.labels.includes('last week of complete data');
  for (const p of RELATIVE_PERIODS) if (has(q, p) >= 0 && !(wowFacts && /week/.test(p))) missing.push(`figures for "${p}"`);
  if (v.period) {
    for (const d of dates) if (d < v.period.start || d > v.period.end) missing.push('data for the day asked about');
    const years = new Set([Number(v.period.start.slice(0, 4)), Number(v.period.end.slice(0, 4))]);
    for (const m of q.matchAll(/\b(19|20)\d{2}\b/g))
      if (!dates.some((d) => d.startsWith(m[0])) && !years.has(Number(m[0])) && !(Number(m[0]) > Math.min(...years) && Number(m[0]) < Math.max(...years)))
        missing.push('data for the year asked about');
    const months = monthsIn(v.period);
    for (const [i, name] of MONTHS.entries())
      if (has(q, name) >= 0 && !months.has(i) && !(name === 'may' && !/\bin may\b/.test(q))) missing.push(`data for ${cap(name)}`);
    const rel = /\b(?:last|past|previous|recent) (\d+|two|three|four|few|several) (days?|weeks?|months?)\b/.exec(q);
    // Named without its number: a refusal quotes no figure, not even the user's own.
    if (rel) missing.push('separate figures for the recent days asked about');
  }
  // A segment-like word that is not a segment: "for Planners" is fine, "for Gold members" is not.
  const mm = /\b(?:for|among|on|in) ([a-z0-9]+) (?:users|customers|members|visitors|players|segment)\b/.exec(q);
  if (
    mm &&
    !known(mm[1]) &&
    !['all', 'the', 'these', 'those', 'our', 'new', 'most', 'many', 'active', 'each', 'both', 'which', 'what', 'control', 'treatment'].includes(mm[1]) &&
    !stages.length &&
    !segments.length
  )
    missing.push(`"${mm[1]}" segment`);

  // "after cart" / "from cart" means users leaving cart; "before cart" / "to cart" users reaching it.
  let leaving = false;
  if (stageHits.length === 1) {
    const before = q.slice(0, stageHits[0].at).split(' ').reverse();
    const word = before.find((w) => ['after', 'from', 'at', 'leave', 'leaving', 'past', 'before', 'into', 'to', 'reach', 'reaching', 'reached'].includes(w));
    leaving = word !== undefined && ['after', 'from', 'at', 'leave', 'leaving', 'past'].includes(word);
  }
  return { kind: kindOf(q, raw, v, stages, segments, metrics, dates), stages, segments, metrics, dates, extreme, missing: [...new Set(missing)], leaving };
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function monthsIn(p: { start: string; end: string }): Set<number> {
  const out = new Set<number>();
  let y = Number(p.start.slice(0, 4));
  let m = Number(p.start.slice(5, 7)) - 1;
  const endY = Number(p.end.slice(0, 4));
  const endM = Number(p.end.slice(5, 7)) - 1;
  while ((y < endY || (y === endY && m <= endM)) && out.size < 12) {
    out.add(m);
    m += 1;
    if (m === 12) {
      m = 0;
      y += 1;
    }
  }
  return out;
}

/** "7-day retention" names retention_7, "game rounds" sum_gamerounds. */
function metricAlias(q: string, name: string): boolean {
  const n = norm(name);
  const num = /(\d+)/.exec(n)?.[1];
  const words = n.split(' ').filter((w) => !/^\d+$/.test(w) && w.length >= 4);
  if (num && words.length && words.every((w) => q.includes(w))) return new RegExp(`\\b(${num} day|day ${num}|d${num}|${num}d)\\b`).test(q);
  if (!num && words.length) return words.every((w) => q.includes(w)) || q.replace(/ /g, '').includes(n.replace(/ /g, '').replace(/^sum/, ''));
  return false;
}

/** `\b(a|b|…)\b` from fragments of alternatives, so a long vocabulary reads as lines of words. */
function anyOf(...fragments: RegExp[]): RegExp {
  return new RegExp(`\\b(${fragments.map((f) => f.source).join('|')})\\b`);
}

/** Asking what to do next. */
const ADVICE = anyOf(
  /what should (we|i)|should we|next steps?|recommend\w*|suggest\w*|advice|advise|what (can|could) (we|i) do/,
  /what to do|where should (we|i) (focus|start)|focus on|priorit\w*|action items?/,
  /how (can|do|could|should) (we|i) (improve|increase|fix|reduce|boost|raise|grow|lift)/,
);

/** Planning a test: sample size, power, duration. */
const DESIGN = anyOf(
  /sample size|how many (users|people|visitors|players|participants)( do| would)? (we|i) need|minimum detectable|mde/,
  /power analysis|how long should (the|a|an|our|we|this) ?(test|experiment|a b test)?/,
  /how long (to|would we need to) run|test duration|experiment duration|design (a|an|the) (test|experiment)/,
  /run (a|an) (a b )?(test|experiment)|users per variant/,
);

/** Words of an experiment's read-out (counted only when the data is an experiment). */
const RESULT = anyOf(
  /treatment|control|variant|variants|arm|arms|significan\w*|p value|pvalue|lift|effect|srm|sample ratio|split/,
  /allocation|guardrail|power|confidence interval|ci|group|groups|version|primary metric|result|results|difference/,
);

/** Doubts about the data itself. */
const QUALITY = anyOf(
  /data quality|missing|data gaps?|gaps? in (the )?data|incomplete|complete data/,
  /(is|was|are) (the|this|our) data (complete|clean|reliable|ok|okay|good|correct|right|accurate)|outliers?|censor\w*/,
  /reliab\w*|trust (the|this) data|quality|duplicates?|clean|errors? in the data|problems? with the data/,
  /issues? with the data/,
);

/** Change over time. */
const TREND = anyOf(
  /trend\w*|over time|previous period|prior period|week over week|wow|last week|anomal\w*|spike\w*|dips?|unusual/,
  /strange|weird|happened|changed?|changes|declin\w*|improv\w*|increas\w*|decreas\w*|went (up|down)|rising|falling/,
  /getting (better|worse)|over the period|daily|by day|per day/,
);

/** Where users are lost. */
const DROP_OFF = anyOf(
  /drop\w*|leak\w*|lose|loses|lost|losing|abandon\w*|bottleneck\w*|fall (out|off)|falls (out|off)|leave|leaves/,
  /churns? (at|before|after)|biggest problem|worst step|weakest step|where do (users|people|we)/,
);

function kindOf(q: string, raw: string, v: Vocabulary, stages: string[], segments: string[], metrics: string[], dates: string[]): QuestionKind {
  const experimentFacts = v.metrics.length > 0;
  if (experimentFacts && /\b(ship|launch|roll ?back|rollout|roll out|decision|decide|winner|win|keep)\b/.test(q)) return 'experiment_result';
  if (ADVICE.test(q)) return 'recommendation';
  if (DESIGN.test(q)) return 'experiment_design';
  if (experimentFacts && (metrics.length || RESULT.test(q))) return 'experiment_result';
  if (QUALITY.test(q)) return 'data_quality';
  if (
    /\b(forecast\w*|predict\w*|projection|projected|next (week|month|two weeks|fortnight|14 days)|will (conversion|it|the)|going forward|outlook|in two weeks|future)\b/.test(
      q,
    )
  )
    return 'forecast';
  if (
    /\b(how long|time to (convert|buy|purchase)|time from|time between|how (fast|quickly|soon)|median time|latency|delay|takes? (to|from)|hours?|minutes?)\b/.test(
      q,
    )
  )
    return 'time_to_convert';
  if (dates.length || TREND.test(q)) {
    // "increase conversion" is advice; "did conversion increase" is a trend.
    return 'trend';
  }
  if (
    segments.length ||
    /\b(segments?|segment by|breakdown|broken down|which (group|cohort|intent|type)|compare\w*|versus|vs|differ\w*|significan\w*)\b/.test(q) ||
    (v.segmentColumn && q.includes(norm(v.segmentColumn)))
  )
    return 'segment_comparison';
  if (DROP_OFF.test(q)) return 'drop_off';
  if (stages.length >= 2 || /\b(step conversion|go on to|goes on to|went on to|proceed|continue to|make it to|of (the )?[a-z0-9 ]+ users)\b/.test(q))
    return stages.length ? 'step_conversion' : 'step_conversion';
  if (/\b(how many|number of|count of|total users|users (entered|started))\b/.test(q)) return 'stage_count';
  if (/\b(conversion|convert\w*|share|percent\w*|percentage|rate|fraction|proportion|ratio)\b/.test(q) || raw.includes('%')) return 'overall_conversion';
  if (/\b(summary|summari[sz]e|overview|headline|key (numbers|metrics|figures)|how (is|are) (the funnel|we|things|it) (doing|going|performing))\b/.test(q))
    return 'overall_conversion';
  if (stages.length === 1) return 'stage_count';
  return 'unknown';
}
