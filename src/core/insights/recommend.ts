import { createHash } from 'node:crypto';
import type { Fact, Finding, Level, InsightRecommendation as Recommendation } from '../../shared/contract';
import type { Ctx, SegmentInfo } from './context';
import { cite, type Cited } from './factbook';
import { sum, usable } from './series';

/**
 * Recommendations from findings. Priority comes from estimated impact: users recoverable at a step
 * (closing half to all of the gap to a benchmark rate, on the users who reach the step) times the
 * conversion from that step to the end. The benchmark is stated: the best segment, the best week,
 * the previous period, or, when nothing better was observed, a tenth above today's rate.
 */

export interface Impact {
  stageIndex: number;
  segment: SegmentInfo | null;
  current: Fact;
  benchmark: Fact;
  basis: string;
  completionsLow: Fact;
  completionsHigh: Fact;
  ppLow: Fact;
  ppHigh: Fact;
  recoverLow: Fact;
  recoverHigh: Fact;
  downstream: Fact;
  eligible: Fact;
  /** Share of the period's completions the high end would add. */
  share: number;
  /** True when no better rate was observed and the benchmark is an assumption. */
  assumed: boolean;
}

export interface Draft {
  rec: Omit<Recommendation, 'id' | 'fingerprint' | 'status'>;
  key: string;
  impact: Impact | null;
  weight: number;
}

export function fingerprint(scope: string, key: string): string {
  return createHash('sha256').update(`${scope}|${key}`).digest('hex').slice(0, 24);
}

function bestWeekRate(ctx: Ctx, i: number): number | null {
  const s = ctx.series.find((x) => x.id === `step:${i}`);
  if (!s) return null;
  const pts = s.points.filter((p) => usable(p, 'rate'));
  if (pts.length < 14) return null;
  let best = -1;
  for (let k = 0; k + 7 <= pts.length; k += 7) {
    const w = pts.slice(k, k + 7);
    const n = sum(w.map((p) => p.trials));
    if (n >= 100) best = Math.max(best, (100 * sum(w.map((p) => p.successes))) / n);
  }
  return best > 0 ? best : null;
}

