import { describe, expect, it } from 'vitest';
import type { CallName, CallOutput, ExperimentAnalysis, FunnelDefinition, NarrateOutput, ProgressEvent } from '../../../src/shared/contract';
import { ReportsGenerateInput } from '../../../src/shared/contract';
import { generateReport, type Dispatch } from '../../../src/core/reports';
import { analyzeFunnel } from '../../../src/core/insights';
import { tempEngine } from '../../helpers/engine';
import { HAS_SHARED_DATA } from '../../helpers/shared';
import { TAOBAO } from './fixtures';

/**
 * The pipeline with the real funnel and analyst but a scripted narrator: model prose that passes
 * grounding leads the summary (marked as model text); prose that fails falls back and says so.
 */

const DEF: FunnelDefinition = {
  steps: [{ event: 'pv' }, { event: 'cart' }, { event: 'buy' }],
  window: '7d',
  mode: 'any-start',
  strict: false,
  include: {},
  exclude: {},
  tz: 'UTC',
};

async function run(
  narration: (facts: { id: string; display: string }[]) => NarrateOutput | Error,
  provider?: 'none',
  pdf?: { printPdf: (html: string) => Promise<Buffer> },
) {
  const t = tempEngine();
  try {
    const ds = await t.engine.dispatch('datasets:import', { path: TAOBAO });
    const progress: ProgressEvent[] = [];
    const calls: string[] = [];
    const dispatch: Dispatch = async <K extends CallName>(name: K, input: unknown): Promise<CallOutput<K>> => {
      calls.push(name);
      if (name === 'llm:narrate') {
        const out = narration((input as { facts: { facts: { id: string; display: string }[] } }).facts.facts);
        if (out instanceof Error) throw out;
        return out as CallOutput<K>;
      }
      if (name === 'analytics:recommendations') {
        const f = await t.engine.dispatch('funnels:compute', { datasetId: ds.id, definition: DEF });
        return analyzeFunnel(f) as CallOutput<K>;
      }
      return t.engine.dispatch(name, input);
    };
    const g = await generateReport(
      ReportsGenerateInput.parse({ datasetId: ds.id, definition: DEF, audience: 'executive', format: pdf ? 'pdf' : 'markdown', provider }),
      {
        printPdf: pdf ? (html) => pdf.printPdf(html) : undefined,
        dispatch,
        signal: new AbortController().signal,
        progress: (e) => progress.push(e),
        env: {},
        paper: 'A4',
        describe: () => ({ dataset_name: 'Taobao', funnel_name: null }),
        funnelDefinition: () => {
          throw new Error('unused');
        },
        storedExperiment: (): ExperimentAnalysis => {
          throw new Error('unused');
        },
        now: () => '2026-01-15T10:30:00.000Z',
      },
    );
    return { g, calls, progress };
  } finally {
    t.cleanup();
  }
}

const generation = (provider: string) => ({
  generation_id: 'gen_1',
  provider,
  model: 'llama3.2:3b',
  prompt_id: 'report',
  prompt_version: '1',
  cache_hit: false,
  duration_ms: 5,
  tokens_in: 10,
  tokens_out: 10,
  data_left_device: false,
  banner: null,
});

describe.skipIf(!HAS_SHARED_DATA)('generateReport (Taobao from ../shared/data)', () => {
  it('puts grounded model prose first, marked as model text, with model and prompt version in the appendix', async () => {
    const { g, progress } = await run((facts) => {
      const overall = facts.find((f) => f.id === 'funnel.overall_conversion_rate')!;
      return {
        task: 'report',
        narrative: { executive_summary: `Nearly half of browsing users buy: ${overall.display} complete the funnel.`, key_points: [], risks: [], fact_ids: [] },
        grounding: { checked: 1, passed: true, fallback_fields: [], ungrounded: [] },
        generation: generation('ollama'),
      };
    });
    expect(g.model.summary[0]).toMatchObject({ source: 'model', text: 'Nearly half of browsing users buy: 47.5% complete the funnel.' });
    expect(g.model.summary.length).toBeGreaterThanOrEqual(2);
    expect(g.model.appendix).toMatchObject({ provider: 'ollama', model: 'llama3.2:3b', prompt_version: '1', fallback_fields: [] });
    expect(g.markdown).toContain('Nearly half of browsing users buy');
    expect(g.output.grounding.ungrounded).toEqual([]);
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['funnel', 'analysis', 'narrative', 'render']));
  });

  it('keeps the computed summary and lists the fallback when the model text failed grounding', async () => {
    const { g } = await run(() => ({
      task: 'report',
      narrative: { executive_summary: 'computed', key_points: [], risks: [], fact_ids: [] },
      grounding: {
        checked: 1,
        passed: false,
        fallback_fields: ['executive_summary'],
        ungrounded: [{ field: 'executive_summary', text: 'x', number: '99.9%' }],
      },
      generation: generation('ollama'),
    }));
    expect(g.model.summary.every((p) => p.source === 'computed')).toBe(true);
    expect(g.model.appendix.fallback_fields).toContain('executive_summary (failed the number check)');
    expect(g.markdown).toContain('executive\\_summary (failed the number check)');
  });

  it('prints through the shell-provided printer when one is injected (Electron printToPDF)', async () => {
    const printed: string[] = [];
    const { g } = await run(() => new Error('unused'), 'none', {
      printPdf: async (html) => {
        printed.push(html);
        return Buffer.from('%PDF-1.7 fake');
      },
    });
    expect(printed).toEqual([g.html]);
    expect(g.pdf?.toString()).toBe('%PDF-1.7 fake');
  });

  it('survives an unavailable model and never calls it with provider none', async () => {
    const down = await run(() => new Error('Ollama is not running'));
    expect(down.g.model.appendix.fallback_fields.join(' ')).toMatch(/Ollama is not running/);
    const none = await run(() => new Error('must not be called'), 'none');
    expect(none.calls).not.toContain('llm:narrate');
    expect(none.g.model.appendix.provider).toBe('none');
  });
});
