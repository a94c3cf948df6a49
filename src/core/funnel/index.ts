import type { FunnelDefinition, FunnelResult } from '../../shared/contract';
import type { ColumnStore } from '../import';
import { aggregatedFunnel } from './aggregated-funnel';
import { eventFunnel } from './event-funnel';
import { finishFunnel } from './finish';
import { tableFunnel } from './table-funnel';

/** A funnel is a function of the stored columns and a definition; the same shape for every kind. */
export function computeFunnel(store: ColumnStore, def: FunnelDefinition, datasetId: string): FunnelResult {
  const t0 = performance.now();
  const kind = store.manifest.kind;
  const out = kind === 'aggregated' ? aggregatedFunnel(store.manifest.aggregated!, def) : kind === 'user_table' ? tableFunnel(store, def) : eventFunnel(store, def);
  return finishFunnel(out, def, datasetId, t0);
}