export function estimateImpact(ctx: Ctx, i: number, seg: SegmentInfo | null, bestSeg: SegmentInfo | null): Impact | null {
  const { book, keys, stages } = ctx;
  const u = seg ? seg.users : ctx.users;
  if (!(u[i - 1] > 0) || !(u[i] > 0)) return null;
  const cur = (100 * u[i]) / u[i - 1];
  let bench: number | null = null;
  let basis = '';
  const base = seg ? `impact.segment.${seg.key}.stage.${keys[i]}${bestSeg ? `.vs.${bestSeg.key}` : ''}` : `impact.stage.${keys[i]}`;
  if (bestSeg && bestSeg.users[i - 1] > 0) {
    bench = (100 * bestSeg.users[i]) / bestSeg.users[i - 1];
    basis = `the rate ${bestSeg.name} already achieves`;
  }
  if (bench === null || bench <= cur) {
    const bestW = seg ? null : bestWeekRate(ctx, i);
    const prev =
      ctx.r.previous_period?.stages[i]?.users !== undefined && (ctx.r.previous_period?.stages[i - 1]?.users ?? 0) > 0
        ? (100 * ctx.r.previous_period!.stages[i].users) / ctx.r.previous_period!.stages[i - 1].users
        : null;
    if (bestW !== null && bestW > cur * 1.05) [bench, basis] = [bestW, 'the best week in this period'];
    else if (prev !== null && prev > cur * 1.02) [bench, basis] = [prev, 'the previous period'];
    else [bench, basis] = [Math.min(100, cur * 1.1), 'a tenth above the current rate, since no better rate was observed'];
  }
  const who = seg ? ` (${seg.name})` : '';
  const current = book.need(seg ? `segment.${seg.key}.stage.${keys[i]}.step_conversion_rate` : `stage.${keys[i]}.step_conversion_rate`);
  const benchmark = book.add(`${base}.benchmark_rate`, `Benchmark ${stages[i - 1]} → ${stages[i]} conversion${who}: ${basis}`, bench, 'percent');
  const gapUsers = ((bench - cur) / 100) * u[i - 1];
  const downV = (100 * u[u.length - 1]) / u[i];
  const downstream = book.add(`${base}.downstream_conversion_rate`, `Share of users at ${stages[i]}${who} who complete the funnel`, downV, 'percent');
  const eligible = book.need(
    seg ? (i - 1 === 0 ? `segment.${seg.key}.total_users` : `segment.${seg.key}.stage.${keys[i - 1]}.users`) : `stage.${keys[i - 1]}.users`,
  );
  const recoverLow = book.add(`${base}.users_recoverable_low`, `Users recoverable at ${stages[i]}${who}, closing half the gap`, gapUsers / 2, 'users');
  const recoverHigh = book.add(`${base}.users_recoverable_high`, `Users recoverable at ${stages[i]}${who}, closing the whole gap`, gapUsers, 'users');
  const cl = (gapUsers / 2) * (downV / 100);
  const ch = gapUsers * (downV / 100);
  const completionsLow = book.add(`${base}.completions_low`, `Extra completions${who}, low estimate`, cl, 'users');
  const completionsHigh = book.add(`${base}.completions_high`, `Extra completions${who}, high estimate`, ch, 'users');
  const ppLow = book.add(`${base}.overall_pp_low`, 'Overall conversion gain, low estimate', (100 * cl) / Math.max(1, ctx.users[0]), 'pp', { signed: true });
  const ppHigh = book.add(`${base}.overall_pp_high`, 'Overall conversion gain, high estimate', (100 * ch) / Math.max(1, ctx.users[0]), 'pp', { signed: true });
  const assumed = basis.startsWith('a tenth');
  return {
    stageIndex: i,
    segment: seg,
    current,
    benchmark,
    basis,
    completionsLow,
    completionsHigh,
    ppLow,
    ppHigh,
    recoverLow,
    recoverHigh,
    downstream,
    eligible,
    share: ch / Math.max(1, ctx.users[ctx.users.length - 1]),
    assumed,
  };
}

/** An assumed benchmark (nothing better was observed) is a guess, so it never makes a High. */
export function priorityFor(im: Impact): Level {
  const p: Level = im.share >= 0.1 ? 'High' : im.share >= 0.03 ? 'Medium' : 'Low';
  return im.assumed && p === 'High' ? 'Medium' : p;
}

export function impactTexts(ctx: Ctx, im: Impact): { expected: Cited; basis: Cited } {
  const st = ctx.stages[im.stageIndex];
  const who = im.segment ? ` for ${im.segment.name}` : '';
  const pp =
    Math.abs(im.ppHigh.value) < 0.05
      ? cite`under a tenth of a point of overall conversion`
      : Math.abs(im.ppLow.value) < 0.05
        ? cite`up to ${im.ppHigh} overall conversion`
        : cite`${im.ppLow} to ${im.ppHigh} overall conversion`;
  const expected = cite`${im.completionsLow} to ${im.completionsHigh} more completed users${who} over a period like this one (${pp}).`;
  const last = im.stageIndex === ctx.stages.length - 1;
  const tail = last ? cite`; each of them completes the funnel.` : cite`; ${im.downstream} of users at ${st}${who} go on to complete.`;
  const basis = cite`Closing half to all of the gap between ${im.current} and ${im.benchmark} (${im.basis}) at ${st}${who} recovers ${im.recoverLow} to ${im.recoverHigh} of the ${im.eligible} users who reach the step before it${tail}`;
  return { expected, basis };
}

