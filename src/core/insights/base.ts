import type { Fact, Finding } from '../../shared/contract';
import type { Ctx } from './context';
import { cite, type Cited } from './factbook';
import { dateToEpoch } from './format';

/** The funnel's own numbers as facts, and the bottleneck detector that reads them. */

const pct = (num: number, den: number) => (den > 0 ? (100 * num) / den : 0);

export function addBaseFacts(ctx: Ctx): void {
  const { book, r, stages, keys, users } = ctx;
  const last = users.length - 1;
  book.add('funnel.total_users', 'Users entering the funnel', users[0], 'users');
  book.add('funnel.completed_users', `Users completing ${stages[last]}`, users[last], 'users');
  book.add('funnel.overall_conversion_rate', 'Overall conversion rate', pct(users[last], users[0]), 'percent');
  book.add('funnel.users_lost', 'Users who entered but did not complete', users[0] - users[last], 'users');
  if (r.date_range) {
    book.add('period.current.start', 'First day of the period', dateToEpoch(r.date_range.start.slice(0, 10)), 'date');
    book.add('period.current.end', 'Last day of the period', dateToEpoch(r.date_range.end.slice(0, 10)), 'date');
  }
  const lostTotal = users[0] - users[last];
  stages.forEach((name, i) => {
    const k = keys[i];
    book.add(`stage.${k}.users`, `Users reaching ${name}`, users[i], 'users');
    book.add(`stage.${k}.conversion_rate`, `Share of entrants reaching ${name}`, pct(users[i], users[0]), 'percent');
    book.add(`stage.${k}.downstream_conversion_rate`, `Share of users at ${name} who complete the funnel`, pct(users[last], users[i]), 'percent');
    if (i === 0) return;
    book.add(`stage.${k}.step_conversion_rate`, `${stages[i - 1]} → ${name} step conversion`, pct(users[i], users[i - 1]), 'percent');
    book.add(`stage.${k}.drop_off_rate`, `Drop-off from ${stages[i - 1]} to ${name}`, 100 - pct(users[i], users[i - 1]), 'percent');
    book.add(`stage.${k}.users_lost`, `Users lost between ${stages[i - 1]} and ${name}`, users[i - 1] - users[i], 'users');
    if (lostTotal > 0)
      book.add(`stage.${k}.share_of_losses`, `Share of all lost users lost before ${name}`, pct(users[i - 1] - users[i], lostTotal), 'percent');
  });
  addTimeFacts(ctx);
  for (const s of ctx.segments) addSegmentFacts(ctx, s.key, s.name, s.users);
  const prev = r.previous_period;
  if (prev && prev.stages.length === stages.length && prev.total_users > 0) {
    const pu = prev.stages.map((s) => s.users);
    book.add('period.previous.start', 'First day of the previous period', dateToEpoch(prev.date_range.start.slice(0, 10)), 'date');
    book.add('period.previous.end', 'Last day of the previous period', dateToEpoch(prev.date_range.end.slice(0, 10)), 'date');
    book.add('period.previous.total_users', 'Users entering in the previous period', pu[0], 'users');
    book.add('period.previous.overall_conversion_rate', 'Overall conversion in the previous period', pct(pu[last], pu[0]), 'percent');
    for (let i = 1; i < stages.length; i++) {
      if (pu[i - 1] > 0)
        book.add(
          `period.previous.stage.${keys[i]}.step_conversion_rate`,
          `${stages[i - 1]} → ${stages[i]} in the previous period`,
          pct(pu[i], pu[i - 1]),
          'percent',
        );
    }
  }
}

/**
 * Time between consecutive steps (Ask answers "how long does it take"); event logs only. One unit
 * per step, chosen by its median, so "3.6 minutes" is not written "0.06 hours"; the label names it.
 */
function addTimeFacts(ctx: Ctx): void {
  const { book, r, stages, keys } = ctx;
  for (const t of r.time_to_convert) {
    const j = stages.indexOf(t.to_stage);
    if (j < 1 || stages[j - 1] !== t.from_stage || t.median_seconds === null || t.users === 0) continue;
    const [unit, per] = t.median_seconds < 3600 ? ['minutes', 60] : t.median_seconds < 172_800 ? ['hours', 3600] : ['days', 86_400];
    const base = `time.${keys[j]}`;
    const span = `from ${t.from_stage} to ${t.to_stage}, in ${unit}`;
    book.add(`${base}.median`, `Median time ${span}`, t.median_seconds / (per as number), 'number');
    if (t.p25_seconds !== null) book.add(`${base}.p25`, `Time a quarter of converters beat ${span}`, t.p25_seconds / (per as number), 'number');
    if (t.p75_seconds !== null) book.add(`${base}.p75`, `Time three quarters of converters beat ${span}`, t.p75_seconds / (per as number), 'number');
    if (t.p90_seconds !== null) book.add(`${base}.p90`, `Time nine in ten converters beat ${span}`, t.p90_seconds / (per as number), 'number');
    book.add(`${base}.users`, `Users timed from ${t.from_stage} to ${t.to_stage}`, t.users, 'users');
  }
}

