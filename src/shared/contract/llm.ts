import { z } from 'zod';
import { call } from './call';
import { FactSheet, GroundingReport } from './facts';
import { ProviderName } from './settings';

/**
 * Length limits leave room for the computed text (which the model often rephrases) while keeping a
 * constrained decoder from rambling.
 *
 * Model-written prose for each task. The model only writes text and cites fact ids; every number,
 * priority-free decision (SHIP/ITERATE/ROLLBACK) and confidence level comes from code and is
 * carried next to these shapes by the caller, never inside them.
 */
export const LlmTask = z.enum(['insights', 'report', 'ask', 'hypotheses', 'experiment_design', 'experiment_analysis', 'causal']);
export type LlmTask = z.infer<typeof LlmTask>;

const Text = (max: number) => z.string().min(1).max(max);
const FactIds = z.array(z.string().max(200)).max(8);
const Priority = z.enum(['High', 'Medium', 'Low']);

export const CitedText = z.object({ text: Text(600), fact_ids: FactIds });
export type CitedText = z.infer<typeof CitedText>;

export const InsightsNarrative = z.object({
  summary: Text(1200),
  insights: z.array(CitedText).min(1).max(5),
  recommendations: z
    .array(
      z.object({
        priority: Priority,
        title: Text(200),
        rationale: Text(800),
        expected_impact: Text(400),
        action_items: z.array(Text(300)).max(3),
        fact_ids: FactIds,
      }),
    )
    .max(3),
});

export const ReportNarrative = z.object({
  executive_summary: Text(1500),
  key_points: z.array(CitedText).min(1).max(5),
  risks: z.array(CitedText).max(3),
  fact_ids: FactIds,
});

export const AskNarrative = z.object({
  answer: Text(1000),
  fact_ids: FactIds,
  follow_up_questions: z.array(Text(160)).max(3),
});

export const HypothesesNarrative = z.object({
  hypotheses: z
    .array(
      z.object({
        title: Text(200),
        rationale: Text(800),
        test: Text(600),
        expected_outcome: Text(400),
        priority: Priority,
        fact_ids: FactIds,
      }),
    )
    .min(1)
    .max(5),
});

export const ExperimentDesignNarrative = z.object({
  summary: Text(1000),
  rationale: Text(1000),
  risks: z.array(Text(300)).max(3),
  fact_ids: FactIds,
});

export const ExperimentAnalysisNarrative = z.object({
  summary: Text(1000),
  interpretation: Text(1000),
  next_steps: z.array(Text(300)).max(3),
  fact_ids: FactIds,
});

export const CausalNarrative = z.object({
  conclusion: Text(1000),
  mechanism: z.array(Text(300)).max(4),
  confounders: Text(800),
  fact_ids: FactIds,
});

export const NARRATIVE_SCHEMAS = {
  insights: InsightsNarrative,
  report: ReportNarrative,
  ask: AskNarrative,
  hypotheses: HypothesesNarrative,
  experiment_design: ExperimentDesignNarrative,
  experiment_analysis: ExperimentAnalysisNarrative,
  causal: CausalNarrative,
} as const satisfies Record<LlmTask, z.ZodType>;

/** Per-request model choice; omitted fields come from settings. */
export const LlmOptions = z.object({
  provider: ProviderName.optional(),
  /** Ollama model name, GGUF path (embedded) or OpenAI-compatible model id. */
  model: z.string().max(4096).optional(),
  /** Bypass the cache (the Refresh button). */
  refresh: z.boolean().optional(),
});
export type LlmOptions = z.infer<typeof LlmOptions>;

export const GenerationInfo = z.object({
  generation_id: z.string().nullable(),
  /** The provider that wrote the text shown ("none" = computed analysis). */
  provider: z.string(),
  model: z.string(),
  prompt_id: z.string(),
  prompt_version: z.string(),
  cache_hit: z.boolean(),
  duration_ms: z.number().nonnegative(),
  tokens_in: z.number().int().nullable(),
  tokens_out: z.number().int().nullable(),
  data_left_device: z.boolean(),
  /** Why the model text is not shown, in words the user can act on; null when all is well. */
  banner: z.string().nullable(),
});
export type GenerationInfo = z.infer<typeof GenerationInfo>;

