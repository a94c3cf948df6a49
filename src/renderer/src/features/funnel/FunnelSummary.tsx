import type { FunnelResult } from '../../../../shared/contract';
import type { ReactNode } from 'react';
import { fmtInt, fmtPct } from '../../format';
import type { FactFocus } from './factFocus';

function Kpi({ hl, children }: { hl: boolean; children: ReactNode }) {
  return <div className={hl ? 'fact-highlight' : undefined} {...(hl ? { 'data-fact-highlight': 'true' } : {})}>{children}</div>;
}

/** Headline figures of the computed funnel, with the previous period of equal length when there is one. */
export function FunnelSummary({ result, focus = null }: { result: FunnelResult; focus?: FactFocus | null }) {
  const prev = result.previous_period;
  const at = focus?.kind === 'kpi' ? focus.kpi : null;
  return (
    <dl className="kpis" data-testid="funnel-kpis">
      <Kpi hl={at === 'entered'}><dt>Entered ({result.stages[0]?.stage_name})</dt><dd>{fmtInt(result.total_users)}</dd></Kpi>
      <Kpi hl={at === 'completed'}><dt>Completed</dt><dd>{fmtInt(result.completed_users)}</dd></Kpi>
      <Kpi hl={at === 'overall'}><dt>Overall conversion</dt><dd>{fmtPct(result.overall_conversion_rate)}</dd></Kpi>
      {prev && (
        <Kpi hl={at === 'previous'}>
          <dt>Previous period ({prev.date_range.start} – {prev.date_range.end})</dt>
          <dd>{fmtPct(prev.overall_conversion_rate)} <span className="muted small">of {fmtInt(prev.total_users)}</span></dd>
        </Kpi>
      )}
      {result.date_range && <Kpi hl={at === 'period'}><dt>Period</dt><dd className="small-dd">{result.date_range.start} – {result.date_range.end}</dd></Kpi>}
    </dl>
  );
}
