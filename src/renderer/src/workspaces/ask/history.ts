import { useSyncExternalStore } from 'react';

/**
 * The list of Ask conversations this profile has started. The messages themselves live in the
 * engine's database (`conversations:get`); the list is kept here because the contract has no
 * "list conversations" call, and a reload must still show what the user asked before.
 */
export interface ConversationEntry {
  id: string;
  funnelId: string;
  title: string;
  updatedAt: string;
}

const KEY = 'iafa.ask.conversations';
const ACTIVE_KEY = 'iafa.ask.active';
const MAX = 50;
const listeners = new Set<() => void>();

function load(): ConversationEntry[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    if (!Array.isArray(v)) return [];
    return v.filter(
      (e): e is ConversationEntry =>
        typeof e === 'object' && e !== null && typeof e.id === 'string' && typeof e.funnelId === 'string' && typeof e.title === 'string',
    );
  } catch {
    // A corrupt entry only loses the list, never the app.
    return [];
  }
}

let entries = load();
let active: string | null = localStorage.getItem(ACTIVE_KEY);

function emit(): void {
  localStorage.setItem(KEY, JSON.stringify(entries));
  if (active) localStorage.setItem(ACTIVE_KEY, active);
  else localStorage.removeItem(ACTIVE_KEY);
  listeners.forEach((l) => l());
}

export function rememberConversation(entry: Omit<ConversationEntry, 'updatedAt'>): void {
  const existing = entries.find((e) => e.id === entry.id);
  const next: ConversationEntry = { ...entry, title: existing?.title ?? entry.title, updatedAt: new Date().toISOString() };
  entries = [next, ...entries.filter((e) => e.id !== entry.id)].slice(0, MAX);
  active = entry.id;
  emit();
}

export function forgetConversation(id: string): void {
  entries = entries.filter((e) => e.id !== id);
  if (active === id) active = null;
  emit();
}

export function setActiveConversation(id: string | null): void {
  active = id;
  emit();
}

interface Snapshot {
  entries: ConversationEntry[];
  active: string | null;
}
let snapshot: Snapshot = { entries, active };
function getSnapshot(): Snapshot {
  if (snapshot.entries !== entries || snapshot.active !== active) snapshot = { entries, active };
  return snapshot;
}

export function useConversations(): Snapshot {
  return useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, getSnapshot);
}
