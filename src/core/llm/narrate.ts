import { z } from 'zod';
import {
  IafaError,
  NARRATIVE_SCHEMAS,
  NarrateInput,
  type Fact,
  type GenerationInfo,
  type GroundingReport,
  type LlmTask,
  type NarrateOutput,
  type ProgressEvent,
  type Settings,
} from '../../shared/contract';
import type { Db } from '../db';
import { buildDataBlock } from './data-block';
import { llmError, mapFailure, withTimeout } from './errors';
import { applyFallback, checkNarrative, report, type GroundingFinding } from './grounding';
import { loadPrompt, renderMessages, renderRetry, type PromptTemplate } from './prompts';
import { failureOf, type LlmProvider } from './providers/types';
import { modelQueue } from './queue';
import { NO_LOCAL_MODEL_BANNER, resolveChain, where } from './resolve';
import { cacheKey, checkDailyLimit, estimateCost, findCached, recordUsage, saveGeneration } from './store';

/** Everything the LLM layer needs from the app, passed in so src/core/llm never reaches into services. */
export interface LlmEnv {
  db: Db;
  dataDir: string;
  settings: Settings;
  env: NodeJS.ProcessEnv;
  openaiKey: string;
}

export interface RunContext {
  signal: AbortSignal;
  progress: (ev: ProgressEvent) => void;
}

/** IAFA_MAX_REPLY_KB caps one model reply (default 256 KB, far above any schema-valid answer). */
export function maxReplyChars(env: NodeJS.ProcessEnv): number {
  const kb = Number(env.IAFA_MAX_REPLY_KB);
  return (Number.isFinite(kb) && kb > 0 ? kb : 256) * 1024;
}

const MAX_TOKENS: Record<LlmTask, number> = {
  insights: 900,
  report: 800,
  ask: 400,
  hypotheses: 800,
  experiment_design: 500,
  experiment_analysis: 500,
  causal: 500,
};

const JSON_SCHEMAS = new Map<LlmTask, Record<string, unknown>>();

/**
 * The task's JSON schema for the provider. Given the ids in the data block, `fact_ids` becomes an
 * enum of them: a constrained decoder (grammar, `format`, strict `response_format`) then cannot
 * cite a fact that does not exist. Validation and grounding still check; this only saves retries.
 */
export function outputJsonSchema(task: LlmTask, factIds?: string[]): Record<string, unknown> {
  let s = JSON_SCHEMAS.get(task);
  if (!s) {
    s = z.toJSONSchema(NARRATIVE_SCHEMAS[task], { target: 'draft-7' }) as Record<string, unknown>;
    JSON_SCHEMAS.set(task, s);
  }
  if (!factIds?.length) return s;
  const ids = [...new Set(factIds)];
  const constrain = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(constrain);
    if (typeof node !== 'object' || node === null) return node;
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => {
        if (k === 'fact_ids' && typeof v === 'object' && v !== null) return [k, { ...v, items: { type: 'string', enum: ids } }];
        return [k, constrain(v)];
      }),
    );
  };
  return constrain(s) as Record<string, unknown>;
}

type Parsed = { ok: true; value: Record<string, unknown> } | { ok: false; finding: GroundingFinding };

export function parseOutput(task: LlmTask, text: string): Parsed {
  let json: unknown;
  try {
    // Some servers wrap JSON in a fence even under a schema; the object itself is what counts.
    const trimmed = text.trim().replace(/^```(?:json)?\s*|\s*```$/g, '');
    json = JSON.parse(trimmed);
  } catch (err) {
    return { ok: false, finding: { field: '(output)', text: `not valid JSON: ${(err as Error).message.slice(0, 120)}`, number: '' } };
  }
  const r = NARRATIVE_SCHEMAS[task].safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    return { ok: false, finding: { field: issue.path.join('.') || '(output)', text: `does not match the schema: ${issue.message}`, number: '' } };
  }
  return { ok: true, value: r.data as Record<string, unknown> };
}

function describe(f: GroundingFinding): string {
  if (!f.number) return `${f.field}: ${f.text}`;
  return `${f.field}: "${f.number}" is not a displayed fact value (in: ${f.text.slice(0, 120)})`;
}

interface Attempt {
  narrative: Record<string, unknown>;
  grounding: GroundingReport;
  tokensIn: number | null;
  tokensOut: number | null;
}

const add = (a: number | null, b: number | null) => (a === null && b === null ? null : (a ?? 0) + (b ?? 0));

