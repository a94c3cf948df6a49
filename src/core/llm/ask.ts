import { asc, eq } from 'drizzle-orm';
import type { AskOutput, Fact, FactSheet, LlmOptions } from '../../shared/contract';
import { IafaError } from '../../shared/contract';
import { schema } from '../db';
import { newId, nowIso } from '../ids';
import { narrate, type LlmEnv, type RunContext } from './narrate';

const STOP = new Set('a an and are at by did do does for from how i in is it its me of on or our the this to was we what when where which who why with vs versus than there their about'.split(' '));
const MAX_WORDS = /\b(largest|biggest|highest|most|max|maximum|best|top)\b/;
const MIN_WORDS = /\b(lowest|smallest|least|min|minimum|fewest|worst)\b/;

function words(s: string): string[] {
  return s.toLowerCase().replace(/[_.·:/()-]/g, ' ').split(/[^a-z0-9%]+/).filter((w) => w.length > 1 && !STOP.has(w)).map((w) => w.replace(/(ies|s)$/, (m) => (m === 'ies' ? 'y' : '')));
}

/** Facts ranked by how many of the question's words their label and id share. */
export function matchFacts(question: string, facts: Fact[], limit = 3): Fact[] {
  const q = new Set(words(question));
  if (q.size === 0) return [];
  const scored = facts.map((f) => {
    const fw = new Set([...words(f.label), ...words(f.id)]);
    let score = 0;
    // Shared stems count ("converts" / "conversion"), so questions need not use the labels' words.
    for (const w of q) if (fw.has(w) || [...fw].some((x) => x.length >= 5 && w.length >= 5 && x.slice(0, 5) === w.slice(0, 5))) score++;
    // Among equal matches the more specific fact (fewer words) wins: "segment conversion" means
    // a segment's conversion, not a comparison row that also mentions both words.
    return { f, score: score > 0 ? score - fw.size * 0.001 : 0 };
  }).filter((s) => s.score > 0).sort((a, b) => b.score - a.score);
  if (!scored.length) return [];
  const top = Math.ceil(scored[0].score);
  let best = scored.filter((s) => Math.ceil(s.score) === top).map((s) => s.f);
  // "Which stage has the largest drop-off?" asks for an extreme, not a list.
  const ql = question.toLowerCase();
  if (MAX_WORDS.test(ql) || MIN_WORDS.test(ql)) {
    // Compare like with like: the most specific match's id with its middle part (the stage or
    // segment) left open, e.g. segment.*.overall_conversion_rate.
    const parts = best[0].id.split('.');
    // "Worst" drop-off is the largest one; "worst" conversion the smallest.
    const wantMax = MAX_WORDS.test(ql) !== (/\bworst\b/.test(ql) && /drop/.test(best[0].id));
    const shape = (id: string) => { const p = id.split('.'); return p.length === parts.length && p[0] === parts[0] && p.slice(2).join('.') === parts.slice(2).join('.'); };
    const same = scored.map((x) => x.f).filter((f) => f.unit === best[0].unit && shape(f.id)).sort((a, b) => (wantMax ? b.value - a.value : a.value - b.value));
    best = same.slice(0, 1);
  }
  return best.slice(0, limit);
}

/** Questions the deterministic answerer can answer well, offered when the data has those facts. */
function followUps(facts: Fact[], used: Set<string>): string[] {
  const has = (rx: RegExp) => facts.some((f) => rx.test(f.id) && !used.has(f.id));
  const out: string[] = [];
  if (has(/drop_off/)) out.push('Which stage has the largest drop-off?');
  if (has(/^segments?\./)) out.push('Which segment has the highest overall conversion?');
  if (has(/^previous\./) || has(/previous/)) out.push('How does overall conversion compare with the previous period?');
  for (const f of facts) {
    if (out.length >= 3) break;
    if (!used.has(f.id)) out.push(`What about ${f.label.charAt(0).toLowerCase()}${f.label.slice(1).replace(/[?.]+$/, '')}?`.slice(0, 160));
  }
  return out.slice(0, 3);
}

