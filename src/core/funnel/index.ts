import { IafaError, type FunnelDefinition, type FunnelResult } from '../../shared/contract';
import type { ColumnStore } from '../import';
import { aggregatedFunnel } from './aggregated-funnel';
import { eventFunnel } from './event-funnel';
import { denseRange } from './dense-range';
import { segmentTests } from './segment-tests';
import { tableFunnel } from './table-funnel';

export { windowMs } from './time';
export { parseFunnelArgs, type FunnelCliArgs } from './cli-args';

/** A funnel is a function of the stored columns and a definition; the same shape for every kind. */
export function computeFunnel(store: ColumnStore, def: FunnelDefinition, datasetId: string): FunnelResult {
  const t0 = performance.now();
  const kind = store.manifest.kind;
  const out = kind === 'aggregated' ? aggregatedFunnel(store.manifest.aggregated!, def) : kind === 'user_table' ? tableFunnel(store, def) : eventFunnel(store, def);
  // A segment named "__proto__" cannot be a key of the result (the contract's records drop it
  // without a word), so the breakdown would silently miss it: refuse instead.
  if (out.segment_breakdown && Object.hasOwn(out.segment_breakdown, '__proto__')) {
    throw new IafaError('validation', `Column "${def.breakdown}" has the value "__proto__", which cannot name a segment; exclude it (exclude: { "${def.breakdown}": ["__proto__"] }) or break down by another column.`, { reason: 'unsupported', column: def.breakdown });
  }
  const tests = segmentTests(out);
  const dense = denseRange(out.daily);
  return { ...out, ...(tests ? { segment_tests: tests } : {}), ...(dense ? { dense_range: dense } : {}), definition: def, dataset_id: datasetId, computed_ms: Math.round((performance.now() - t0) * 100) / 100 };
}
