import type { Fact } from '../../shared/contract';
import { absent, answered, closest, joinSaid, main, say, type Result, type Said, type Sheet } from './answer-kit';
import type { Classified } from './question';

/** Answers about the funnel itself: counts, conversion, steps, drop-off and time between steps. */

export function stageCount(s: Sheet, c: Classified, q: string): Result {
  if (!s.v.stages.length) return null;
  const total = s.get('funnel.total_users');
  if (!c.stages.length) {
    if (/\b(complet|convert|finish|made it|end)/.test(q)) {
      const done = s.get('funnel.completed_users');
      const rate = s.get('funnel.overall_conversion_rate');
      return done && rate && total
        ? answered(say`${main(done)} users completed the funnel (${s.stageName(s.v.stages.length - 1)}), ${rate} of the ${total} who entered.`)
        : null;
    }
    return total ? answered(say`${main(total)} users entered the funnel at ${s.stageName(0)}.`) : null;
  }
  const key = c.stages[c.stages.length - 1];
  const i = s.stageIndex(key);
  const users = s.get(`stage.${key}.users`);
  const conv = s.get(`stage.${key}.conversion_rate`);
  if (!users) return null;
  if (i === 0 || !conv || !total) return answered(say`${main(users)} users reached ${s.stageName(i)}, the funnel's first step.`);
  return answered(say`${main(users)} users reached ${s.stageName(i)}, ${conv} of the ${total} who entered at ${s.stageName(0)}.`);
}

export function overallConversion(s: Sheet, c: Classified): Result {
  if (!s.v.stages.length) return null;
  const last = s.v.stages.length - 1;
  if (c.stages.length === 1) {
    const i = s.stageIndex(c.stages[0]);
    if (i > 0 && i < last) {
      const conv = s.get(`stage.${c.stages[0]}.conversion_rate`);
      const users = s.get(`stage.${c.stages[0]}.users`);
      const total = s.get('funnel.total_users');
      if (conv && users && total) return answered(say`${main(conv)} of entrants reach ${s.stageName(i)}: ${users} of ${total} users.`);
    }
  }
  const rate = s.get('funnel.overall_conversion_rate');
  const done = s.get('funnel.completed_users');
  const total = s.get('funnel.total_users');
  if (!rate || !done || !total) return null;
  return answered(say`Overall conversion is ${main(rate)}: ${done} of the ${total} users who entered at ${s.stageName(0)} reached ${s.stageName(last)}.`);
}

/** The pair of stage indexes a step question is about. */
export function stepPair(s: Sheet, c: Classified, q: string): [number, number] | null {
  const idx = c.stages
    .map((k) => s.stageIndex(k))
    .filter((i) => i >= 0)
    .sort((a, b) => a - b);
  const last = s.v.stages.length - 1;
  if (idx.length >= 2) return [idx[0], idx[idx.length - 1]];
  if (idx.length === 1) {
    const i = idx[0];
    const ofUsers = new RegExp(
      `\\b${s
        .stageName(i)
        .toLowerCase()
        .replace(/[_\-./]+/g, ' ')} users\\b`,
    ).test(q);
    if ((c.leaving || ofUsers || i === 0) && i < last) return [i, i + 1];
    return i > 0 ? [i - 1, i] : null;
  }
  return null;
}

function stepLine(s: Sheet, j: number): Said | null {
  const key = s.v.stages[j].key;
  const rate = s.get(`stage.${key}.step_conversion_rate`);
  const from = s.get(`stage.${s.v.stages[j - 1].key}.users`);
  const to = s.get(`stage.${key}.users`);
  if (!rate || !from || !to) return null;
  return say`Of the ${from} users who reached ${s.stageName(j - 1)}, ${main(rate)} went on to ${s.stageName(j)} (${to} users).`;
}

export function stepConversion(s: Sheet, c: Classified, q: string): Result {
  if (s.v.stages.length < 2) return null;
  const pair = stepPair(s, c, q);
  const last = s.v.stages.length - 1;
  if (!pair) {
    const steps = s.v.stages
      .slice(1)
      .map((_, k) => ({ j: k + 1, f: s.get(`stage.${s.v.stages[k + 1].key}.step_conversion_rate`) }))
      .filter((x): x is { j: number; f: Fact } => Boolean(x.f));
    if (!steps.length) return null;
    if (c.extreme) {
      const pick = [...steps].sort((a, b) => (c.extreme === 'max' ? b.f.value - a.f.value : a.f.value - b.f.value))[0];
      const line = stepLine(s, pick.j);
      return line
        ? answered(joinSaid([say`The ${c.extreme === 'max' ? 'strongest' : 'weakest'} step is ${s.stageName(pick.j - 1)} → ${s.stageName(pick.j)}.`, line]))
        : null;
    }
    return answered(joinSaid(steps.map((x) => say`${s.stageName(x.j - 1)} → ${s.stageName(x.j)}: ${x.f}.`)));
  }
  const [a, b] = pair;
  if (b === a + 1) {
    const line = stepLine(s, b);
    return line ? answered(line) : null;
  }
  if (a === 0 && b === last) return overallConversion(s, { ...c, stages: [] });
  if (a === 0) {
    const conv = s.get(`stage.${s.v.stages[b].key}.conversion_rate`);
    const users = s.get(`stage.${s.v.stages[b].key}.users`);
    const total = s.get('funnel.total_users');
    return conv && users && total
      ? answered(say`${main(conv)} of the ${total} users who entered at ${s.stageName(0)} reached ${s.stageName(b)} (${users} users).`)
      : null;
  }
  if (b === last) {
    const down = s.get(`stage.${s.v.stages[a].key}.downstream_conversion_rate`);
    const from = s.get(`stage.${s.v.stages[a].key}.users`);
    return down && from
      ? answered(say`${main(down)} of the ${from} users who reached ${s.stageName(a)} went on to complete the funnel at ${s.stageName(b)}.`)
      : null;
  }
  const lines = [];
  for (let j = a + 1; j <= b; j++) {
    const l = stepLine(s, j);
    if (l) lines.push(l);
  }
  return lines.length ? closest(joinSaid(lines), `The facts hold each step's conversion; ${s.stageName(a)} → ${s.stageName(b)} spans several steps.`) : null;
}

