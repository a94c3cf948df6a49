import { afterAll, describe, expect, it } from 'vitest';
import type { NarrateOutput } from '../../../src/shared/contract';
import { explainLabel } from '../../../src/renderer/src/workspaces/experiments/explainLabel';
import { tempEngine } from '../../helpers/engine';

const env = tempEngine();
afterAll(() => env.cleanup());

describe('"Explain with the model" badge (issue 15, item 6)', () => {
  it('with no model, the app\'s own design text is "computed by the app", not "partly verified — not matched: 0.001"', async () => {
    const d = await env.engine.dispatch('experiment:design', { baseline_rate: 0.2, mde: 0.05, daily_users: 1000 });
    const x = d.experiment_design;
    // The same computed text the designer hands to Explain (DesignDetails.tsx).
    const out = await env.engine.dispatch('llm:narrate', {
      task: 'experiment_design',
      facts: { facts: d.facts, generated_at: d.generated_at },
      deterministic: {
        summary: x.duration.rationale,
        rationale: x.analysis_plan.primary_analysis,
        risks: x.analysis_plan.stopping_rules.slice(0, 3),
        fact_ids: [],
      },
      options: { provider: 'none' },
    });
    // The check does flag the stopping rule's threshold (a rule constant, not a fact)...
    expect(out.grounding.ungrounded.map((u) => u.number)).toContain('0.001');
    // ...and the badge must not turn that into doubt about the app's own numbers.
    const label = explainLabel(out);
    expect(label).toEqual({ tone: 'muted', text: 'computed by the app (no model)', showFindings: false });
  });

  const gen = (provider: string): NarrateOutput['generation'] => ({
    generation_id: 'g',
    provider,
    model: 'm',
    prompt_id: 'p',
    prompt_version: '1',
    cache_hit: false,
    duration_ms: 1,
    tokens_in: null,
    tokens_out: null,
    data_left_device: false,
    banner: null,
  });
  it("a model's text is labelled by its check: all matched, parts replaced, or numbers not matched", () => {
    const ok = { checked: 3, passed: true, fallback_fields: [], ungrounded: [] };
    const replaced = { checked: 3, passed: false, fallback_fields: ['summary'], ungrounded: [{ field: 'summary', text: 't', number: '9' }] };
    const flagged = { checked: 3, passed: false, fallback_fields: [], ungrounded: [{ field: 'summary', text: 't', number: '9' }] };
    expect(explainLabel({ grounding: ok, generation: gen('ollama') })).toMatchObject({ tone: 'good', showFindings: false });
    expect(explainLabel({ grounding: replaced, generation: gen('ollama') })).toMatchObject({
      tone: 'warn',
      text: '1 part(s) replaced by the computed text',
      showFindings: true,
    });
    expect(explainLabel({ grounding: flagged, generation: gen('ollama') })).toMatchObject({ tone: 'warn', showFindings: true });
  });
});
