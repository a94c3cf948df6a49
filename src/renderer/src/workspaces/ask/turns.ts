import { AskOutput, type ConversationMessage } from '../../../../shared/contract';
import type { z } from 'zod';
import { signalLine, signalsOf } from './signals';

type Message = z.infer<typeof ConversationMessage>;

/** One question and what came back; `streamed` holds model text while the answer is being written. */
export interface Turn {
  key: string;
  question: string;
  answer: AskOutput | null;
  streamed: string;
  error: string | null;
  pending: boolean;
  /** Queue position or phase while waiting, e.g. "position 2 in the queue". */
  note?: string;
}

const StoredAnswer = AskOutput.partial();

/**
 * Rebuilds turns from stored messages. The assistant payload is whatever the engine stored with the
 * message, so it is parsed rather than trusted: a missing field degrades to "no chips", not a crash.
 */
export function turnsFromMessages(conversationId: string, messages: Message[]): Turn[] {
  const turns: Turn[] = [];
  for (const m of messages) {
    if (m.role === 'user') {
      turns.push({ key: m.id, question: m.content, answer: null, streamed: '', error: null, pending: false });
      continue;
    }
    const last = turns[turns.length - 1];
    const parsed = StoredAnswer.safeParse(m.payload);
    const p = parsed.success ? parsed.data : {};
    const answer: AskOutput = {
      conversation_id: conversationId,
      question: last?.question ?? '',
      answer: m.content,
      supporting_data: p.supporting_data ?? [],
      follow_up_questions: p.follow_up_questions ?? [],
      grounding: p.grounding ?? { checked: 0, passed: true, fallback_fields: [], ungrounded: [] },
      signals: signalsOf({ grounding: p.grounding ?? { checked: 0, passed: false, fallback_fields: [], ungrounded: [] }, signals: p.signals }),
      generation: p.generation ?? {
        generation_id: null,
        provider: 'unknown',
        model: '',
        prompt_id: 'ask',
        prompt_version: '',
        cache_hit: false,
        duration_ms: 0,
        tokens_in: null,
        tokens_out: null,
        data_left_device: false,
        banner: null,
      },
    };
    if (last && last.answer === null) last.answer = answer;
    else turns.push({ key: m.id, question: '', answer, streamed: '', error: null, pending: false });
  }
  return turns;
}

/** Markdown export of a conversation: questions, answers, the cited facts with their values. */
export function conversationMarkdown(title: string, turns: Turn[]): string {
  const lines = [`# ${title}`, '', `Exported from IAFA on ${new Date().toISOString().slice(0, 10)}.`, ''];
  for (const t of turns) {
    if (t.question) lines.push(`## Q: ${t.question}`, '');
    if (!t.answer) continue;
    lines.push(t.answer.answer, '');
    if (t.answer.supporting_data.length) {
      lines.push('**Supporting data**', '');
      for (const d of t.answer.supporting_data) lines.push(`- ${d.label}: ${d.display} (\`${d.fact_id}\`)`);
      lines.push('');
    }
    lines.push(
      `_${t.answer.generation.provider === 'none' ? 'Computed analysis' : `Model: ${t.answer.generation.provider} ${t.answer.generation.model}`} · ${signalLine(signalsOf(t.answer))}_`,
      '',
    );
  }
  return lines.join('\n');
}

/**
 * Models answer in JSON (the schema has an `answer` field), so the raw stream starts with `{"answer": "...`.
 * While it streams, show the part of the answer string received so far; the final, grounded answer
 * replaces it. Plain-text streams are shown as they come.
 */
export function draftAnswer(raw: string): string {
  const t = raw.trimStart().replace(/^```(?:json)?\s*/, '');
  if (!t.startsWith('{')) return raw;
  const m = /"answer"\s*:\s*"/.exec(t);
  if (!m) return '';
  let out = '';
  for (let i = m.index + m[0].length; i < t.length; i++) {
    const c = t[i];
    if (c === '"') break;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = t[i + 1];
    if (n === undefined) break;
    if (n === 'u') {
      const hex = t.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) break;
      out += String.fromCharCode(parseInt(hex, 16));
      i += 5;
    } else {
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n;
      i += 1;
    }
  }
  return out;
}