/** The answer the app gives with no model: the matching facts, quoted exactly. */
export function deterministicAnswer(question: string, sheet: FactSheet): { answer: string; fact_ids: string[]; follow_up_questions: string[] } {
  const hits = matchFacts(question, sheet.facts);
  const used = new Set(hits.map((f) => f.id));
  const follow = followUps(sheet.facts, used);
  if (!hits.length) {
    return {
      answer: 'The computed facts for this funnel do not answer that directly. Ask about a stage, a segment, conversion or drop-off.',
      fact_ids: [],
      follow_up_questions: follow,
    };
  }
  return { answer: hits.map((f) => `${f.label}: ${f.display}.`).join(' '), fact_ids: hits.map((f) => f.id), follow_up_questions: follow };
}

function history(llm: LlmEnv, conversationId: string): { role: string; content: string }[] {
  return llm.db.select().from(schema.messages).where(eq(schema.messages.conversationId, conversationId)).orderBy(asc(schema.messages.createdAt)).all()
    .slice(-6).map((m) => ({ role: m.role, content: m.content.slice(0, 400) }));
}

export async function ask(
  llm: LlmEnv,
  input: { funnelId: string; question: string; conversationId?: string; facts: FactSheet; context: Record<string, unknown>; options: LlmOptions },
  ctx: RunContext,
): Promise<AskOutput> {
  const db = llm.db;
  let conversationId = input.conversationId;
  if (conversationId) {
    const conv = db.select().from(schema.conversations).where(eq(schema.conversations.id, conversationId)).get();
    if (!conv) throw new IafaError('not_found', `No conversation with id "${conversationId}".`);
  }
  const previous = conversationId ? history(llm, conversationId) : [];
  const out = await narrate(llm, {
    task: 'ask',
    facts: input.facts,
    deterministic: deterministicAnswer(input.question, input.facts),
    context: { ...input.context, question: input.question, history: previous },
    scope: { funnel_id: input.funnelId },
    options: input.options,
  }, ctx);
  const n = out.narrative as { answer: string; fact_ids?: string[]; follow_up_questions?: string[] };
  const byId = new Map(input.facts.facts.map((f) => [f.id, f]));
  const supporting = (n.fact_ids ?? []).filter((id) => byId.has(id)).map((id) => {
    const f = byId.get(id) as Fact;
    return { fact_id: f.id, label: f.label, display: f.display };
  });
  const now = nowIso();
  const funnelExists = db.select({ id: schema.funnels.id }).from(schema.funnels).where(eq(schema.funnels.id, input.funnelId)).get();
  llm.db.transaction((tx) => {
    if (!conversationId) {
      conversationId = newId('conv');
      tx.insert(schema.conversations).values({ id: conversationId, funnelId: funnelExists ? input.funnelId : null, title: input.question.slice(0, 80), createdAt: now, updatedAt: now }).run();
    } else tx.update(schema.conversations).set({ updatedAt: now }).where(eq(schema.conversations.id, conversationId)).run();
    tx.insert(schema.messages).values({ id: newId('msg'), conversationId, role: 'user', content: input.question, createdAt: now }).run();
    tx.insert(schema.messages).values({
      id: newId('msg'), conversationId, role: 'assistant', content: n.answer, generationId: out.generation.generation_id,
      payloadJson: JSON.stringify({ supporting_data: supporting, follow_up_questions: n.follow_up_questions ?? [], grounding: out.grounding, generation: out.generation }),
      // A later timestamp keeps the pair in order when both land in the same millisecond.
      createdAt: new Date(Date.parse(now) + 1).toISOString(),
    }).run();
  });
  return {
    conversation_id: conversationId as string,
    question: input.question,
    answer: n.answer,
    supporting_data: supporting,
    follow_up_questions: n.follow_up_questions ?? [],
    grounding: out.grounding,
    generation: out.generation,
  };
}

export function getConversation(llm: Pick<LlmEnv, 'db'>, id: string) {
  const conv = llm.db.select().from(schema.conversations).where(eq(schema.conversations.id, id)).get();
  if (!conv) throw new IafaError('not_found', `No conversation with id "${id}".`);
  const messages = llm.db.select().from(schema.messages).where(eq(schema.messages.conversationId, id)).orderBy(asc(schema.messages.createdAt)).all();
  return {
    id: conv.id, funnel_id: conv.funnelId, title: conv.title,
    messages: messages.map((m) => ({ id: m.id, role: m.role === 'user' ? 'user' as const : 'assistant' as const, content: m.content, payload: JSON.parse(m.payloadJson) as Record<string, unknown>, created_at: m.createdAt })),
  };
}
