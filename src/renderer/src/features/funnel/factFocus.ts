import type { FunnelResult } from '../../../../shared/contract';
import { factKey as key, stageKeys } from '../../../../shared/fact-keys';

/**
 * Which part of the Dashboard shows a cited fact. Fact ids are built by src/core/insights
 * (factbook.ts, base.ts): `stage.<key>.<metric>`, `segment.<key>.<metric>`, `funnel.<metric>`,
 * `period.<current|previous>...`, where a key is the name with separators replaced by `_`
 * (stages also lower-cased and numbered when two share a name). The same rules are applied here
 * to the computed result's names, so a fact finds its row without a lookup table.
 */
export type FactFocus =
  | { kind: 'stage'; index: number; what: string }
  | { kind: 'segment'; value: string; what: string }
  | { kind: 'kpi'; kpi: 'entered' | 'completed' | 'overall' | 'previous' | 'period'; what: string };

const metric = (m: string | undefined) => (m ?? '').replace(/_/g, ' ');

export function factFocus(factId: string, r: FunnelResult): FactFocus | null {
  const parts = factId.split('.');
  const [head] = parts;
  const stageAt = (k: string) => stageKeys(r.stages.map((s) => s.stage_name)).indexOf(k);
  if (head === 'stage' && parts.length >= 3) {
    const index = stageAt(parts[1]);
    return index < 0 ? null : { kind: 'stage', index, what: `${metric(parts.slice(2).join('.'))} at stage “${r.stages[index].stage_name}”` };
  }
  if (head === 'segment' && parts.length >= 3) {
    const value = Object.keys(r.segment_breakdown ?? {}).find((v) => key(v) === parts[1]);
    return value === undefined ? null : { kind: 'segment', value, what: `${metric(parts.slice(2).join('.'))} for ${r.segment_by ?? 'segment'} “${value}”` };
  }
  if (head === 'period' && parts[1] === 'previous' && parts[2] === 'stage') {
    const index = stageAt(parts[3] ?? '');
    return index < 0 ? null : { kind: 'stage', index, what: `previous-period ${metric(parts[4])} at stage “${r.stages[index].stage_name}”` };
  }
  if (head === 'period')
    return parts[1] === 'previous' ? { kind: 'kpi', kpi: 'previous', what: 'the previous period' } : { kind: 'kpi', kpi: 'period', what: 'the period' };
  if (head === 'funnel' || head === 'overall') {
    const m = parts[1] ?? '';
    const kpi = m.startsWith('total') ? 'entered' : m.startsWith('completed') ? 'completed' : 'overall';
    return { kind: 'kpi', kpi, what: `the funnel’s ${metric(m)}` };
  }
  return null;
}

/** The bar colour of the cited stage or segment (amber: distinct from the blue and green series for the colour-blind). */
export const HIGHLIGHT_FILL = '#E69F00';
