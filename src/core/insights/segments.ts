import type { Comparison, Finding } from '../../shared/contract';
import { holm } from '../stats';
import { twoProportionZTest } from '../stats';
import type { Ctx, SegmentInfo } from './context';
import { cite, mag } from './factbook';

/**
 * Segment gaps: every pair of segments on every step (and overall) is tested with a pooled
 * two-proportion z-test, and the whole family is Holm-corrected, because with 8 segments and 4 steps
 * a few "significant" gaps appear by chance. Only the best-vs-worst pair per metric is stated, and
 * a ratio ("3.1x") only when that pair survives the correction.
 */

interface Metric {
  id: string;
  label: string;
  /** Index of the stage whose users are the successes (denominator: previous stage or entry). */
  num: number;
  den: number;
  stage: string | null;
}

interface PairTest {
  metric: Metric;
  hi: SegmentInfo;
  lo: SegmentInfo;
  p: number;
  pAdj: number;
}

const ALPHA = 0.05;

function metrics(ctx: Ctx): Metric[] {
  const last = ctx.stages.length - 1;
  const out: Metric[] = [{ id: 'overall_conversion_rate', label: 'overall conversion', num: last, den: 0, stage: null }];
  for (let i = 1; i < ctx.stages.length; i++) {
    out.push({
      id: `stage.${ctx.keys[i]}.step_conversion_rate`,
      label: `${ctx.stages[i - 1]} → ${ctx.stages[i]} conversion`,
      num: i,
      den: i - 1,
      stage: ctx.stages[i],
    });
  }
  return out;
}

const rate = (s: SegmentInfo, m: Metric) => (s.users[m.den] > 0 ? s.users[m.num] / s.users[m.den] : NaN);

export function segmentGaps(ctx: Ctx): { findings: Finding[]; comparisons: Comparison[] } {
  const segs = ctx.segments;
  if (segs.length < 2) return { findings: [], comparisons: [] };
  const all: { metric: Metric; a: SegmentInfo; b: SegmentInfo; p: number }[] = [];
  for (const m of metrics(ctx)) {
    for (let i = 0; i < segs.length; i++) {
      for (let j = i + 1; j < segs.length; j++) {
        const [a, b] = [segs[i], segs[j]];
        if (!(a.users[m.den] > 0 && b.users[m.den] > 0)) continue;
        let p = 1;
        try {
          p = twoProportionZTest({ successes: a.users[m.num], n: a.users[m.den] }, { successes: b.users[m.num], n: b.users[m.den] }).p_value;
        } catch {
          p = 1; // both groups at 0% or 100%: nothing to tell apart
        }
        all.push({ metric: m, a, b, p });
      }
    }
  }
  const adj = holm(all.map((t) => t.p));
  const byMetric = new Map<string, PairTest>();
  all.forEach((t, i) => {
    const [hi, lo] = rate(t.a, t.metric) >= rate(t.b, t.metric) ? [t.a, t.b] : [t.b, t.a];
    const cur = byMetric.get(t.metric.id);
    const spread = rate(hi, t.metric) - rate(lo, t.metric);
    if (!cur || spread > rate(cur.hi, cur.metric) - rate(cur.lo, cur.metric)) byMetric.set(t.metric.id, { metric: t.metric, hi, lo, p: t.p, pAdj: adj[i] });
  });
  const findings: Finding[] = [];
  const comparisons: Comparison[] = [];
  for (const t of byMetric.values()) {
    const r = describe(ctx, t, all.length);
    if (r.finding) findings.push(r.finding);
    comparisons.push(r.comparison);
  }
  return { findings, comparisons };
}

