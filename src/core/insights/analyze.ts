import type { Finding, FunnelResult, Guardrail, InsightRecommendation, InsightsReport, Audience } from '../../shared/contract';
import { anomalies } from './anomalies';
import { addBaseFacts, bottleneck } from './base';
import { makeContext, type AnalysisOptions } from './context';
import { cite } from './factbook';
import { forecasts } from './forecast';
import { tradeoffs } from './guardrails';
import { dataQuality } from './quality';
import { fingerprint, fromFinding, type Draft } from './recommend';
import { segmentGaps } from './segments';
import { suggestExperiment } from './suggest';
import { summaries } from './summaries';
import { trends } from './trend';

export interface AnalyzeOptions extends AnalysisOptions {
  audience?: Audience;
  /** Stable scope for recommendation fingerprints (funnel id, or dataset + steps). */
  scope?: string;
}

const PRIORITY_RANK = { High: 0, Medium: 1, Low: 2 } as const;

/** Chooses 3-5 insights: the strongest findings, at most two anomalies, "no difference" only as filler. */
function pickInsights(sorted: Finding[]): Finding[] {
  const out: Finding[] = [];
  let anomalyCount = 0;
  for (const f of sorted) {
    if (out.length >= 5) break;
    if (f.kind === 'segment_similar' || (f.kind === 'data_quality' && f.severity === 'Low')) continue;
    if (f.kind === 'anomaly' && ++anomalyCount > 2) continue;
    if (out.some((o) => o.kind === f.kind && o.stage === f.stage && o.segment === f.segment && f.kind !== 'anomaly')) continue;
    out.push(f);
  }
  for (const f of sorted) if (out.length < 3 && !out.includes(f)) out.push(f);
  return out;
}

export function analyzeFunnel(r: FunnelResult, opts: AnalyzeOptions = {}): InsightsReport {
  const ctx = makeContext(r, opts);
  addBaseFacts(ctx);
  const dq = dataQuality(ctx);
  const an = anomalies(ctx);
  const bn = bottleneck(ctx);
  const sg = segmentGaps(ctx);
  // Anomalous days and cohorts still inside the conversion window would bias trend fits and splits.
  const skip = new Set([...an.skipDays, ...ctx.censored]);
  const tr = trends(ctx, skip);
  const fc = forecasts(ctx, skip, tr.slopes);
  const to = tradeoffs(ctx, skip);
  const findings = [...dq.findings, ...an.findings, ...bn, ...sg.findings, ...tr.findings, ...fc.findings, ...to.findings].sort((a, b) => b.score - a.score);
  const top = pickInsights(findings);

  const scope = opts.scope ?? opts.funnelId ?? `${r.dataset_id}|${r.definition.steps.map((s) => s.event).join('>')}`;
  const drafts: Draft[] = [];
  for (const f of findings) {
    const d = fromFinding(ctx, f, findings);
    if (d && !drafts.some((x) => x.key === d.key)) drafts.push(d);
  }
  drafts.sort((a, b) => PRIORITY_RANK[a.rec.priority] - PRIORITY_RANK[b.rec.priority] || b.weight - a.weight);
  const chosen = drafts.slice(0, 5);
  const recs: InsightRecommendation[] = chosen.map((d) => {
    const fp = fingerprint(scope, d.key);
    return { ...d.rec, id: `rec_${fp.slice(0, 16)}`, fingerprint: fp, status: 'New' };
  });
  const exps = chosen
    .map((d, i) => suggestExperiment(ctx, d, recs[i].id))
    .filter((e): e is NonNullable<typeof e> => e !== null)
    .slice(0, 3);

  const guardrails: Guardrail[] = [...to.guardrails];
  const firstImpact = chosen.find((d) => d.impact)?.impact;
  if (firstImpact && firstImpact.stageIndex < ctx.stages.length - 1) {
    const j = firstImpact.stageIndex + 1;
    const next = ctx.book.need(`stage.${ctx.keys[j]}.step_conversion_rate`);
    const c = cite`Changes that push more users into ${ctx.stages[j - 1]} can lower the intent of those who arrive; ${ctx.stages[j - 1]} → ${ctx.stages[j]} conversion (${next} now) should not fall while the earlier step improves.`;
    guardrails.push({
      type: 'warning',
      severity: 'Medium',
      message: c.text,
      metric: `${ctx.stages[j - 1]} → ${ctx.stages[j]} conversion`,
      recommendation: `Add ${ctx.stages[j - 1]} → ${ctx.stages[j]} conversion as a guardrail metric in any test at ${ctx.stages[j - 1]}.`,
      fact_ids: c.fact_ids,
    });
  }
  for (const f of tr.findings.filter((x) => x.direction === 'down')) {
    guardrails.push({
      type: 'trend',
      severity: f.severity,
      message: f.text,
      metric: f.title,
      recommendation: 'Find the root cause before the trend crosses the forecast threshold: check releases, mix shifts and acquisition changes.',
      fact_ids: f.fact_ids,
    });
  }
  guardrails.push(...dq.guardrails.filter((g) => g.severity !== 'Low'));
  guardrails.sort((a, b) => PRIORITY_RANK[a.severity] - PRIORITY_RANK[b.severity]);

  const sum = summaries(ctx, top, recs, guardrails, exps, an.anomalies.length);
  const citations: Record<string, string[]> = {};
  top.forEach((f, i) => (citations[`insights.${i}`] = f.fact_ids));
  recs.forEach((x, i) => {
    for (const k of ['rationale', 'expected_impact', 'impact_basis'] as const) citations[`recommendations.${i}.${k}`] = x.fact_ids;
  });
  guardrails.forEach((g, i) => (citations[`guardrails.${i}.message`] = g.fact_ids));
  exps.forEach((e, i) => {
    for (const k of ['hypothesis', 'expected_outcome', 'duration', 'sample_size'] as const) citations[`experiment_suggestions.${i}.${k}`] = e.fact_ids;
  });
  for (const k of ['data_scientist', 'executive', 'product_manager'] as const) citations[`summary.${k}`] = sum[k].fact_ids;
  citations['summary.technical'] = sum.data_scientist.fact_ids;

  return {
    funnel_id: opts.funnelId ?? null,
    dataset_id: r.dataset_id,
    audience: opts.audience ?? 'data_scientist',
    insights: top.map((f) => f.text),
    insight_details: top,
    findings,
    recommendations: recs,
    guardrails,
    experiment_suggestions: exps,
    comparisons: [...sg.comparisons, ...tr.comparisons],
    summary: {
      executive: sum.executive.text,
      technical: sum.data_scientist.text,
      data_scientist: sum.data_scientist.text,
      product_manager: sum.product_manager.text,
    },
    facts: ctx.book.all(),
    anomalies: an.anomalies,
    forecast: { overall: fc.overall, stages: fc.stages },
    citations,
    provider: 'none',
    model_used: null,
    generated_at: (opts.now ?? new Date()).toISOString(),
    cache_hit: false,
  };
}
