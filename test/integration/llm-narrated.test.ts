import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkNarrative, hypothesesNarrateInput, insightsNarrateInput } from '../../src/core/llm';
import { createEngine, type Engine } from '../../src/core/services';
import { noopContext } from '../../src/core/services/context';
import { contract } from '../../src/shared/contract';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama-server';

let fake: FakeOllama;
let engine: Engine;
let dataDir: string;
let funnelId: string;

beforeAll(async () => {
  fake = await startFakeOllama();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-narrated-'));
  engine = createEngine({ dataDir, env: { OLLAMA_HOST: fake.url } });
  const ds = await engine.dispatch('datasets:import', { path: 'sample' });
  const f = await engine.dispatch('funnels:create', {
    datasetId: ds.id,
    name: 'Pin to purchase',
    definition: { steps: [{ event: 'pin_view' }, { event: 'save' }, { event: 'click' }, { event: 'purchase' }], breakdown: 'user_intent' },
  });
  funnelId = f.id;
}, 120_000);
afterAll(async () => {
  engine.close();
  await fake.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the seed endpoints with model prose (narrated handlers)', () => {
  it('/recommendations: the model rewrites the computed text, grounded against the real fact sheet', async () => {
    // The engine's handlers are the narrated ones (createEngine wires them).
    const h = engine.handlers;
    const input = contract['analytics:recommendations'].input.parse({ funnelId });
    const report = await h['analytics:recommendations']({ ...input, llm: { provider: 'none' } }, noopContext());
    expect(report.narrative?.generation.provider).toBe('none');
    const computed = insightsNarrateInput(report).deterministic as { summary: string; insights: { text: string; fact_ids: string[] }[] };
    expect(checkNarrative(computed, report.facts).findings).toEqual([]);
    // A model that says the computed findings in its own words keeps every number: it passes.
    const rewritten = { ...computed, summary: `In short: ${computed.summary}` };
    fake.reply({ content: JSON.stringify(rewritten) });
    const out = await h['analytics:recommendations'](input, noopContext());
    expect(out.narrative?.generation.provider).toBe('ollama');
    expect(out.narrative?.grounding.passed).toBe(true);
    expect((out.narrative?.narrative as { summary: string }).summary).toMatch(/^In short: /);
    expect(out.recommendations).toEqual(report.recommendations.map((r) => ({ ...r, status: expect.any(String) })));

    // One invented figure: that field, and only that field, falls back.
    fake.reply({ content: JSON.stringify({ ...rewritten, summary: 'Conversion will double to 97.3% next month.' }) });
    const bad = await h['analytics:recommendations']({ ...input, llm: { refresh: true } } as typeof input, noopContext());
    expect(bad.narrative?.grounding.fallback_fields).toEqual(['summary']);
    expect((bad.narrative?.narrative as { summary: string }).summary).toBe(computed.summary);
  });

  it('provider none: the narrative is the computed text', async () => {
    const h = engine.handlers;
    const out = await h['analytics:hypotheses'](
      { ...contract['analytics:hypotheses'].input.parse({ funnelId }), llm: { provider: 'none' } } as never,
      noopContext(),
    );
    expect(out.narrative?.generation.provider).toBe('none');
    expect(out.narrative?.narrative).toEqual(hypothesesNarrateInput(out).deterministic);
    // The computed text is checked too; whatever it reports is reported, never hidden.
    expect(out.narrative?.grounding.checked).toBeGreaterThan(0);
  });
});
