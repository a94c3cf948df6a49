import type { Finding, FunnelResult, Guardrail } from '../../shared/contract';
import { holm, twoProportionZTest } from '../stats';
import type { Ctx } from './context';
import { cite, mag, type Cited } from './factbook';
import { dateToEpoch } from './format';
import { buildSeries, dailyQuality, sum, usable, type DailySeries } from './series';

/**
 * Trade-offs and long-term health: metrics that move in opposite directions between two periods,
 * across steps (more users pushed into a step, fewer of them going on) or across segments (a change
 * that helps one audience and hurts another). Periods are the previous period when the funnel has
 * one, else the two halves of the daily series. Every move must survive a Holm correction.
 */

interface Move {
  scope: string;
  who: string | null;
  stageIndex: number | null;
  label: string;
  change: number;
  p: number;
  pAdj: number;
  factKey: string;
}

type Split = { early: (s: DailySeries) => [number, number]; late: (s: DailySeries) => [number, number]; basis: 'halves' | 'pop'; splitDay: string };

function halves(days: string[], skip: ReadonlySet<string>): Split | null {
  if (days.length < 14) return null;
  const mid = days[Math.floor(days.length / 2)];
  const agg = (s: DailySeries, pred: (d: string) => boolean): [number, number] => {
    const pts = s.points.filter((p) => usable(p, s.kind) && !skip.has(p.date) && pred(p.date));
    return [sum(pts.map((p) => p.successes)), sum(pts.map((p) => p.trials))];
  };
  return { basis: 'halves', splitDay: mid, early: (s) => agg(s, (d) => d < mid), late: (s) => agg(s, (d) => d >= mid) };
}

/** Moves smaller than this share of the earlier rate are noise for a product decision, however significant. */
const MIN_RELATIVE_MOVE = 0.05;

function test(a: [number, number], b: [number, number]): { change: number; p: number } | null {
  if (a[1] < 30 || b[1] < 30) return null;
  try {
    const t = twoProportionZTest({ successes: a[0], n: a[1] }, { successes: b[0], n: b[1] });
    if (!(t.control_rate > 0) || Math.abs(t.difference) / t.control_rate < MIN_RELATIVE_MOVE) return { change: 100 * t.difference, p: 1 };
    return { change: 100 * t.difference, p: t.p_value };
  } catch {
    return null;
  }
}

function stepMovesFromPrevious(ctx: Ctx, prev: NonNullable<FunnelResult['previous_period']>): Omit<Move, 'pAdj'>[] {
  const out: Omit<Move, 'pAdj'>[] = [];
  const pu = prev.stages.map((s) => s.users);
  for (let i = 1; i < ctx.stages.length; i++) {
    const t = test([pu[i], pu[i - 1]], [ctx.users[i], ctx.users[i - 1]]);
    if (t)
      out.push({
        scope: 'overall',
        who: null,
        stageIndex: i,
        label: `${ctx.stages[i - 1]} → ${ctx.stages[i]} conversion`,
        ...t,
        factKey: `change.pop.stage.${ctx.keys[i]}.step_conversion_rate`,
      });
  }
  return out;
}

function seriesMoves(ctx: Ctx, series: DailySeries[], split: Split, who: { name: string; key: string } | null): Omit<Move, 'pAdj'>[] {
  const out: Omit<Move, 'pAdj'>[] = [];
  for (const s of series.filter((x) => x.kind === 'rate')) {
    const t = test(split.early(s), split.late(s));
    if (!t) continue;
    const i = s.stageIndex;
    const metric = i === null ? 'overall_conversion_rate' : `stage.${ctx.keys[i]}.step_conversion_rate`;
    const label = i === null ? 'overall conversion' : `${ctx.stages[i - 1]} → ${ctx.stages[i]} conversion`;
    out.push({
      scope: who ? `segment.${who.key}` : 'overall',
      who: who?.name ?? null,
      stageIndex: i,
      label,
      ...t,
      factKey: `change.${split.basis}.${who ? `segment.${who.key}.` : ''}${metric}`,
    });
  }
  return out;
}