function describe(ctx: Ctx, t: PairTest, family: number): { finding: Finding | null; comparison: Comparison } {
  const { book } = ctx;
  const { metric: m, hi, lo } = t;
  const rhi = 100 * rate(hi, m);
  const rlo = 100 * rate(lo, m);
  const factOf = (s: SegmentInfo) => book.need(m.id === 'overall_conversion_rate' ? `segment.${s.key}.overall_conversion_rate` : `segment.${s.key}.${m.id}`);
  const fHi = factOf(hi);
  const fLo = factOf(lo);
  const base = `compare.segment.${hi.key}.vs.${lo.key}.${m.id}`;
  const diff = book.add(`${base}.diff_pp`, `${m.label}: ${hi.name} minus ${lo.name}`, rhi - rlo, 'pp', { signed: true });
  const p = book.add(`${base}.p_adjusted`, `Holm-adjusted p-value (${family} segment tests), ${m.label}, ${hi.name} vs ${lo.name}`, t.pAdj, 'p');
  const significant = t.pAdj < ALPHA;
  const kindWord = ctx.variantBreakdown ? 'variant' : 'segment';
  const who = (s: SegmentInfo) => (ctx.variantBreakdown ? `variant ${s.name}` : s.name);
  const metricPhrase = m.stage ? `${m.label}` : 'overall conversion';
  const compKind = ctx.variantBreakdown ? 'variant' : 'segment';
  if (!significant) {
    const text = cite`${capital(metricPhrase)} does not differ reliably between ${who(hi)} and ${who(lo)}: ${fHi} vs ${fLo} is within noise (${p}, Holm-corrected).`;
    const comparison: Comparison = { kind: compKind, metric: m.id, a: hi.name, b: lo.name, significant: false, text: text.text, fact_ids: text.fact_ids };
    const finding: Finding | null =
      m.stage === null
        ? {
            id: `segment_similar.${m.id}`,
            kind: 'segment_similar',
            title: `No reliable ${kindWord} difference in overall conversion`,
            text: text.text,
            fact_ids: text.fact_ids,
            severity: 'Low',
            confidence: 0.6,
            score: 5,
            stage: null,
            segment: null,
          }
        : null;
    return { finding, comparison };
  }
  const ratioV = rlo > 0 ? rhi / rlo : NaN;
  const rel =
    rlo > 0 ? book.add(`${base}.relative_gap`, `${m.label}: ${hi.name} relative to ${lo.name}`, 100 * (rhi / rlo - 1), 'percent', { signed: true }) : null;
  let gap: ReturnType<typeof cite>;
  if (Number.isFinite(ratioV) && ratioV >= 1.5) {
    const ratio = book.add(`${base}.ratio`, `${m.label}: ${hi.name} ÷ ${lo.name}`, ratioV, 'ratio');
    gap = cite`at ${ratio} the rate of ${who(lo)}`;
  } else if (rel) gap = cite`${mag(rel)} better than ${who(lo)}`;
  else gap = cite`well above ${who(lo)}`;
  const lead = m.stage
    ? cite`At ${m.stage}, ${who(hi)} converts ${gap}: ${fHi} vs ${fLo} of users arriving from the previous step`
    : cite`${capital(who(hi))} converts overall ${gap}: ${fHi} vs ${fLo}`;
  const text = cite`${lead} (${mag(diff)} gap, ${p} after Holm correction).`;
  const relV = rlo > 0 ? rhi / rlo - 1 : 1;
  const loShare = lo.users[0] / Math.max(1, ctx.users[0]);
  const severity = relV >= 0.5 && loShare >= 0.1 ? 'High' : relV >= 0.15 ? 'Medium' : 'Low';
  const comparison: Comparison = { kind: compKind, metric: m.id, a: hi.name, b: lo.name, significant: true, text: text.text, fact_ids: text.fact_ids };
  const finding: Finding = {
    id: `segment_gap.${lo.key}.${m.id}`,
    kind: 'segment_gap',
    stage: m.stage,
    segment: lo.name,
    title: m.stage ? `${who(lo)} lags ${who(hi)} at ${m.stage}` : `${who(lo)} converts well below ${who(hi)}`,
    text: text.text,
    fact_ids: text.fact_ids,
    severity,
    confidence: t.pAdj < 0.001 ? 0.95 : t.pAdj < 0.01 ? 0.85 : 0.75,
    score: 45 + 20 * Math.min(1, relV) + 15 * Math.min(1, loShare * 2) + (m.stage === null ? 3 : 0),
  };
  return { finding, comparison };
}

export function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
