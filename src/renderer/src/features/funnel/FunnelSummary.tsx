import type { FunnelResult } from '../../../../shared/contract';
import type { ReactNode } from 'react';
import { fmtInt, fmtPct } from '../../format';
import { plural } from '../../../../shared/plural';
import type { FactFocus } from './factFocus';

function Kpi({ hl, children }: { hl: boolean; children: ReactNode }) {
  return (
    <div className={hl ? 'fact-highlight' : undefined} {...(hl ? { 'data-fact-highlight': 'true' } : {})}>
      {children}
    </div>
  );
}

/** Headline figures of the computed funnel, with the previous period of equal length when there is one. */
export function FunnelSummary({ result, focus = null }: { result: FunnelResult; focus?: FactFocus | null }) {
  const prev = result.previous_period;
  const at = focus?.kind === 'kpi' ? focus.kpi : null;
  return (
    <dl className="kpis" data-testid="funnel-kpis">
      <Kpi hl={at === 'entered'}>
        <dt>Entered ({result.stages[0]?.stage_name})</dt>
        <dd>{fmtInt(result.total_users)}</dd>
      </Kpi>
      <Kpi hl={at === 'completed'}>
        <dt>Completed</dt>
        <dd>{fmtInt(result.completed_users)}</dd>
      </Kpi>
      <Kpi hl={at === 'overall'}>
        <dt>Overall conversion</dt>
        <dd>{fmtPct(result.overall_conversion_rate)}</dd>
      </Kpi>
      {prev && (
        <Kpi hl={at === 'previous'}>
          <dt>
            Previous period ({prev.date_range.start} – {prev.date_range.end})
          </dt>
          <dd>
            {fmtPct(prev.overall_conversion_rate)} <span className="muted small">of {fmtInt(prev.total_users)}</span>
          </dd>
        </Kpi>
      )}
      {result.date_range && (
        <Kpi hl={at === 'period'}>
          <dt>Period</dt>
          {/* A stray day months away is not the period: the main block, with the stray days named below the KPIs. */}
          <dd className="small-dd">
            {result.dense_range ? `${result.dense_range.start} – ${result.dense_range.end}` : `${result.date_range.start} – ${result.date_range.end}`}
            {result.dense_range && <span className="muted small"> (+{plural(result.dense_range.left_out_days.length, 'isolated day')})</span>}
          </dd>
        </Kpi>
      )}
    </dl>
  );
}

/**
 * Days far from the rest of the data (one stray event from months before): named, left out of the
 * daily chart, and the main block offered as the funnel's date range.
 */
export function DenseRangeNote({ result, onUse }: { result: FunnelResult; onUse(range: { from: string; to: string }): void }) {
  const d = result.dense_range;
  if (!d) return null;
  const days = d.left_out_days;
  const shown = days.length <= 3 ? days.join(', ') : `${days.slice(0, 3).join(', ')} and ${days.length - 3} more`;
  const filtered = result.definition.from === d.start && result.definition.to === d.end;
  return (
    <div className="note info" role="status" data-testid="dense-range">
      {plural(days.length, 'day')} ({shown}, {plural(d.left_out_users, 'user')} starting) {days.length === 1 ? 'lies' : 'lie'} more than two weeks from the rest
      of the data, which runs {d.start} – {d.end}. {days.length === 1 ? 'It is' : 'They are'} counted in the totals but left out of the daily chart and the
      period.
      {!filtered && (
        <>
          {' '}
          <button type="button" onClick={() => onUse({ from: d.start, to: d.end })} data-testid="use-dense-range">
            Analyse {d.start} – {d.end} only
          </button>
        </>
      )}
    </div>
  );
}