/** Generate, check, retry once with the findings, then fall back field by field. */
async function generateGrounded(p: LlmProvider, input: z.output<typeof NarrateInput>, prompt: PromptTemplate, llm: LlmEnv, ctx: RunContext): Promise<Attempt> {
  const timeoutMs = llm.settings.llm.timeoutMs;
  const t = withTimeout(ctx.signal, timeoutMs);
  const facts: Fact[] = input.facts.facts;
  try {
    const budget = p.promptBudgetChars ? await p.promptBudgetChars() : null;
    const block = buildDataBlock({
      facts,
      context: { ...input.context, decision: input.decision ?? undefined },
      deterministic: input.deterministic,
      budgetChars: budget,
      redactSegments: p.remote && llm.settings.llm.redactSegments,
    });
    const schema = outputJsonSchema(input.task, block.factIds);
    const first = renderMessages(prompt, block.text);
    const maxChars = maxReplyChars(llm.env);
    const call = async (messages: typeof first) => {
      // A reply past the cap is cut off where it is: a model that never stops must not fill the
      // stream or the memory. Drafts are relayed marked unchecked and kept nowhere.
      const cap = new AbortController();
      let chars = 0;
      const onToken = (text: string) => {
        if (cap.signal.aborted) return;
        chars += text.length;
        if (chars > maxChars) return cap.abort();
        ctx.progress({ phase: 'generating', text, unchecked: true });
      };
      const tooLong = () =>
        llmError(p.name, 'invalid_output', `${p.name} wrote a reply longer than ${Math.round(maxChars / 1024)} KB; it was stopped and not used.`);
      let res;
      try {
        res = await p.generate({ messages, schema, maxTokens: MAX_TOKENS[input.task], signal: AbortSignal.any([t.signal, cap.signal]), onToken });
      } catch (err) {
        if (cap.signal.aborted && !t.signal.aborted) throw tooLong();
        throw err;
      }
      if (cap.signal.aborted || res.text.length > maxChars) throw tooLong();
      recordUsage(llm.db, p.name, res.tokensIn, res.tokensOut, p.remote ? estimateCost(p.model, res.tokensIn ?? 0, res.tokensOut ?? 0) : 0);
      return { ...res, text: block.restore(res.text) };
    };
    const evaluate = (text: string) => {
      const parsed = parseOutput(input.task, text);
      if (!parsed.ok) return { parsed, check: { checked: 0, findings: [parsed.finding] } };
      return { parsed, check: checkNarrative(parsed.value, facts, input.decision) };
    };

    const r1 = await call(first);
    let best = evaluate(r1.text);
    let tokensIn = r1.tokensIn;
    let tokensOut = r1.tokensOut;
    if (best.check.findings.length) {
      ctx.progress({ phase: 'checking', message: `${best.check.findings.length} problem(s) found; asking the model once more` });
      try {
        const r2 = await call(renderRetry(prompt, first, r1.text, best.check.findings.slice(0, 8).map(describe)));
        tokensIn = add(tokensIn, r2.tokensIn);
        tokensOut = add(tokensOut, r2.tokensOut);
        const second = evaluate(r2.text);
        // A retry that parses beats one that does not; otherwise the one with fewer problems wins.
        if ((second.parsed.ok && !best.parsed.ok) || (second.parsed.ok === best.parsed.ok && second.check.findings.length <= best.check.findings.length))
          best = second;
      } catch (err) {
        // A first answer that parsed is still worth its grounded fields if the retry times out.
        if (ctx.signal.aborted || !best.parsed.ok) throw err;
      }
    }
    if (!best.parsed.ok) {
      const fallback = Object.keys(input.deterministic);
      return { narrative: input.deterministic, grounding: report(best.check, fallback), tokensIn, tokensOut };
    }
    const { merged, fallback } = applyFallback(best.parsed.value, input.deterministic, best.check.findings);
    return { narrative: merged, grounding: report(best.check, fallback), tokensIn, tokensOut };
  } catch (err) {
    if (t.timedOut())
      throw llmError(
        p.name,
        'timeout',
        `${p.name} did not answer within ${Math.round(timeoutMs / 1000)} s (${where(p)}); raise the timeout in Settings or use a smaller model.`,
      );
    throw mapFailure(err, p.name, { signal: ctx.signal, where: where(p) });
  } finally {
    t.dispose();
  }
}

function bannerFor(configured: string, errors: IafaError[], servedBy: string | null = null): string | null {
  if (!errors.length) return null;
  // Each provider's message is a sentence of its own, whatever punctuation it came with.
  const what = errors.map((e) => (/[.!?]$/.test(e.message.trim()) ? e.message.trim() : `${e.message.trim()}.`)).join(' ');
  if (servedBy) return `${what} Answered by ${servedBy} instead.`;
  const onlyOllamaDown = configured === 'auto' && errors.every((e) => failureOf(e)?.reason === 'not_running');
  if (onlyOllamaDown) return NO_LOCAL_MODEL_BANNER;
  return `${what} Showing the computed analysis.`;
}

/**
 * Model prose for computed facts. The chosen provider, then the fallback chain, then the computed
 * text itself: the user always gets an answer, and every model sentence shown has passed grounding.
 */
