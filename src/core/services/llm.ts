import { AnalyticsInput, type AskAdvice, type FactSheet } from '../../shared/contract';
import { getDatasetRow, toDataset } from './datasets';
import { ask, getConversation, listPrompts, makeProvider, narrate, resetPrompt, saveFeedback, usageSummary, type LlmEnv } from '../llm';
import { dataPaths } from '../paths';
import type { AppContext, HandlerGroup } from './context';
import { analyzeAny } from './insights';
import { readOpenAiKey, readSettings } from './settings';

export interface LlmDeps {
  /** The fact sheet of a saved funnel (from src/core/insights); Ask uses it when the caller sends none. */
  factSheet?: (funnelId: string, signal: AbortSignal) => Promise<FactSheet>;
}

/** The saved funnel's facts and recommendations, from the same deterministic analyst that serves /recommendations. */
async function funnelAnalysis(app: AppContext, funnelId: string, signal: AbortSignal): Promise<{ sheet: FactSheet; advice: AskAdvice[]; columns: string[] }> {
  const report = await analyzeAny(app, AnalyticsInput.parse({ funnelId }), signal);
  return { sheet: { facts: report.facts, generated_at: report.generated_at }, advice: report.recommendations, columns: datasetColumns(app, report.dataset_id) };
}

/** Columns a funnel could be broken down by: not the user, time or event columns. */
function datasetColumns(app: AppContext, datasetId: string | null | undefined): string[] {
  if (!datasetId) return [];
  try {
    return toDataset(getDatasetRow(app, datasetId))
      .columns.filter((c) => !/^(user|user_id|time|timestamp|date|event|count|stage)$/.test(c.role))
      .map((c) => c.name);
  } catch {
    return [];
  }
}

/** Settings are read per call: a provider change in Settings applies to the next generation. */
export function llmEnv(app: AppContext): LlmEnv {
  return { db: app.db, dataDir: app.dataDir, settings: readSettings(app), env: app.env, openaiKey: readOpenAiKey(app) };
}

type Calls = 'llm:narrate' | 'llm:models' | 'llm:feedback' | 'llm:usage' | 'prompts:list' | 'prompts:reset' | 'analytics:ask' | 'conversations:get';

export function llmHandlers(app: AppContext, deps: LlmDeps = {}): HandlerGroup<Calls> {
  return {
    'llm:narrate': (input, ctx) => narrate(llmEnv(app), input, ctx),
    'analytics:ask': async (input, ctx) => {
      if (input.facts) return ask(llmEnv(app), { ...input, facts: input.facts }, ctx);
      if (deps.factSheet) return ask(llmEnv(app), { ...input, facts: await deps.factSheet(input.funnelId, ctx.signal) }, ctx);
      const a = await funnelAnalysis(app, input.funnelId, ctx.signal);
      return ask(llmEnv(app), { ...input, facts: a.sheet, recommendations: input.recommendations ?? a.advice, columns: a.columns }, ctx);
    },
    'conversations:get': ({ id }) => getConversation({ db: app.db }, id),
    'llm:models': async (_input, ctx) => {
      const env = llmEnv(app);
      const p = makeProvider('ollama', env.settings, { env: env.env, openaiKey: '' });
      const host = (p as { host?: string }).host ?? '';
      return { host, models: await p.models(ctx.signal) };
    },
    'llm:feedback': (input) => ({ id: saveFeedback(app.db, input) }),
    'llm:usage': ({ days }) => usageSummary(app.db, readSettings(app), days),
    'prompts:list': () => ({
      folder: dataPaths(app.dataDir).prompts,
      prompts: listPrompts(app.dataDir).map((p) => ({ id: p.id, version: p.version, builtin_version: p.builtinVersion, custom: p.custom, path: p.path })),
    }),
    'prompts:reset': ({ id }) => resetPrompt(app.dataDir, id),
  };
}
