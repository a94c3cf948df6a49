import type { FunnelDefinition, FunnelResult } from '../../shared/contract';
import type { Splitter } from '../helper-thread';
import type { ColumnSource } from '../store-types';
import { aggregatedFunnel } from './aggregated-funnel';
import { eventFunnel } from './event-funnel';
import { finishFunnel } from './finish';
import { tableFunnel } from './table-funnel';

/**
 * A funnel is a function of the stored columns and a definition; the same shape for every kind.
 * `threads` may take half of a large event log's pass (the local backend passes its helper thread).
 */
export function computeFunnel(store: ColumnSource, def: FunnelDefinition, datasetId: string, threads?: Splitter): FunnelResult {
  const t0 = performance.now();
  const kind = store.manifest.kind;
  const out =
    kind === 'aggregated'
      ? aggregatedFunnel(store.manifest.aggregated!, def)
      : kind === 'user_table'
        ? tableFunnel(store, def)
        : eventFunnel(store, def, threads);
  return finishFunnel(out, def, datasetId, t0);
}
