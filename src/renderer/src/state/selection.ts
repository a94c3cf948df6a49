import { useSyncExternalStore } from 'react';
import type { FunnelDefinitionInput } from '../../../shared/contract';

/**
 * What the user is looking at, shared by every workspace: the dataset, the saved funnel (if any)
 * and the funnel definition being explored. Kept in localStorage so a reload (or the next launch)
 * opens where the user left off.
 */
export interface Selection {
  datasetId: string | null;
  funnelId: string | null;
  definition: FunnelDefinitionInput | null;
}

const KEY = 'iafa.selection';
const listeners = new Set<() => void>();

function load(): Selection {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    if (v && typeof v === 'object') return { datasetId: v.datasetId ?? null, funnelId: v.funnelId ?? null, definition: v.definition ?? null };
  } catch {
    // A corrupt entry is ignored rather than breaking the app.
  }
  return { datasetId: null, funnelId: null, definition: null };
}

let current: Selection = load();

export function getSelection(): Selection {
  return current;
}

export function setSelection(patch: Partial<Selection>): void {
  current = { ...current, ...patch };
  // Switching dataset invalidates a definition written for another dataset's events.
  if (patch.datasetId !== undefined && patch.definition === undefined && patch.datasetId !== null) {
    current = { ...current, funnelId: patch.funnelId ?? null };
  }
  localStorage.setItem(KEY, JSON.stringify(current));
  listeners.forEach((l) => l());
}

export function useSelection(): Selection {
  return useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, getSelection);
}
