import type { Fact } from '../../../../shared/contract';

/**
 * Questions about something other than a saved funnel, e.g. an experiment's results: the caller
 * hands Ask the computed facts (analytics:ask accepts them) and a scope id to file the
 * conversation under. The facts are kept per conversation so follow-ups after a reload are
 * answered from the same numbers.
 */
export interface AskContext {
  title: string;
  scopeId: string;
  facts: Fact[];
}

const PENDING = 'iafa.ask.context';
const PER_CONVERSATION = 'iafa.ask.facts.';

function parse(raw: string | null): AskContext | null {
  try {
    const v = raw ? (JSON.parse(raw) as AskContext) : null;
    return v && typeof v.title === 'string' && typeof v.scopeId === 'string' && Array.isArray(v.facts) ? v : null;
  } catch {
    return null;
  }
}

/** Called by another workspace just before it navigates to #/ask. */
export function openAskWith(ctx: AskContext): void {
  sessionStorage.setItem(PENDING, JSON.stringify(ctx));
  window.location.hash = '#/ask';
}

export function peekPendingContext(): AskContext | null {
  return parse(sessionStorage.getItem(PENDING));
}

export function clearPendingContext(): void {
  sessionStorage.removeItem(PENDING);
}

export function saveContextFor(conversationId: string, ctx: AskContext): void {
  try {
    localStorage.setItem(PER_CONVERSATION + conversationId, JSON.stringify(ctx));
  } catch {
    // Storage full: follow-ups after a reload fall back to the funnel's own facts.
  }
}

export function contextFor(conversationId: string | null): AskContext | null {
  return conversationId ? parse(localStorage.getItem(PER_CONVERSATION + conversationId)) : null;
}

export function forgetContextFor(conversationId: string): void {
  localStorage.removeItem(PER_CONVERSATION + conversationId);
}
