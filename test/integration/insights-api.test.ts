import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run';
import type { RunningServer } from '../../src/server';
import type { FunnelDefinitionInput } from '../../src/shared/contract';
import { tempEngine } from '../helpers/engine';
import { apiFetch, serverFor } from '../helpers/http';
import { checkNarrative } from '../../src/core/llm/grounding';
import { llmGroundingFindings, ungroundedStrict } from '../unit/insights/grounding';
import { sharedData } from '../helpers/shared';

const TAOBAO = sharedData('taobao_userbehavior_head.csv');
const SAMPLE_STEPS: FunnelDefinitionInput = {
  steps: [{ event: 'pin_view' }, { event: 'save' }, { event: 'click' }, { event: 'purchase' }],
  breakdown: 'user_intent',
};

let env: ReturnType<typeof tempEngine>;
let sampleId: string;

beforeAll(async () => {
  env = tempEngine();
  sampleId = (await env.engine.dispatch('datasets:import', { path: 'sample' })).id;
});
afterAll(() => env.cleanup());

describe('import → funnel → insights on the shipped sample', () => {
  it('finds the planted segment trade-off and the segment gaps, with every number a cited fact', async () => {
    const r = await env.engine.dispatch('analytics:recommendations', { datasetId: sampleId, definition: SAMPLE_STEPS });
    expect(r.provider).toBe('none');
    expect(r.cache_hit).toBe(false);
    expect(r.insights.length).toBeGreaterThanOrEqual(3);
    // Planted from 2026-01-26: Planners save less, Actors click more.
    const t = r.guardrails.find((g) => g.type === 'tradeoff');
    expect(t?.message).toMatch(/save → click conversion rose [\d.]+ pp for Actor .* pin_view → save conversion fell [\d.]+ pp for Planner/);
    expect(r.findings.some((f) => f.kind === 'segment_gap' && f.text.includes('after Holm correction'))).toBe(true);
    expect(r.facts.find((f) => f.id === 'segment.Planner.overall_conversion_rate')?.unit).toBe('percent');
    expect(ungroundedStrict(r)).toEqual([]);
    expect(llmGroundingFindings(r)).toEqual([]);
    expect(r.recommendations.length).toBeGreaterThanOrEqual(2);
    expect(r.experiment_suggestions[0]?.sample_size_per_variant).toBeGreaterThan(0);
  });

  it('persists recommendations with fingerprint-stable ids so status and history survive regeneration', async () => {
    const fn = await env.engine.dispatch('funnels:create', { datasetId: sampleId, name: 'Pins', definition: SAMPLE_STEPS });
    const first = await env.engine.dispatch('analytics:recommendations', { funnelId: fn.id, audience: 'executive' });
    expect(first.funnel_id).toBe(fn.id);
    const target = first.recommendations[0];
    const set = await env.engine.dispatch('recommendations:set-status', { id: target.id, status: 'In Progress', note: 'owner: growth' });
    expect(set.status).toBe('In Progress');
    const again = await env.engine.dispatch('analytics:recommendations', { funnelId: fn.id });
    const same = again.recommendations.find((x) => x.fingerprint === target.fingerprint);
    expect(same?.id).toBe(target.id);
    expect(same?.status).toBe('In Progress');
    await env.engine.dispatch('recommendations:set-status', { id: target.id, status: 'Completed' });
    const { recommendations } = await env.engine.dispatch('recommendations:list', { funnelId: fn.id });
    const stored = recommendations.find((x) => x.id === target.id);
    expect(stored?.history.map((h) => h.to)).toEqual(['New', 'In Progress', 'Completed']);
    expect(stored?.history[1].note).toBe('owner: growth');
    await expect(env.engine.dispatch('recommendations:set-status', { id: 'rec_nope', status: 'Reviewed' })).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('serves the seed routes over HTTP, with dates and filters mapped onto the funnel', async () => {
    const fn = await env.engine.dispatch('funnels:create', { datasetId: sampleId, name: 'Pins by intent', definition: SAMPLE_STEPS });
    const server: RunningServer = await serverFor(env.engine);
    try {
      const rec = await apiFetch(server, 'POST', `/api/v1/analytics/${fn.id}/recommendations`, {
        start_date: '2026-01-26',
        end_date: '2026-02-22',
        segment_filters: { platform: ['iOS', 'Android'] },
        segment_by: 'user_intent',
        include_historical: true,
        audience: 'product_manager',
      });
      expect(rec.status).toBe(200);
      expect(rec.json.audience).toBe('product_manager');
      expect(rec.json.facts.some((f: { id: string }) => f.id === 'period.previous.overall_conversion_rate')).toBe(true);
      expect(rec.json.facts[0].provenance.filters).toEqual({ platform: ['iOS', 'Android'] });
      const hyp = await apiFetch(server, 'POST', `/api/v1/analytics/${fn.id}/hypotheses`, { segment_by: 'user_intent' });
      expect(hyp.status).toBe(200);
      expect(hyp.json.hypotheses.length).toBeGreaterThanOrEqual(2);
      for (const h of hyp.json.hypotheses) {
        expect(h.testable).toBe(true);
        expect(h.fact_ids.every((id: string) => hyp.json.facts.some((f: { id: string }) => f.id === id))).toBe(true);
      }
      expect(checkNarrative({ hypotheses: hyp.json.hypotheses }, hyp.json.facts).findings).toEqual([]);
      const bad = await apiFetch(server, 'POST', '/api/v1/analytics/recommendations', { audience: 'ceo' });
      expect(bad.status).toBe(400);
    } finally {
      await server.close();
    }
  });
});

describe('insights on the real Taobao file', () => {
  it('reads the left-censored panel correctly and stays grounded', async () => {
    const ds = await env.engine.dispatch('datasets:import', { path: TAOBAO });
    const r = await env.engine.dispatch('analytics:recommendations', {
      datasetId: ds.id,
      definition: { steps: [{ event: 'pv' }, { event: 'cart' }, { event: 'buy' }] },
    });
    expect(r.facts.find((f) => f.id === 'funnel.total_users')?.value).toBeGreaterThan(700);
    expect(r.findings.some((f) => f.id === 'data.left_edge')).toBe(true);
    expect(r.anomalies).toEqual([]);
    expect(r.insight_details.some((f) => f.kind === 'bottleneck')).toBe(true);
    expect(ungroundedStrict(r)).toEqual([]);
  });

  it('prints markdown and JSON from the CLI with the funnel flags', async () => {
    let out = '';
    let err = '';
    const io = { stdout: (s: string) => (out += s), stderr: (s: string) => (err += s), env: { IAFA_DATA_DIR: env.dataDir }, isTTY: false };
    expect(await runCli(['insights', TAOBAO, '--steps', 'pv,cart,buy', '--audience', 'executive', '--format', 'md'], io), err).toBe(0);
    expect(out).toMatch(/^# Insights: pv → cart → buy/);
    expect(out).toContain('## Summary (executive)');
    out = '';
    expect(await runCli(['hypotheses', TAOBAO, '--steps', 'pv,cart,buy', '--json'], io), err).toBe(0);
    expect(JSON.parse(out).provider).toBe('none');
    expect(await runCli(['insights', TAOBAO, '--steps', 'pv,cart,buy', '--audience', 'ceo'], io)).not.toBe(0);
  });
});
