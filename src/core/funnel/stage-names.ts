import { stepEvents, type FunnelDefinition } from '../../shared/contract';

/** A stage is named by its label, else by its events (`cart|fav`): the same in every backend. */
export function stageNames(def: FunnelDefinition): string[] {
  return def.steps.map((s) => s.label || stepEvents(s).join('|'));
}