function addSegmentFacts(ctx: Ctx, k: string, name: string, u: number[]): void {
  const { book, stages, keys, users } = ctx;
  const last = u.length - 1;
  const label = `${name} (${ctx.r.segment_by ?? 'segment'})`;
  book.add(`segment.${k}.total_users`, `Users entering, ${label}`, u[0], 'users');
  book.add(`segment.${k}.completed_users`, `Users completing, ${label}`, u[last], 'users');
  book.add(`segment.${k}.overall_conversion_rate`, `Overall conversion, ${label}`, pct(u[last], u[0]), 'percent');
  book.add(`segment.${k}.share_of_users`, `Share of entrants in ${label}`, pct(u[0], users[0]), 'percent');
  for (let i = 1; i < stages.length; i++) {
    book.add(`segment.${k}.stage.${keys[i]}.users`, `Users reaching ${stages[i]}, ${label}`, u[i], 'users');
    if (u[i - 1] > 0)
      book.add(`segment.${k}.stage.${keys[i]}.step_conversion_rate`, `${stages[i - 1]} → ${stages[i]}, ${label}`, pct(u[i], u[i - 1]), 'percent');
  }
}

function confidenceFromN(n: number): number {
  return n >= 1000 ? 0.95 : n >= 200 ? 0.85 : n >= 50 ? 0.7 : 0.5;
}

function lossPhrase(drop: Fact, step: Fact): Cited {
  if (drop.value >= 80) return cite`only ${step} make it through (${drop} drop off)`;
  if (drop.value >= 50) return cite`more than half drop off (${drop}; ${step} continue)`;
  if (drop.value >= 25) return cite`${drop} drop off`;
  return cite`a comparatively small ${drop} drop off`;
}

export const bottleneck = (ctx: Ctx): Finding[] => {
  const { book, stages, keys, users } = ctx;
  if (stages.length < 2 || users[0] === 0) return [];
  let most = 1;
  let worst = 1;
  for (let i = 1; i < stages.length; i++) {
    if (users[i - 1] - users[i] > users[most - 1] - users[most]) most = i;
    const rate = (j: number) => (users[j - 1] > 0 ? users[j] / users[j - 1] : 1);
    if (rate(i) < rate(worst)) worst = i;
  }
  const out: Finding[] = [];
  const mk = (i: number, both: boolean): Finding => {
    const k = keys[i];
    const drop = book.need(`stage.${k}.drop_off_rate`);
    const step = book.need(`stage.${k}.step_conversion_rate`);
    const lost = book.need(`stage.${k}.users_lost`);
    const share = book.get(`stage.${k}.share_of_losses`);
    const prev = book.need(`stage.${keys[i - 1]}.users`);
    const head = cite`Between ${stages[i - 1]} and ${stages[i]}, ${lossPhrase(drop, step)}: ${lost} of ${prev} users.`;
    const tail = share && both && stages.length > 2 ? cite` That is ${share} of everyone the funnel loses, the largest leak of any step.` : cite``;
    const text = cite`${head}${tail}`;
    const severity = drop.value >= 50 ? 'High' : drop.value >= 25 ? 'Medium' : 'Low';
    return {
      id: `bottleneck.${k}`,
      kind: 'bottleneck',
      stage: stages[i],
      segment: null,
      title: both
        ? `${cap(stages[i])} is the main bottleneck`
        : i === most
          ? `Most users are lost before ${stages[i]}`
          : `${cap(stages[i])} has the weakest step conversion`,
      text: text.text,
      fact_ids: text.fact_ids,
      severity,
      confidence: confidenceFromN(users[i - 1]),
      score: 55 + 30 * ((share?.value ?? 50) / 100) + (severity === 'High' ? 5 : 0),
    };
  };
  out.push(mk(most, most === worst));
  if (worst !== most) out.push({ ...mk(worst, false), score: 50 });
  return out;
};

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