export function tradeoffs(ctx: Ctx, skip: ReadonlySet<string>): { findings: Finding[]; guardrails: Guardrail[] } {
  const { book } = ctx;
  // Split the days every stage has data for, so a cut-off at the end does not shrink one half.
  const complete = ctx.quality.days.filter((d) => !ctx.completeBefore || d < ctx.completeBefore).filter((d) => !skip.has(d));
  const split = halves(complete, skip);
  const prev =
    ctx.r.previous_period && ctx.r.previous_period.total_users > 0 && ctx.r.previous_period.stages.length === ctx.stages.length ? ctx.r.previous_period : null;
  const stepRaw = prev ? stepMovesFromPrevious(ctx, prev) : split ? seriesMoves(ctx, ctx.series, split, null).filter((m) => m.stageIndex !== null) : [];
  const segRaw: Omit<Move, 'pAdj'>[] = [];
  if (split) {
    for (const seg of ctx.segments) {
      const daily = ctx.opts.segmentDaily?.[seg.name];
      if (daily?.length) segRaw.push(...seriesMoves(ctx, buildSeries(daily, ctx.stages.length, dailyQuality(daily, ctx.stages.length)), split, seg));
    }
  }
  const all = [...stepRaw, ...segRaw];
  const adj = holm(all.map((m) => m.p));
  const moves: Move[] = all.map((m, i) => ({ ...m, pAdj: adj[i] }));
  const sig = moves.filter((m) => m.pAdj < 0.05);
  const periodText = prev
    ? cite`compared with the previous period`
    : split
      ? cite`since ${book.add('period.halves.split_date', 'First day of the later half of the period', dateToEpoch(split.splitDay), 'date')}`
      : cite``;
  const fact = (m: Move) => ({
    ch: book.add(
      `${m.factKey}.change_pp`,
      `${m.label}${m.who ? ` (${m.who})` : ''}: change ${prev ? 'from the previous period' : 'between the first and second part of the period'}`,
      m.change,
      'pp',
      { signed: true },
    ),
    p: book.add(`${m.factKey}.p_adjusted`, `${m.label}${m.who ? ` (${m.who})` : ''}: Holm-adjusted p-value of the change`, m.pAdj, 'p'),
  });
  const findings: Finding[] = [];
  const guardrails: Guardrail[] = [];
  const steps = sig.filter((m) => m.scope === 'overall' && m.stageIndex !== null);
  const up = steps.filter((m) => m.change > 0).sort((a, b) => b.change - a.change)[0];
  const down = steps.filter((m) => m.change < 0).sort((a, b) => a.change - b.change)[0];
  if (up && down) {
    const [fu, fd] = [fact(up), fact(down)];
    const upstreamUp = (up.stageIndex ?? 0) < (down.stageIndex ?? 0);
    const text = cite`${cap(up.label)} rose ${mag(fu.ch)} (${fu.p}) while ${down.label} fell ${mag(fd.ch)} (${fd.p}), ${periodText}.`;
    const why: Cited = upstreamUp
      ? cite`More users are being pushed forward early, but fewer of them follow through: a sign of lower-intent traffic or a change that trades quality for clicks.`
      : cite`Fewer users get through the early step, but those who do convert better downstream: the funnel is getting more selective.`;
    findings.push(
      mkFinding(
        `tradeoff.steps.${up.factKey}.${down.factKey}`,
        upstreamUp ? 'health' : 'tradeoff',
        cite`${text} ${why}`,
        upstreamUp ? 'High' : 'Medium',
        null,
        null,
        upstreamUp ? `Long-term health: ${up.label} up, ${down.label} down` : `Trade-off between ${up.label} and ${down.label}`,
        66,
      ),
    );
    guardrails.push({
      type: upstreamUp ? 'warning' : 'tradeoff',
      severity: upstreamUp ? 'High' : 'Medium',
      message: text.text,
      metric: `${up.label} vs ${down.label}`,
      recommendation: why.text + ' Judge changes at this stage on the downstream rate, not the step alone.',
      fact_ids: text.fact_ids,
    });
  }
  const segMoves = sig.filter((m) => m.scope !== 'overall');
  const pair = opposite(segMoves);
  if (pair) {
    const [u, d] = pair;
    const [fu, fd] = [fact(u), fact(d)];
    const what = (m: Move) => (m.stageIndex === u.stageIndex && u.stageIndex === d.stageIndex ? m.label : `${m.label}`);
    const lead = periodText.text ? cap(periodText.text) : 'Over the period';
    const body = cite`${what(u)} rose ${mag(fu.ch)} for ${u.who ?? ''} (${fu.p}) but ${what(d)} fell ${mag(fd.ch)} for ${d.who ?? ''} (${fd.p}).`;
    const merged = { text: `${lead}, ${body.text}`, fact_ids: [...new Set([...periodText.fact_ids, ...body.fact_ids])] };
    const advice = `A global change may be helping ${u.who} at ${d.who}'s expense; prefer segment-specific changes and track both segments as guardrails.`;
    const stage = d.stageIndex === null ? null : ctx.stages[d.stageIndex];
    findings.push(
      mkFinding(
        `tradeoff.segments.${u.factKey}.${d.factKey}`,
        'tradeoff',
        merged,
        'High',
        stage,
        d.who,
        `${u.who} and ${d.who} are moving in opposite directions`,
        70,
      ),
    );
    guardrails.push({
      type: 'tradeoff',
      severity: 'High',
      message: merged.text,
      metric: `${u.label} for ${u.who} vs ${d.label} for ${d.who}`,
      recommendation: advice,
      fact_ids: merged.fact_ids,
    });
  }
  return { findings, guardrails };
}

/**
 * The clearest opposite pair across segments (one audience clicks more while another saves less):
 * the pair whose weaker move is strongest, so a marginal change never displaces a clear one.
 */
function opposite(moves: Move[]): [Move, Move] | null {
  const strength = (m: Move) => Math.min(12, -Math.log10(Math.max(m.pAdj, 1e-300))) * 10 + Math.abs(m.change) / 100;
  let best: [Move, Move] | null = null;
  let bestScore = -Infinity;
  for (const u of moves.filter((m) => m.change > 0)) {
    for (const d of moves.filter((m) => m.change < 0 && m.who !== u.who)) {
      const sc = Math.min(strength(u), strength(d));
      if (sc > bestScore) [best, bestScore] = [[u, d], sc];
    }
  }
  return best;
}

function mkFinding(
  id: string,
  kind: Finding['kind'],
  c: Cited,
  severity: Finding['severity'],
  stage: string | null,
  segment: string | null,
  title: string,
  score: number,
): Finding {
  return { id, kind, title, text: c.text, fact_ids: c.fact_ids, severity, confidence: 0.8, score, stage, segment };
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
