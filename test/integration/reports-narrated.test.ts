import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempEngine } from '../helpers/engine';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama-server';
import { sharedData } from '../helpers/shared';

/**
 * The report's summary written by a model (the fake Ollama server speaking the real protocol),
 * checked by the LLM layer's grounding: good prose leads the summary and is named in the
 * appendix; an invented figure falls back to the computed text and the appendix says so;
 * markup in model text is shown as text.
 */

const TAOBAO = sharedData('taobao_userbehavior_head.csv');
const DEFINITION = { steps: [{ event: 'pv' }, { event: 'cart' }, { event: 'buy' }], window: '7d' };

let fake: FakeOllama;
let env: ReturnType<typeof tempEngine>;
let datasetId: string;

beforeAll(async () => {
  fake = await startFakeOllama({ models: ['llama3.2:3b'] });
  env = tempEngine({ OLLAMA_HOST: fake.url });
  await env.engine.dispatch('settings:update', { llm: { provider: 'ollama', ollamaModel: 'llama3.2:3b' } });
  datasetId = (await env.engine.dispatch('datasets:import', { path: TAOBAO })).id;
});
afterAll(async () => {
  env.cleanup();
  await fake.close();
});

const narrative = (summary: string) =>
  JSON.stringify({
    executive_summary: summary,
    key_points: [{ text: 'Cart to buy is the weakest step.', fact_ids: [] }],
    risks: [],
    fact_ids: ['funnel.overall_conversion_rate'],
  });

async function generate(summary: string) {
  fake.reply({ content: narrative(summary) });
  return env.engine.dispatch('reports:generate', {
    datasetId,
    definition: DEFINITION,
    audience: 'executive',
    format: 'html',
    provider: 'ollama',
    refresh: true,
    save: false,
  });
}

describe('report narrative from a model', () => {
  it('grounded model prose leads the summary, marked as model text, with model and prompt version in the appendix', async () => {
    const out = await generate('Almost half of the shoppers who browse go on to buy: 47.5% of 812 users complete the funnel.');
    expect(out.html).toContain('<p data-source="model">Almost half of the shoppers who browse go on to buy: 47.5% of 812 users complete the funnel.</p>');
    expect(out.report_metadata).toMatchObject({ provider: 'ollama', model: 'llama3.2:3b' });
    expect(out.report_metadata.prompt_version).toBeTruthy();
    expect(out.report_metadata.fallback_fields).toEqual([]);
    expect(out.grounding.ungrounded).toEqual([]);
    expect(fake.requests.some((r) => r.path === '/api/chat' || r.path === '/api/generate')).toBe(true);
  });

  it('an invented number falls back to the computed summary and the appendix says which part', async () => {
    const out = await generate('Conversion will double to 95.2% next month.');
    expect(out.html).not.toContain('95.2%');
    expect(out.html).not.toContain('data-source="model"');
    expect(out.report_metadata.fallback_fields.join(' ')).toMatch(/executive_summary/);
    expect(out.markdown).toMatch(/Computed fallbacks:\*\* .*executive\\_summary/);
    expect(out.grounding.ungrounded).toEqual([]);
  });

  it('markup in model text is escaped, never rendered', async () => {
    const out = await generate('<img src=x onerror=alert(1)> <b>Almost half</b> complete the funnel: 47.5%.');
    expect(out.html).not.toMatch(/<img|<b>/);
    expect(out.html).toContain('<p data-source="model">&lt;img src=x onerror=alert(1)&gt; &lt;b&gt;Almost half&lt;/b&gt; complete the funnel: 47.5%.</p>');
    expect(out.markdown).toContain('&lt;img src=x onerror=alert(1)&gt; &lt;b&gt;Almost half&lt;/b&gt;');
  });
});