function dropLine(s: Sheet, j: number, withShare: boolean, lead = 'Between'): Said | null {
  const key = s.v.stages[j].key;
  const drop = s.get(`stage.${key}.drop_off_rate`);
  const lost = s.get(`stage.${key}.users_lost`);
  const prev = s.get(`stage.${s.v.stages[j - 1].key}.users`);
  const share = s.get(`stage.${key}.share_of_losses`);
  if (!drop || !lost || !prev) return null;
  const tail = withShare && share && s.v.stages.length > 2 ? say`, ${share} of everyone the funnel loses` : '';
  return lead === 'Between'
    ? say`Between ${s.stageName(j - 1)} and ${s.stageName(j)}, ${main(lost)} of ${prev} users drop off (${main(drop)})${tail}.`
    : say`${lead} between ${s.stageName(j - 1)} and ${s.stageName(j)}: ${main(lost)} of ${prev} users drop off (${main(drop)})${tail}.`;
}

export function dropOff(s: Sheet, c: Classified, q: string): Result {
  if (s.v.stages.length < 2) return null;
  const last = s.v.stages.length - 1;
  const idx = c.stages
    .map((k) => s.stageIndex(k))
    .filter((i) => i >= 0)
    .sort((a, b) => a - b);
  if (idx.length >= 2) {
    const lines = [];
    for (let j = idx[0] + 1; j <= idx[idx.length - 1]; j++) {
      const l = dropLine(s, j, true);
      if (l) lines.push(l);
    }
    return lines.length ? answered(joinSaid(lines)) : null;
  }
  if (idx.length === 1) {
    const i = idx[0];
    // "Cart abandonment" is users who reach cart and go no further.
    const leaving = c.leaving || /abandon/.test(q);
    const j = (leaving && i < last) || i === 0 ? i + 1 : i;
    const line = dropLine(s, j, true);
    return line ? answered(line) : null;
  }
  const steps = s.v.stages
    .slice(1)
    .map((x, k) => ({ j: k + 1, lost: s.get(`stage.${x.key}.users_lost`), drop: s.get(`stage.${x.key}.drop_off_rate`) }))
    .filter((x): x is { j: number; lost: Fact; drop: Fact } => Boolean(x.lost && x.drop));
  if (!steps.length) return null;
  const byRate = /\brates?\b|%|percent|steepest|share/.test(q);
  const order = (f: (x: (typeof steps)[number]) => number) => [...steps].sort((a, b) => (c.extreme === 'min' ? f(a) - f(b) : f(b) - f(a)))[0];
  const most = order((x) => x.lost.value);
  const steep = order((x) => x.drop.value);
  const main = byRate ? steep : most;
  const lead = c.extreme === 'min' ? 'The fewest users are lost' : byRate ? 'The steepest drop-off is' : 'The biggest leak is';
  const parts = [dropLine(s, main.j, true, lead) as Said];
  const other = byRate ? most : steep;
  if (other.j !== main.j && c.extreme !== 'min') {
    parts.push(
      byRate
        ? say`The most users in number are lost between ${s.stageName(other.j - 1)} and ${s.stageName(other.j)} (${other.lost}).`
        : say`The steepest rate is between ${s.stageName(other.j - 1)} and ${s.stageName(other.j)} (${other.drop} drop off).`,
    );
  }
  return answered(joinSaid(parts));
}

export function timeToConvert(s: Sheet, c: Classified, q: string): Result {
  const timed = s.v.stages.map((x, j) => ({ j, median: s.get(`time.${x.key}.median`) })).filter((x) => x.median);
  if (!timed.length) {
    return absent(
      ['time between steps'],
      `This data has no time between steps: ${s.v.stages.length ? 'it is an aggregated export (counts, not per-user events)' : 'it holds results per unit, not per-user event times'}, so no computed figure says how long conversion takes.`,
    );
  }
  const line = (j: number): Said | null => {
    const k = s.v.stages[j].key;
    const med = s.get(`time.${k}.median`);
    const p25 = s.get(`time.${k}.p25`);
    const p75 = s.get(`time.${k}.p75`);
    const n = s.get(`time.${k}.users`);
    if (!med) return null;
    const unit = /in (\w+)$/.exec(med.label)?.[1] ?? 'hours';
    const head = say`Median time from ${s.stageName(j - 1)} to ${s.stageName(j)}: ${main(med)} ${unit}`;
    return p25 && p75 && n ? say`${head}; half of the ${n} users who made it took between ${p25} and ${p75} ${unit}.` : say`${head}.`;
  };
  const pair = stepPair(s, c, q);
  const js = pair ? Array.from({ length: pair[1] - pair[0] }, (_, k) => pair[0] + 1 + k) : timed.map((x) => x.j);
  const lines = js.map(line).filter((x): x is Said => x !== null);
  if (!lines.length) return null;
  const spans = pair && pair[1] - pair[0] > 1;
  return spans
    ? closest(joinSaid(lines), 'Times are measured step by step; the time across several steps is not one of the facts.')
    : answered(joinSaid(lines));
}
