import type { FunnelResult } from '../../../../shared/contract';
import { fmtInt, fmtPct } from '../../format';

/** Headline figures of the computed funnel, with the previous period of equal length when there is one. */
export function FunnelSummary({ result }: { result: FunnelResult }) {
  const prev = result.previous_period;
  return (
    <dl className="kpis" data-testid="funnel-kpis">
      <div><dt>Entered ({result.stages[0]?.stage_name})</dt><dd>{fmtInt(result.total_users)}</dd></div>
      <div><dt>Completed</dt><dd>{fmtInt(result.completed_users)}</dd></div>
      <div><dt>Overall conversion</dt><dd>{fmtPct(result.overall_conversion_rate)}</dd></div>
      {prev && (
        <div>
          <dt>Previous period ({prev.date_range.start} – {prev.date_range.end})</dt>
          <dd>{fmtPct(prev.overall_conversion_rate)} <span className="muted small">of {fmtInt(prev.total_users)}</span></dd>
        </div>
      )}
      {result.date_range && <div><dt>Period</dt><dd className="small-dd">{result.date_range.start} – {result.date_range.end}</dd></div>}
    </dl>
  );
}