/** What a caller supplies: facts, the deterministic text for the same shape, and context. */
export const CacheScope = z.object({
  funnel_id: z.string().nullable().default(null),
  date_range: z.object({ start: z.string(), end: z.string() }).nullable().default(null),
  filters: z.record(z.string(), z.unknown()).default({}),
  segment_by: z.string().nullable().default(null),
});
export type CacheScope = z.infer<typeof CacheScope>;

export const NarrateInput = z.object({
  task: LlmTask,
  facts: FactSheet,
  /** The computed text in the task's narrative shape: the fallback for any field that fails grounding. */
  deterministic: z.record(z.string(), z.unknown()),
  /** Project, domain, audience, hypothesis, decision...: shown to the model as data. */
  context: z.record(z.string(), z.unknown()).default({}),
  /** Decision words (SHIP/ITERATE/ROLLBACK) the text may use; anything else is refused. */
  decision: z.string().max(20).nullable().default(null),
  scope: CacheScope.prefault({}),
  options: LlmOptions.default({}),
});
export type NarrateInput = z.input<typeof NarrateInput>;

export const NarrateOutput = z.object({
  task: LlmTask,
  narrative: z.record(z.string(), z.unknown()),
  grounding: GroundingReport,
  generation: GenerationInfo,
});
export type NarrateOutput = z.infer<typeof NarrateOutput>;

export const SupportingDatum = z.object({ fact_id: z.string(), label: z.string(), display: z.string() });

/** What a question is about, as the deterministic classifier reads it (src/core/llm/question.ts). */
export const QuestionKind = z.enum([
  'stage_count',
  'overall_conversion',
  'step_conversion',
  'drop_off',
  'time_to_convert',
  'segment_comparison',
  'trend',
  'forecast',
  'recommendation',
  'experiment_design',
  'experiment_result',
  'data_quality',
  'unknown',
]);
export type QuestionKind = z.infer<typeof QuestionKind>;

/**
 * Two separate signals, because "every number is a fact" says nothing about whether the answer
 * fits the question. `numbers`: every figure in the answer equals a computed fact (`none`: the
 * answer quotes no figure, e.g. a refusal). `question`: the answer comes from the facts the
 * question is about (`answered`), only from the facts nearest to it (`closest_facts`), or the
 * question names something the data does not have (`not_in_data`, answered with no number).
 */
export const AskSignals = z.object({
  numbers: z.enum(['match', 'partly', 'none']),
  question: z.enum(['answered', 'closest_facts', 'not_in_data']),
  kind: QuestionKind,
  /** What the question names that the data lacks: a column, segment, metric, step or period. */
  missing: z.array(z.string()),
  /** One sentence on why the answer is not a direct one; null when it is. */
  note: z.string().nullable(),
});
export type AskSignals = z.infer<typeof AskSignals>;

/** A recommendation Ask may quote for "what should we do" (from the deterministic analyst). */
export const AskAdvice = z.object({
  title: z.string().max(300),
  priority: z.enum(['High', 'Medium', 'Low']),
  rationale: z.string().max(2000),
  fact_ids: z.array(z.string().max(200)).max(20),
});
export type AskAdvice = z.infer<typeof AskAdvice>;

export const AskOutput = z.object({
  conversation_id: z.string(),
  question: z.string(),
  answer: z.string(),
  supporting_data: z.array(SupportingDatum),
  follow_up_questions: z.array(z.string()),
  grounding: GroundingReport,
  signals: AskSignals,
  generation: GenerationInfo,
});
export type AskOutput = z.infer<typeof AskOutput>;

export const llmNarrate = call({
  name: 'llm:narrate',
  summary: 'Model prose for computed facts, grounded against them (falls back to the computed text).',
  http: { method: 'POST', path: '/api/v1/llm/narrate' },
  input: NarrateInput,
  output: NarrateOutput,
  streams: true,
});

