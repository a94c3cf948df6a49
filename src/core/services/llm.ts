import { AnalyticsInput, type FactSheet } from '../../shared/contract';
import { ask, getConversation, listPrompts, makeProvider, narrate, resetPrompt, saveFeedback, usageSummary, type LlmEnv } from '../llm';
import { dataPaths } from '../paths';
import type { AppContext, HandlerGroup } from './context';
import { analyzeFor } from './insights';
import { readOpenAiKey, readSettings } from './settings';

export interface LlmDeps {
  /** The fact sheet of a saved funnel (from src/core/insights); Ask uses it when the caller sends none. */
  factSheet?: (funnelId: string, signal: AbortSignal) => Promise<FactSheet>;
}

/** The saved funnel's fact sheet, from the same deterministic analyst that serves /recommendations. */
function defaultFactSheet(app: AppContext) {
  return async (funnelId: string, signal: AbortSignal): Promise<FactSheet> => {
    const report = analyzeFor(app, AnalyticsInput.parse({ funnelId }), signal);
    return { facts: report.facts, generated_at: report.generated_at };
  };
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
      const facts = input.facts ?? await (deps.factSheet ?? defaultFactSheet(app))(input.funnelId, ctx.signal);
      return ask(llmEnv(app), { ...input, facts }, ctx);
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