export async function narrate(llm: LlmEnv, rawInput: NarrateInput, ctx: RunContext): Promise<NarrateOutput> {
  const input = NarrateInput.parse(rawInput);
  const started = performance.now();
  const prompt = loadPrompt(llm.dataDir, input.task);
  const chain = resolveChain(llm.settings, input.options, { env: llm.env, openaiKey: llm.openaiKey });
  const errors: IafaError[] = [...chain.refused];
  const keyParts = {
    funnel_id: input.scope.funnel_id,
    date_range: input.scope.date_range,
    filters: input.scope.filters,
    segment_by: input.scope.segment_by,
    task: input.task,
    prompt_version: prompt.version,
    // The facts, computed text and context are part of the key: a re-import or an edited
    // question must never be answered from an older generation.
    inputs: cacheKey({ facts: input.facts.facts, deterministic: input.deterministic, context: input.context, decision: input.decision }),
  };
  const base = {
    task: input.task,
    promptId: prompt.id,
    promptVersion: prompt.version,
    funnelId: input.scope.funnel_id,
    ttlHours: llm.settings.llm.cacheTtlHours,
  };
  const request = { scope: input.scope, context: input.context, decision: input.decision, options: input.options };

  for (const p of chain.providers) {
    const key = cacheKey({ ...keyParts, provider: p.name, model: p.model });
    const info = (o: Partial<GenerationInfo>): GenerationInfo => ({
      generation_id: null,
      provider: p.name,
      model: p.model,
      prompt_id: prompt.id,
      prompt_version: prompt.version,
      cache_hit: false,
      duration_ms: performance.now() - started,
      tokens_in: null,
      tokens_out: null,
      data_left_device: p.remote,
      banner: bannerFor(chain.configured, errors, p.name),
      ...o,
    });
    if (!input.options.refresh) {
      const hit = findCached(llm.db, key);
      if (hit) {
        const durationMs = performance.now() - started;
        const id = saveGeneration(llm.db, {
          ...base,
          cacheKey: key,
          provider: p.name,
          model: p.model,
          request,
          narrative: hit.narrative,
          factIds: [],
          grounding: hit.grounding,
          durationMs,
          tokensIn: null,
          tokensOut: null,
          cacheHit: true,
        });
        return {
          task: input.task,
          narrative: hit.narrative,
          grounding: hit.grounding,
          generation: info({ generation_id: id, cache_hit: true, duration_ms: durationMs, data_left_device: false }),
        };
      }
    }
    const limited = checkDailyLimit(llm.db, llm.settings, p.name);
    if (limited) {
      errors.push(llmError(p.name, 'rate_limited', limited));
      continue;
    }
    try {
      const out = await modelQueue.run(
        p.queueKey,
        ctx.signal,
        (n) => ctx.progress({ phase: 'queued', queuePosition: n, message: `waiting for ${p.model}` }),
        () => {
          ctx.progress({ phase: 'generating', message: `${p.name} · ${p.model}` });
          return generateGrounded(p, input, prompt, llm, ctx);
        },
      );
      const durationMs = performance.now() - started;
      const factIds = input.facts.facts.map((f) => f.id);
      const id = saveGeneration(llm.db, {
        ...base,
        cacheKey: key,
        provider: p.name,
        model: p.model,
        request,
        narrative: out.narrative,
        factIds,
        grounding: out.grounding,
        durationMs,
        tokensIn: out.tokensIn,
        tokensOut: out.tokensOut,
        cacheHit: false,
      });
      return {
        task: input.task,
        narrative: out.narrative,
        grounding: out.grounding,
        generation: info({ generation_id: id, duration_ms: durationMs, tokens_in: out.tokensIn, tokens_out: out.tokensOut }),
      };
    } catch (err) {
      const e = IafaError.from(err);
      if (e.kind === 'cancelled' || ctx.signal.aborted) throw new IafaError('cancelled', 'The generation was cancelled.');
      if (e.kind !== 'llm_unavailable') throw e;
      errors.push(e);
    }
  }
  return computedOnly(llm, input, prompt, errors, chain.configured, started, base, request);
}

function computedOnly(
  llm: LlmEnv,
  input: z.output<typeof NarrateInput>,
  prompt: PromptTemplate,
  errors: IafaError[],
  configured: string,
  started: number,
  base: { task: string; promptId: string; promptVersion: string; funnelId: string | null; ttlHours: number },
  request: unknown,
): NarrateOutput {
  // The computed text is checked too: it should always pass, and if it ever does not, the
  // report says so instead of hiding a bug in the template.
  const check = checkNarrative(input.deterministic, input.facts.facts, input.decision);
  const grounding = report(check, []);
  const durationMs = performance.now() - started;
  const id = saveGeneration(llm.db, {
    ...base,
    cacheKey: '',
    provider: 'none',
    model: '',
    request,
    narrative: input.deterministic,
    factIds: [],
    grounding,
    durationMs,
    tokensIn: null,
    tokensOut: null,
    cacheHit: false,
  });
  return {
    task: input.task,
    narrative: input.deterministic,
    grounding,
    generation: {
      generation_id: id,
      provider: 'none',
      model: '',
      prompt_id: prompt.id,
      prompt_version: prompt.version,
      cache_hit: false,
      duration_ms: durationMs,
      tokens_in: null,
      tokens_out: null,
      data_left_device: false,
      banner: configured === 'none' ? null : (bannerFor(configured, errors) ?? NO_LOCAL_MODEL_BANNER),
    },
  };
}