export const analyticsAsk = call({
  name: 'analytics:ask',
  summary: 'Answer a question about a funnel from its facts; history is kept per conversation.',
  http: { method: 'POST', path: '/api/v1/analytics/:funnelId/ask' },
  input: z.object({
    funnelId: z.string().min(1).max(200),
    question: z.string().trim().min(1).max(2000),
    conversationId: z.string().max(100).optional(),
    /** Supplied by callers that already hold the sheet (tests, the experiments workspace). */
    facts: FactSheet.optional(),
    /** Recommendations for "what should we do"; computed from the funnel when facts are not supplied. */
    recommendations: z.array(AskAdvice).max(10).optional(),
    context: z.record(z.string(), z.unknown()).default({}),
    options: LlmOptions.default({}),
  }),
  output: AskOutput,
  streams: true,
});

export const ConversationMessage = z.object({
  id: z.string(),
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  payload: z.record(z.string(), z.unknown()),
  created_at: z.string(),
});

export const conversationsGet = call({
  name: 'conversations:get',
  summary: 'The messages of one Ask conversation (for history and export).',
  http: { method: 'GET', path: '/api/v1/conversations/:id' },
  input: z.object({ id: z.string().min(1).max(100) }),
  output: z.object({ id: z.string(), funnel_id: z.string().nullable(), title: z.string(), messages: z.array(ConversationMessage) }),
});

export const llmModels = call({
  name: 'llm:models',
  summary: 'Models the Ollama server has installed (live from /api/tags).',
  http: { method: 'GET', path: '/api/v1/llm/models' },
  input: z.object({}).strict(),
  output: z.object({ host: z.string(), models: z.array(z.object({ name: z.string(), size: z.number().nullable() })) }),
});

export const llmFeedback = call({
  name: 'llm:feedback',
  summary: 'Rate a generated item: helpful or not, 1-5 stars, a comment.',
  http: { method: 'POST', path: '/api/v1/llm/generations/:generationId/feedback' },
  input: z
    .object({
      generationId: z.string().min(1).max(100),
      itemPath: z.string().max(200).default(''),
      helpful: z.boolean().optional(),
      stars: z.number().int().min(1).max(5).optional(),
      comment: z.string().max(2000).optional(),
    })
    .refine((v) => v.helpful !== undefined || v.stars !== undefined || v.comment !== undefined, { message: 'give helpful, stars or a comment' }),
  output: z.object({ id: z.string() }),
});

export const LlmUsage = z.object({
  generations: z.number().int(),
  cache_hits: z.number().int(),
  cache_hit_rate: z.number().nullable(),
  rated_items: z.number().int(),
  helpful_share: z.number().nullable(),
  average_stars: z.number().nullable(),
  per_day: z.array(z.object({ day: z.string(), generations: z.number().int(), cache_hits: z.number().int() })),
  providers: z.array(
    z.object({
      provider: z.string(),
      requests_today: z.number().int(),
      daily_limit: z.number().int().nullable(),
      requests: z.number().int(),
      tokens_in: z.number().int(),
      tokens_out: z.number().int(),
      cost_usd: z.number(),
    }),
  ),
  remote_cost_usd: z.number(),
});
export type LlmUsage = z.infer<typeof LlmUsage>;

export const llmUsage = call({
  name: 'llm:usage',
  summary: 'Generation, cache, feedback and remote-cost figures for Settings.',
  http: { method: 'GET', path: '/api/v1/llm/usage' },
  input: z.object({ days: z.coerce.number().int().min(1).max(365).default(30) }),
  output: LlmUsage,
});

export const PromptInfo = z.object({
  id: LlmTask,
  version: z.string(),
  builtin_version: z.string(),
  custom: z.boolean(),
  path: z.string(),
});

export const promptsList = call({
  name: 'prompts:list',
  summary: 'Prompt templates, their versions and whether a custom override is active.',
  http: { method: 'GET', path: '/api/v1/prompts' },
  input: z.object({}).strict(),
  output: z.object({ folder: z.string(), prompts: z.array(PromptInfo) }),
});

export const promptsReset = call({
  name: 'prompts:reset',
  summary: 'Remove a custom prompt override (kept as a .bak file) and use the built-in one.',
  http: { method: 'POST', path: '/api/v1/prompts/:id/reset' },
  input: z.object({ id: LlmTask }),
  output: z.object({ reset: z.boolean(), backup: z.string().nullable() }),
});
