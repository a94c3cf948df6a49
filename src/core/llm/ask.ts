import { asc, eq } from 'drizzle-orm';
import type { AskAdvice, AskOutput, AskSignals, Fact, FactSheet, GenerationInfo, GroundingReport, LlmOptions } from '../../shared/contract';
import { IafaError } from '../../shared/contract';
import { schema } from '../db';
import { newId, nowIso } from '../ids';
import { computedAnswer, type ComputedAnswer } from './answer';
import { narrate, type LlmEnv, type RunContext } from './narrate';
import { checkNarrative } from './grounding';
import { extractNumbers, isIncidental } from './numbers';

/** Numbers signal for the text shown: every figure is a fact (or derived from cited ones), or none is quoted. */
function numbersSignal(text: string, factIds: string[], facts: Fact[]): AskSignals['numbers'] {
  const figures = extractNumbers(text).filter((n) => !isIncidental(n));
  if (!figures.length) return 'none';
  const check = checkNarrative({ answer: text, fact_ids: factIds }, facts);
  return check.findings.some((f) => f.number) ? 'partly' : 'match';
}

/** The answer fits the question when it cites the facts the question is about. */
function questionSignal(computed: ComputedAnswer, shownIds: string[]): Pick<AskSignals, 'question' | 'note'> {
  if (computed.fit !== 'answered' || !computed.fact_ids.length) return { question: computed.fit, note: computed.note };
  // Context facts ("of the 812 who entered") do not count: the answer must cite what was asked.
  if (shownIds.some((id) => computed.key_fact_ids.includes(id))) return { question: 'answered', note: null };
  return { question: 'closest_facts', note: 'The answer cites none of the facts this question is about.' };
}

function history(llm: LlmEnv, conversationId: string): { role: string; content: string }[] {
  return llm.db
    .select()
    .from(schema.messages)
    .where(eq(schema.messages.conversationId, conversationId))
    .orderBy(asc(schema.messages.createdAt))
    .all()
    .slice(-6)
    .map((m) => ({ role: m.role, content: m.content.slice(0, 400) }));
}

export interface AskInput {
  funnelId: string;
  question: string;
  conversationId?: string;
  facts: FactSheet;
  recommendations?: AskAdvice[];
  /** The dataset's columns, when known: a refusal can then name the ones the funnel is not broken down by. */
  columns?: string[];
  context: Record<string, unknown>;
  options: LlmOptions;
}

/** A refusal is never sent to a model: there is no fact for it to phrase, only a gap to name. */
function noModel(started: number): GenerationInfo {
  return {
    generation_id: null,
    provider: 'none',
    model: '',
    prompt_id: 'ask',
    prompt_version: '',
    cache_hit: false,
    duration_ms: performance.now() - started,
    tokens_in: null,
    tokens_out: null,
    data_left_device: false,
    banner: null,
  };
}

export async function ask(llm: LlmEnv, input: AskInput, ctx: RunContext): Promise<AskOutput> {
  const started = performance.now();
  const db = llm.db;
  let conversationId = input.conversationId;
  if (conversationId) {
    const conv = db.select().from(schema.conversations).where(eq(schema.conversations.id, conversationId)).get();
    if (!conv) throw new IafaError('not_found', `No conversation with id "${conversationId}".`);
  }
  const previous = conversationId ? history(llm, conversationId) : [];
  const computed = computedAnswer(input.question, input.facts.facts, input.recommendations ?? [], input.columns ?? []);
  const deterministic = { answer: computed.answer, fact_ids: computed.fact_ids, follow_up_questions: computed.follow_up_questions };
  let narrative: { answer: string; fact_ids?: string[]; follow_up_questions?: string[] } = deterministic;
  let grounding: GroundingReport = { checked: 0, passed: true, fallback_fields: [], ungrounded: [] };
  let generation = noModel(started);
  if (computed.fit !== 'not_in_data') {
    const out = await narrate(
      llm,
      {
        task: 'ask',
        facts: input.facts,
        deterministic,
        // The kind and the facts it needs steer the model to the question actually asked.
        context: { ...input.context, question: input.question, question_kind: computed.kind, relevant_fact_ids: computed.fact_ids, history: previous },
        scope: { funnel_id: input.funnelId },
        options: input.options,
      },
      ctx,
    );
    narrative = out.narrative as typeof narrative;
    grounding = out.grounding;
    generation = out.generation;
    // An answer replaced by the computed text answers with the computed text's facts.
    if (grounding.fallback_fields.includes('answer')) narrative = { ...narrative, fact_ids: computed.fact_ids };
  }
  const byId = new Map(input.facts.facts.map((f) => [f.id, f]));
  const shownIds = (narrative.fact_ids ?? []).filter((id) => byId.has(id));
  const supporting = shownIds.map((id) => {
    const f = byId.get(id) as Fact;
    return { fact_id: f.id, label: f.label, display: f.display };
  });
  const signals: AskSignals = {
    numbers: numbersSignal(narrative.answer, shownIds, input.facts.facts),
    ...questionSignal(computed, shownIds),
    kind: computed.kind,
    missing: computed.missing,
  };
  const now = nowIso();
  const funnelExists = db.select({ id: schema.funnels.id }).from(schema.funnels).where(eq(schema.funnels.id, input.funnelId)).get();
  llm.db.transaction((tx) => {
    if (!conversationId) {
      conversationId = newId('conv');
      tx.insert(schema.conversations)
        .values({ id: conversationId, funnelId: funnelExists ? input.funnelId : null, title: input.question.slice(0, 80), createdAt: now, updatedAt: now })
        .run();
    } else tx.update(schema.conversations).set({ updatedAt: now }).where(eq(schema.conversations.id, conversationId)).run();
    tx.insert(schema.messages)
      .values({ id: newId('msg'), conversationId, role: 'user', content: input.question, createdAt: now })
      .run();
    tx.insert(schema.messages)
      .values({
        id: newId('msg'),
        conversationId,
        role: 'assistant',
        content: narrative.answer,
        generationId: generation.generation_id,
        payloadJson: JSON.stringify({ supporting_data: supporting, follow_up_questions: narrative.follow_up_questions ?? [], grounding, signals, generation }),
        // A later timestamp keeps the pair in order when both land in the same millisecond.
        createdAt: new Date(Date.parse(now) + 1).toISOString(),
      })
      .run();
  });
  return {
    conversation_id: conversationId as string,
    question: input.question,
    answer: narrative.answer,
    supporting_data: supporting,
    follow_up_questions: narrative.follow_up_questions ?? [],
    grounding,
    signals,
    generation,
  };
}

export function getConversation(llm: Pick<LlmEnv, 'db'>, id: string) {
  const conv = llm.db.select().from(schema.conversations).where(eq(schema.conversations.id, id)).get();
  if (!conv) throw new IafaError('not_found', `No conversation with id "${id}".`);
  const messages = llm.db.select().from(schema.messages).where(eq(schema.messages.conversationId, id)).orderBy(asc(schema.messages.createdAt)).all();
  return {
    id: conv.id,
    funnel_id: conv.funnelId,
    title: conv.title,
    messages: messages.map((m) => ({
      id: m.id,
      role: m.role === 'user' ? ('user' as const) : ('assistant' as const),
      content: m.content,
      payload: JSON.parse(m.payloadJson) as Record<string, unknown>,
      created_at: m.createdAt,
    })),
  };
}
