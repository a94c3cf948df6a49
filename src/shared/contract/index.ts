import type { z } from 'zod';
import type { CallDef } from './call';
import * as assist from './assist';
import * as datasets from './datasets';
import * as experiments from './experiments';
import * as funnels from './funnels';
import * as imports from './imports';
import * as insights from './insights';
import * as llm from './llm';
import * as reports from './reports';
import * as settings from './settings';
import * as system from './system';
import * as warehouse from './warehouse';

export * from './call';
export * from './errors';
export * from './datasets';
export * from './experiments';
export * from './funnels';
export * from './imports';
export * from './insights';
export * from './settings';
export * from './system';
export * from './facts';
export * from './reports';
export * from './llm';
export * from './assist';
export * from './warehouse';

/**
 * The whole API. Adding a call here is all it takes for it to appear over IPC, HTTP and in the
 * renderer client; the services object must then provide a handler (the type checker insists).
 */
export const contract = {
  'health:get': system.healthGet,
  'llm:status': system.llmStatus,
  'ops:cancel': system.opsCancel,
  'settings:get': settings.settingsGet,
  'settings:update': settings.settingsUpdate,
  'limits:status': settings.limitsStatus,
  'datasets:list': datasets.datasetsList,
  'datasets:get': datasets.datasetsGet,
  'datasets:rename': datasets.datasetsRename,
  'datasets:delete': datasets.datasetsDelete,
  'funnels:list': funnels.funnelsList,
  'funnels:create': funnels.funnelsCreate,
  'funnels:get': funnels.funnelsGet,
  'funnels:update': funnels.funnelsUpdate,
  'funnels:delete': funnels.funnelsDelete,
  'datasets:import': imports.datasetsImport,
  'datasets:preview': imports.datasetsPreview,
  'funnels:compute': funnels.funnelsCompute,
  'datasets:join-preview': assist.datasetsJoinPreview,
  'datasets:suggest-funnel': assist.datasetsSuggestFunnel,
  'llm:narrate': llm.llmNarrate,
  'llm:models': llm.llmModels,
  'llm:feedback': llm.llmFeedback,
  'llm:usage': llm.llmUsage,
  'prompts:list': llm.promptsList,
  'prompts:reset': llm.promptsReset,
  'analytics:ask': llm.analyticsAsk,
  'conversations:get': llm.conversationsGet,
  'reports:generate': reports.reportsGenerate,
  'reports:list': reports.reportsList,
  'reports:delete': reports.reportsDelete,
  'reports:content': reports.reportsContent,
  'experiment:design': experiments.experimentDesign,
  'experiment:analyze': experiments.experimentAnalyze,
  'experiment:causal': experiments.experimentCausal,
  'analytics:recommendations': insights.analyticsRecommendations,
  'analytics:hypotheses': insights.analyticsHypotheses,
  'recommendations:list': insights.recommendationsList,
  'recommendations:set-status': insights.recommendationsSetStatus,
  'warehouse:connect': warehouse.warehouseConnect,
  'warehouse:save': warehouse.warehouseSave,
} as const satisfies Record<string, CallDef>;

export type Contract = typeof contract;
export type CallName = keyof Contract;
export type CallInput<K extends CallName> = z.input<Contract[K]['input']>;
export type CallParsedInput<K extends CallName> = z.output<Contract[K]['input']>;
export type CallOutput<K extends CallName> = z.output<Contract[K]['output']>;

export const CALL_NAMES = Object.keys(contract) as CallName[];
export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}