export function fromFinding(ctx: Ctx, f: Finding, findings: readonly Finding[]): Draft | null {
  const i = f.stage ? ctx.stages.indexOf(f.stage) : -1;
  const stage = f.stage ?? '';
  const prevStage = i > 0 ? ctx.stages[i - 1] : '';
  const rationale = (c: Cited, extra: Cited) => cite`${c} ${extra}`;
  const fc: Cited = { text: f.text, fact_ids: f.fact_ids };
  if (f.kind === 'bottleneck' && i > 0) {
    const gap = findings.find((g) => g.kind === 'segment_gap' && g.stage === stage);
    // A significant segment gap at the same step already carries this recommendation, aimed better.
    if (gap) return null;
    const best = null;
    const im = estimateImpact(ctx, i, null, best);
    if (!im) return null;
    const t = impactTexts(ctx, im);
    const r = rationale(fc, cite`It is the step where an improvement is worth the most completed users.`);
    return draft(`bottleneck.${ctx.keys[i]}`, im, {
      priority: priorityFor(im),
      title: `Reduce drop-off between ${prevStage} and ${stage}`,
      rationale: r.text,
      expected_impact: t.expected.text,
      impact_basis: t.basis.text,
      action_items: [
        `Watch session recordings or run a short survey of users who reach ${prevStage} but not ${stage} to find the blocker.`,
        `A/B test a simpler path from ${prevStage} to ${stage} (fewer fields, clearer call to action, faster load).`,
        `Break the ${stage} step down by platform and traffic source to see where the loss concentrates.`,
      ],
      estimated_effort: 'Medium (design and test changes to one step)',
      risk_level: 'Low',
      fact_ids: [...new Set([...r.fact_ids, ...t.expected.fact_ids, ...t.basis.fact_ids])],
      finding_ids: [f.id],
    });
  }
  if (f.kind === 'segment_gap' && f.segment) {
    const seg = ctx.segments.find((s) => s.name === f.segment);
    if (!seg) return null;
    const best = bestSegment(ctx, i > 0 ? i : ctx.stages.length - 1);
    const idx = i > 0 ? i : worstStepFor(ctx, seg, best);
    const im = best && best !== seg ? estimateImpact(ctx, idx, seg, best) : null;
    if (!im) return null;
    const t = impactTexts(ctx, im);
    const at = ctx.stages[idx];
    const r = rationale(
      fc,
      cite`Because ${best?.name ?? 'another segment'} already converts better here, the gap is evidence of fixable friction rather than a ceiling.`,
    );
    return draft(`segment.${seg.key}.${ctx.keys[idx]}`, im, {
      priority: priorityFor(im),
      title: `Close the ${at} gap for ${seg.name}`,
      rationale: r.text,
      expected_impact: t.expected.text,
      impact_basis: t.basis.text,
      action_items: [
        `Compare what ${best?.name} and ${seg.name} users see and do between ${ctx.stages[idx - 1]} and ${at} (content, device, entry point).`,
        `Test a variant of the ${at} step shown only to ${seg.name}, rather than a global change, so ${best?.name} is not put at risk.`,
        `Track ${best?.name}'s ${at} conversion as a guardrail while testing.`,
      ],
      estimated_effort: 'Medium (segment-specific experience)',
      risk_level: 'Medium',
      fact_ids: [...new Set([...r.fact_ids, ...t.expected.fact_ids, ...t.basis.fact_ids])],
      finding_ids: [f.id],
    });
  }
  if (f.kind === 'anomaly' && f.confidence >= 0.6 && f.direction === 'down') {
    const where = stage ? `${stage}` : 'overall conversion';
    return draft(
      `anomaly.${f.id}`,
      null,
      {
        priority: f.severity === 'High' ? 'High' : 'Medium',
        title: `Investigate the drop ${stage ? `at ${stage} ` : 'in overall conversion '}on ${f.date}`,
        rationale: f.text,
        expected_impact: 'Restores the expected rate if the cause is a defect or a tracking change; prevents a one-day problem from becoming a trend.',
        impact_basis: 'Not estimated: the value depends on whether the drop is real or a data artefact.',
        action_items: [
          `Check releases, experiment launches and tracking changes that touched ${where} around that day.`,
          `Compare the day's breakdown by platform and segment with the same weekday a week earlier.`,
          `If it is a tracking gap, annotate or exclude the day in reports.`,
        ],
        estimated_effort: 'Low (investigation)',
        risk_level: 'Low',
        fact_ids: f.fact_ids,
        finding_ids: [f.id],
      },
      f.severity === 'High' ? 0.5 : 0.2,
    );
  }
  if (f.kind === 'trend' && f.direction === 'down') {
    return draft(
      `trend.${f.id}`,
      null,
      {
        priority: f.severity === 'High' ? 'High' : 'Medium',
        title: stage ? `Find what is eroding ${prevStage} → ${stage} conversion` : 'Find what is eroding overall conversion',
        rationale: f.text,
        expected_impact: 'Stops the decline; the forecast shows where the rate is heading if nothing changes.',
        impact_basis: 'Not estimated as a gain: the value is the loss avoided if the trend continues.',
        action_items: [
          'Split the trend by segment, platform and acquisition channel to see whether it is a mix shift or a real drop.',
          'Line up the decline with releases and campaign changes over the same weeks.',
          'Set an alert on the forecast threshold so the next crossing is caught early.',
        ],
        estimated_effort: 'High (root cause unknown)',
        risk_level: 'Medium',
        fact_ids: f.fact_ids,
        finding_ids: [f.id],
      },
      f.severity === 'High' ? 0.4 : 0.15,
    );
  }
  if (f.kind === 'tradeoff' || f.kind === 'health') {
    return draft(
      `tradeoff.${f.id}`,
      null,
      {
        priority: f.severity === 'High' ? 'High' : 'Medium',
        title:
          f.kind === 'health'
            ? 'Protect downstream quality while growing the top of the funnel'
            : 'Resolve the trade-off before shipping further global changes',
        rationale: f.text,
        expected_impact: 'Avoids trading long-term conversion for short-term step gains.',
        impact_basis: 'Not estimated: the size depends on which side of the trade-off the product wants.',
        action_items: [
          'Make the downstream rate the primary metric for changes at the earlier step.',
          'Prefer segment-specific changes over global ones where segments move in opposite directions.',
          'Add both sides of the trade-off as guardrail metrics in the next experiment.',
        ],
        estimated_effort: 'Medium',
        risk_level: 'Medium',
        fact_ids: f.fact_ids,
        finding_ids: [f.id],
      },
      0.3,
    );
  }
  return null;
}

function draft(k: string, impact: Impact | null, rec: Draft['rec'], weight?: number): Draft {
  return { key: k, impact, rec, weight: weight ?? impact?.share ?? 0 };
}

const rateAt = (s: SegmentInfo, i: number) => (s.users[i - 1] > 0 ? s.users[i] / s.users[i - 1] : -1);

export function bestSegmentAt(ctx: Ctx, i: number): SegmentInfo | null {
  return [...ctx.segments].sort((a, b) => rateAt(b, i) - rateAt(a, i))[0] ?? null;
}

function bestSegment(ctx: Ctx, i: number): SegmentInfo | null {
  return bestSegmentAt(ctx, i);
}

/** For an overall-conversion gap, act on the step where the segment trails the best one most. */
function worstStepFor(ctx: Ctx, seg: SegmentInfo, best: SegmentInfo | null): number {
  let idx = 1;
  let worst = Infinity;
  for (let i = 1; i < ctx.stages.length; i++) {
    const r = best ? rateAt(seg, i) - rateAt(best, i) : rateAt(seg, i);
    if (r < worst) [worst, idx] = [r, i];
  }
  return idx;
}
