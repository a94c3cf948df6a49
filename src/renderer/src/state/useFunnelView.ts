import type { FunnelDefinitionInput } from '../../../shared/contract';
import { useSelection } from './selection';

/** Stable JSON (sorted keys, undefined dropped) so two definitions compare by content. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : val,
  );
}

export type AnalysisTarget = { funnelId: string } | { datasetId: string; definition: FunnelDefinitionInput };

/**
 * What the insights and hypotheses calls should analyse: the saved funnel when one is selected
 * (so recommendation statuses attach to it), otherwise the dataset + the funnel being explored.
 */
export function useAnalysisTarget(): AnalysisTarget | null {
  const sel = useSelection();
  if (sel.funnelId) return { funnelId: sel.funnelId };
  if (sel.datasetId && sel.definition && sel.definition.steps.length >= 2) return { datasetId: sel.datasetId, definition: sel.definition };
  return null;
}
