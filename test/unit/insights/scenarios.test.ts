import { describe, expect, it } from 'vitest';
import { analyzeFunnel, buildHypotheses } from '../../../src/core/insights';
import type { InsightsReport } from '../../../src/shared/contract';
import { llmGroundingFindings, textFields, ungroundedStrict } from './grounding';
import { synth, type SynthSpec } from './synth';

const NOW = new Date('2026-04-01T00:00:00Z');

function run(spec: SynthSpec, extra: Parameters<typeof analyzeFunnel>[1] = {}): InsightsReport {
  const s = synth(spec);
  // Synthetic daily series are complete per day (no cohort still converting).
  return analyzeFunnel(s.result, { segmentDaily: s.segmentDaily, now: NOW, censorDays: 0, ...extra });
}

function day(i: number, start = '2026-01-05'): string {
  return new Date(Date.parse(`${start}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10);
}

function expectGrounded(r: InsightsReport): void {
  expect(ungroundedStrict(r)).toEqual([]);
  expect(llmGroundingFindings(r)).toEqual([]);
}

const SEGMENTS = [
  { name: 'Planner', share: 0.5 },
  { name: 'Actor', share: 0.5 },
];

describe('deterministic analyst on planted scenarios', () => {
  it('clean funnels raise no anomaly and still give 3-5 grounded insights', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = run({ seed, segments: SEGMENTS });
      expect(r.anomalies, `seed ${seed}`).toEqual([]);
      expect(r.insights.length).toBeGreaterThanOrEqual(3);
      expect(r.insights.length).toBeLessThanOrEqual(5);
      expectGrounded(r);
    }
  });

  it('finds a 30% drop at one stage on a known day, states it correctly and ranks it first', () => {
    const r = run({ seed: 7, segments: SEGMENTS, effect: (d, _s, k) => (d === 40 && k === 1 ? 0.7 : 1) });
    const a = r.anomalies.find((x) => x.segment === null && x.metric === 'step_conversion_rate');
    expect(a).toBeDefined();
    expect(a?.date).toBe(day(40));
    expect(a?.stage).toBe('Save');
    expect(a?.direction).toBe('drop');
    expect((a!.observed - a!.expected) / a!.expected).toBeLessThan(-0.2);
    expect(r.anomalies.filter((x) => x.date !== day(40))).toEqual([]);
    expect(r.insight_details[0].kind).toBe('anomaly');
    // Recommendations branch on the finding's data (direction, day), never on its display text.
    expect(r.insight_details[0]).toMatchObject({ direction: 'down', date: day(40) });
    expect(r.insights[0]).toContain(day(40));
    expect(r.insights[0]).toMatch(
      /Pin View → Save conversion dropped to \d+\.\d% against \d+\.\d% expected from the usual (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)/,
    );
    expect(r.insights[0]).toContain('Every segment shows it');
    const rec = r.recommendations.find((x) => x.title.startsWith('Investigate'));
    expect(rec?.priority).toBe('High');
    expect(rec?.title).toContain(`on ${day(40)}`);
    expectGrounded(r);
  });

  it('reports a segment trade-off: one audience clicks more while the other saves less', () => {
    const r = run({
      seed: 11,
      segments: SEGMENTS,
      effect: (d, s, k) => (d >= 28 && s === 'Planner' && k === 1 ? 0.8 : d >= 28 && s === 'Actor' && k === 2 ? 1.25 : 1),
    });
    const t = r.findings.find((f) => f.kind === 'tradeoff');
    expect(t).toBeDefined();
    expect(t?.text).toMatch(/Save → Click conversion rose [\d.]+ pp for Actor .* but Pin View → Save conversion fell [\d.]+ pp for Planner/);
    expect(r.guardrails.some((g) => g.type === 'tradeoff' && g.message === t?.text)).toBe(true);
    expect(r.insight_details.some((f) => f.kind === 'tradeoff')).toBe(true);
    expectGrounded(r);
  });

  it('detects a steady decline with a CI, forecasts it and dates the threshold crossing', () => {
    const r = run({ seed: 5, effect: (d, _s, k) => (k === 1 ? 1 - 0.005 * d : 1) }, { forecastThreshold: 8 });
    const t = r.findings.find((f) => f.kind === 'trend' && f.stage === null && f.id.startsWith('trend.slope'));
    expect(t?.text).toMatch(/Overall conversion is (falling steadily|drifting down) by about [\d.]+ pp per week \(CI -[\d.]+ pp to -[\d.]+ pp, p/);
    const slope = r.facts.find((f) => f.id === 'trend.daily.overall_conversion_rate.slope_pp_per_week');
    expect(slope!.value).toBeLessThan(0);
    expect(r.facts.find((f) => f.id === 'trend.daily.overall_conversion_rate.slope_ci_high')!.value).toBeLessThan(0);
    expect(r.forecast.overall?.crossing_date).toMatch(/^2026-/);
    expect(r.forecast.overall!.points.length).toBe(14);
    const p = r.forecast.overall!.points[13];
    expect(p.lower).toBeLessThan(p.value);
    expect(p.upper).toBeGreaterThan(p.value);
    expect(r.findings.some((f) => f.kind === 'forecast')).toBe(true);
    expect(r.anomalies).toEqual([]);
    expect(r.facts.find((f) => f.id === 'trend.wow.overall_conversion_rate.change_pp')!.value).toBeLessThan(0);
    expect(r.recommendations.slice(0, 2).some((x) => /eroding/.test(x.title) && x.priority === 'High')).toBe(true);
    expectGrounded(r);
  });

  it('names a clear bottleneck with users lost and puts its fix first', () => {
    const r = run({ seed: 3, stepRates: [0.9, 0.15, 0.8] });
    const b = r.findings.find((f) => f.kind === 'bottleneck');
    expect(b?.id).toBe('bottleneck.click');
    expect(b?.title).toBe('Click is the main bottleneck');
    expect(b?.text).toMatch(/Between Save and Click, only [\d.]+% make it through \([\d.]+% drop off\): [\d,]+ of [\d,]+ users/);
    expect(r.insight_details[0].id).toBe('bottleneck.click');
    expect(r.recommendations[0].title).toBe('Reduce drop-off between Save and Click');
    expect(r.recommendations[0].expected_impact).toMatch(/^[\d,]+ to [\d,]+ more completed users/);
    expect(r.experiment_suggestions[0].sample_size_per_variant).toBeGreaterThan(0);
    expectGrounded(r);
  });

  it('never reports a non-significant segment gap as a difference', () => {
    const r = run({
      seed: 9,
      entryPerDay: 40,
      segments: [
        { name: 'Planner', share: 0.5, mult: [1.05, 1, 1] },
        { name: 'Actor', share: 0.5 },
      ],
    });
    expect(r.findings.filter((f) => f.kind === 'segment_gap')).toEqual([]);
    expect(r.comparisons.filter((c) => c.kind === 'segment').every((c) => !c.significant)).toBe(true);
    const similar = r.findings.find((f) => f.kind === 'segment_similar');
    expect(similar?.text).toMatch(/does not differ reliably between (Planner|Actor) and (Planner|Actor)/);
    const texts = textFields(r)
      .map((t) => t.text)
      .join('\n');
    expect(texts).not.toMatch(/(Planner|Actor)[^.]*(x the rate|higher than|lags|below)/);
    expectGrounded(r);
  });

  it('states a significant gap as a ratio that is itself a fact, Holm-corrected', () => {
    const r = run({
      seed: 4,
      segments: [
        { name: 'Planner', share: 0.5, mult: [1.5, 1, 1] },
        { name: 'Actor', share: 0.5, mult: [0.5, 1, 1] },
      ],
    });
    const g = r.findings.find((f) => f.kind === 'segment_gap' && f.stage === 'Save');
    expect(g?.text).toMatch(/At Save, Planner converts at 3\.\dx the rate of Actor/);
    expect(g?.text).toContain('after Holm correction');
    const ratio = r.facts.find((f) => f.id === 'compare.segment.Planner.vs.Actor.stage.save.step_conversion_rate.ratio');
    expect(ratio?.display).toMatch(/^3\.\dx$/);
    expect(g?.text).toContain(ratio!.display);
    const rec = r.recommendations.find((x) => x.title === 'Close the Save gap for Actor');
    expect(rec?.priority).toBe('High');
    expect(rec?.impact_basis).toContain('the rate Planner already achieves');
    expectGrounded(r);
  });

  it('keeps recommendation ids stable across regenerations and builds testable hypotheses', () => {
    const spec: SynthSpec = {
      seed: 4,
      segments: [
        { name: 'Planner', share: 0.5, mult: [1.5, 1, 1] },
        { name: 'Actor', share: 0.5, mult: [0.5, 1, 1] },
      ],
      effect: (d, _s, k) => (d === 30 && k === 3 ? 0.6 : 1),
    };
    const a = run(spec, { scope: 'funnel:x' });
    const b = run({ ...spec }, { scope: 'funnel:x', now: new Date('2026-05-01T00:00:00Z') });
    expect(b.recommendations.map((x) => x.id)).toEqual(a.recommendations.map((x) => x.id));
    const hyps = buildHypotheses(a);
    expect(hyps.length).toBeGreaterThanOrEqual(2);
    for (const h of hyps) {
      expect(h.testable).toBe(true);
      expect(h.evidence.length).toBeGreaterThan(0);
      expect(h.fact_ids.every((id) => a.facts.some((f) => f.id === id))).toBe(true);
    }
  });

  it('treats an export cut-off as missing data, not as a collapse', () => {
    const s = synth({ seed: 2 });
    const daily = s.result.daily.map((d, i) => (i >= 46 ? { ...d, users: [d.users[0], d.users[1], 0, 0] } : d));
    const r = analyzeFunnel({ ...s.result, daily }, { now: NOW, censorDays: 0 });
    expect(r.anomalies).toEqual([]);
    expect(r.findings.find((f) => f.id === 'data.truncated.click')?.text).toContain(day(46));
    expect(r.findings.some((f) => f.kind === 'trend' && /decline/.test(f.title))).toBe(false);
    expectGrounded(r);
  });

  it('calls a breakdown by experiment arm a variant comparison', () => {
    const r = run({
      seed: 6,
      segmentBy: 'variant',
      segments: [
        { name: 'control', share: 0.5 },
        { name: 'treatment', share: 0.5, mult: [1, 1.2, 1] },
      ],
    });
    const c = r.comparisons.find((x) => x.metric === 'stage.click.step_conversion_rate');
    expect(c?.kind).toBe('variant');
    expect(c?.significant).toBe(true);
    expect(c?.text).toMatch(/At Click, variant treatment converts [\d.]+% better than variant control/);
    expectGrounded(r);
  });

  it('degrades gracefully without daily data or users', () => {
    const s = synth({ seed: 1, days: 3 });
    const empty = { ...s.result, daily: [], stages: s.result.stages.map((x) => ({ ...x, users: 0 })), total_users: 0, completed_users: 0 };
    const r = analyzeFunnel(empty, { now: NOW });
    expect(r.anomalies).toEqual([]);
    expect(r.forecast.overall).toBeNull();
    expect(r.recommendations).toEqual([]);
    expect(r.summary.executive).toContain('0.0%');
    const short = analyzeFunnel(s.result, { now: NOW });
    expect(short.insights.length).toBeGreaterThan(0);
    expectGrounded(short);
  });
});
