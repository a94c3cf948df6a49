import { IafaError, type FunnelDefinition, type FunnelResult } from '../../shared/contract';
import { denseRange } from './dense-range';
import { segmentTests } from './segment-tests';

type Counted = Omit<FunnelResult, 'definition' | 'dataset_id' | 'computed_ms' | 'segment_tests' | 'dense_range'>;

/**
 * What every backend adds to its counts, so a funnel reads the same whichever engine counted it:
 * the segment significance cues, the dense date range, and the refusal of a segment no result can
 * carry. `t0` is when the backend started (performance.now()).
 */
export function finishFunnel(out: Counted, def: FunnelDefinition, datasetId: string, t0: number): FunnelResult {
  // A segment named "__proto__" cannot be a key of the result (the contract's records drop it
  // without a word), so the breakdown would silently miss it: refuse instead.
  if (out.segment_breakdown && Object.hasOwn(out.segment_breakdown, '__proto__')) {
    throw new IafaError(
      'validation',
      `Column "${def.breakdown}" has the value "__proto__", which cannot name a segment; exclude it (exclude: { "${def.breakdown}": ["__proto__"] }) or break down by another column.`,
      { reason: 'unsupported', column: def.breakdown },
    );
  }
  const tests = segmentTests(out);
  const dense = denseRange(out.daily);
  return {
    ...out,
    ...(tests ? { segment_tests: tests } : {}),
    ...(dense ? { dense_range: dense } : {}),
    definition: def,
    dataset_id: datasetId,
    computed_ms: Math.round((performance.now() - t0) * 100) / 100,
  };
}
