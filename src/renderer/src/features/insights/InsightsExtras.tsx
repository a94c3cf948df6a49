import { useState } from 'react';
import type { Fact } from '../../../../shared/contract';
import type { InsightsReport } from '../../../../shared/contract';
import { Badge } from '../../components/ui';
import { fmtInt } from '../../format';
import { FactList } from './FactList';

type Audience = 'data_scientist' | 'executive' | 'product_manager';
const AUDIENCES: { id: Audience; label: string }[] = [
  { id: 'data_scientist', label: 'Data scientist' },
  { id: 'executive', label: 'Executive' },
  { id: 'product_manager', label: 'Product manager' },
];

/** The full Insights workspace adds summaries per audience, anomalies, comparisons and experiment ideas. */
export function InsightsExtras({
  report,
  facts,
}: {
  report: Pick<InsightsReport, 'summary' | 'anomalies' | 'comparisons' | 'experiment_suggestions'>;
  facts: Map<string, Fact>;
}) {
  const [aud, setAud] = useState<Audience>('data_scientist');
  return (
    <>
      <h3>Summary</h3>
      {/* Toggle buttons rather than ARIA tabs: each is a plain tab stop, no arrow-key contract to honour. */}
      <div role="group" aria-label="Summary for" className="tabs">
        {AUDIENCES.map((a) => (
          <button key={a.id} type="button" aria-pressed={aud === a.id} onClick={() => setAud(a.id)}>
            {a.label}
          </button>
        ))}
      </div>
      <p className="summary" data-testid="summary" aria-live="polite">
        {report.summary[aud]}
      </p>

      {report.anomalies.length > 0 && (
        <>
          <h3>Anomalies</h3>
          <table className="table compact" data-testid="anomalies">
            <thead>
              <tr>
                <th>Date</th>
                <th>Series</th>
                <th>Direction</th>
                <th>Severity</th>
                <th>What to check</th>
              </tr>
            </thead>
            <tbody>
              {report.anomalies.map((a) => (
                <tr key={a.id}>
                  <td>{a.date}</td>
                  <td>
                    {a.metric.replace(/_/g, ' ')}
                    {a.stage ? ` · ${a.stage}` : ''}
                    {a.segment ? ` · ${a.segment}` : ''}
                  </td>
                  <td>{a.direction}</td>
                  <td>
                    <Badge tone={a.severity === 'High' ? 'bad' : a.severity === 'Medium' ? 'warn' : 'muted'}>{a.severity}</Badge>
                  </td>
                  <td>
                    {a.hints.join(' ')}
                    <FactList ids={a.fact_ids} facts={facts} title="Figures" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      {report.comparisons.length > 0 && (
        <>
          <h3>Comparisons</h3>
          <ul className="insight-list">
            {report.comparisons.map((c, i) => (
              <li key={i}>
                <Badge tone={c.significant ? 'info' : 'muted'}>{c.significant ? 'significant' : 'not significant'}</Badge> {c.text}
              </li>
            ))}
          </ul>
        </>
      )}

      {report.experiment_suggestions.length > 0 && (
        <>
          <h3>Experiment suggestions</h3>
          <ul className="insight-list" data-testid="experiment-suggestions">
            {report.experiment_suggestions.map((s) => (
              <li key={s.id}>
                <strong>{s.hypothesis}</strong> {s.test_design}{' '}
                <span className="muted">
                  {fmtInt(s.sample_size_per_variant)} users per variant · {s.duration}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
