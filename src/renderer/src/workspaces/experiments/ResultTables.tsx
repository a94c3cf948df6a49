import type { ExperimentAnalysis, GuardrailCheck, MetricResult, SegmentResult } from '../../../../shared/contract/experiments';
import { Badge } from '../../components/ui';
import { fmtCI, fmtDiff, fmtFraction, fmtInt, fmtNum, fmtP, fmtPct, fmtSignedPct, fmtValue } from './format';

/** Sample ratio mismatch breaks randomization, so it is shown above everything else when it fails. */
export function SrmBanner({ srm }: { srm: ExperimentAnalysis['srm_check'] }) {
  return (
    <div className={`xp-srm ${srm.passed ? 'ok' : 'fail'}`} role={srm.passed ? 'status' : 'alert'} data-testid="xp-srm">
      <strong>{srm.passed ? 'Sample ratio OK' : 'Sample ratio mismatch: do not trust these results'}</strong>
      <span>
        {fmtInt(srm.control_n)} control vs {fmtInt(srm.treatment_n)} treatment (planned{' '}
        {srm.expected_split.map((x) => fmtNum(x * (x <= 1 ? 100 : 1), 1)).join('/')}), p {fmtP(srm.p_value)}, flagged below {srm.threshold}.
      </span>
      <span className="small">{srm.message}</span>
    </div>
  );
}

function Significance({ m }: { m: MetricResult }) {
  if (!m.tested) return <Badge tone="muted">not tested</Badge>;
  return m.significant ? (
    <Badge tone={(m.difference ?? 0) >= 0 === (m.direction === 'higher_is_better') ? 'good' : 'bad'}>significant</Badge>
  ) : (
    <Badge tone="muted">not significant</Badge>
  );
}

function MetricRow({ m, primary }: { m: MetricResult; primary: boolean }) {
  const ciUnit = m.kind === 'rate' ? 'pp' : 'num';
  return (
    <tr data-testid="xp-metric-row">
      <th scope="row">
        {m.metric}
        {primary && (
          <>
            {' '}
            <Badge tone="info">primary</Badge>
          </>
        )}
        <div className="muted small">{m.test}</div>
      </th>
      <td className="num">
        {fmtValue(m.control_value, m.kind)}
        <div className="muted small">n {fmtInt(m.control_n)}</div>
      </td>
      <td className="num">
        {fmtValue(m.treatment_value, m.kind)}
        <div className="muted small">n {fmtInt(m.treatment_n)}</div>
      </td>
      <td className="num">
        {fmtDiff(m.difference, m.kind)}
        <div className="muted small">{fmtCI(m.confidence_interval, ciUnit)}</div>
      </td>
      <td className="num">
        {fmtSignedPct(m.relative_lift)}
        <div className="muted small">{fmtCI(m.relative_lift_ci, 'pct')}</div>
      </td>
      <td className="num">
        {fmtP(m.p_value)}
        {m.p_value_adjusted !== null && m.p_value_adjusted !== m.p_value && <div className="muted small">adj. {fmtP(m.p_value_adjusted)}</div>}
      </td>
      <td className="num">
        {fmtNum(m.effect_size, 3)}
        <div className="muted small">
          {m.effect_size_type === 'cohens_h' ? "Cohen's h" : "Cohen's d"}
          {m.effect_size_label ? `, ${m.effect_size_label}` : ''}
        </div>
      </td>
      <td>
        <Significance m={m} />
        {m.reason && <div className="muted small">{m.reason}</div>}
      </td>
    </tr>
  );
}

export function SignificanceTable({ a }: { a: ExperimentAnalysis }) {
  const sa = a.statistical_analysis;
  return (
    <div className="xp-table-wrap">
      <table className="table" data-testid="xp-significance">
        <caption className="visually-hidden">
          Significance of each metric, {a.control_label} vs {a.treatment_label}
        </caption>
        <thead>
          <tr>
            <th>Metric</th>
            <th className="num">{a.control_label}</th>
            <th className="num">{a.treatment_label}</th>
            <th className="num">Difference (CI)</th>
            <th className="num">Relative lift (CI)</th>
            <th className="num">p</th>
            <th className="num">Effect size</th>
            <th>Result</th>
          </tr>
        </thead>
        <tbody>
          <MetricRow m={sa.primary_metric} primary />
          {sa.secondary_metrics.map((m) => (
            <MetricRow key={m.metric} m={m} primary={false} />
          ))}
        </tbody>
      </table>
      <p className="muted small">
        Rates in percent, differences in percentage points; {(1 - a.alpha) * 100}% confidence intervals. Secondary p-values adjusted with{' '}
        {sa.secondary_correction === 'holm' ? 'Holm' : 'Benjamini–Hochberg'}.{' '}
        {sa.power.at_mde !== null && (
          <strong data-testid="xp-power-at-mde">
            Power at the planned MDE ({sa.power.mde_type === 'relative' ? fmtSignedPct((sa.power.mde ?? 0) * 100, 1) : fmtNum(sa.power.mde, 4)}):{' '}
            {fmtFraction(sa.power.at_mde)}.{' '}
          </strong>
        )}
        {sa.power.note}
      </p>
      {sa.sequential && (
        <p className="muted small">
          Always-valid ({sa.sequential.method}) after {sa.sequential.looks} looks: p {fmtP(sa.sequential.p_value)}, CI{' '}
          {fmtCI(sa.sequential.confidence_interval, 'pp')}.
        </p>
      )}
    </div>
  );
}

export function SegmentTable({ a }: { a: ExperimentAnalysis }) {
  const rows: SegmentResult[] = Object.values(a.segment_analysis);
  if (rows.length === 0) return <p className="muted">No segment breakdown: choose a segment column to see one.</p>;
  const kind = a.statistical_analysis.primary_metric.kind;
  return (
    <div className="xp-table-wrap">
      <table className="table" data-testid="xp-segments">
        <thead>
          <tr>
            <th>Segment</th>
            <th className="num">{a.control_label}</th>
            <th className="num">{a.treatment_label}</th>
            <th className="num">Difference</th>
            <th className="num">Lift</th>
            <th className="num">p (adj.)</th>
            <th>Result</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s) => (
            <tr key={`${s.segment_column}=${s.segment_value}`}>
              <th scope="row">
                {s.segment_value}
                <div className="muted small">
                  {s.segment_column} · n {fmtInt(s.control_n)} / {fmtInt(s.treatment_n)}
                </div>
              </th>
              <td className="num">{fmtValue(s.control, kind)}</td>
              <td className="num">{fmtValue(s.treatment, kind)}</td>
              <td className="num">{fmtDiff(s.difference, kind)}</td>
              <td className="num">{fmtSignedPct(s.lift)}</td>
              <td className="num">
                {fmtP(s.p_value)}
                <div className="muted small">{fmtP(s.p_value_adjusted)}</div>
              </td>
              <td>
                {!s.tested ? (
                  <Badge tone="muted">not tested</Badge>
                ) : s.significant ? (
                  <Badge tone="info">significant</Badge>
                ) : (
                  <Badge tone="muted">not significant</Badge>
                )}
                {s.reason && <div className="muted small">{s.reason}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const GUARD_TONE: Record<GuardrailCheck['status'], 'good' | 'bad' | 'warn'> = { passed: 'good', failed: 'bad', inconclusive: 'warn' };

export function GuardrailTable({ a }: { a: ExperimentAnalysis }) {
  const rows = Object.values(a.guardrail_checks);
  if (rows.length === 0) return <p className="muted">No guardrails checked: tick the metrics that must not get worse.</p>;
  return (
    <table className="table" data-testid="xp-guardrails">
      <caption className="xp-caption">Rates in percent; a relative change is in percent of the control value.</caption>
      <thead>
        <tr>
          <th>Guardrail</th>
          <th>Status</th>
          <th className="num">{a.control_label}</th>
          <th className="num">{a.treatment_label}</th>
          <th className="num">Change (CI)</th>
          <th className="num">Margin</th>
          <th>Rule</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((g) => {
          const pctChange = g.change_type === 'relative';
          return (
            <tr key={g.metric}>
              <th scope="row">{g.metric}</th>
              <td>
                <Badge tone={GUARD_TONE[g.status]}>{g.status}</Badge>
              </td>
              <td className="num">{fmtNum(g.control, 2)}</td>
              <td className="num">{fmtNum(g.treatment, 2)}</td>
              <td className="num">
                {pctChange ? fmtSignedPct(g.change) : fmtNum(g.change, 3)}
                <div className="muted small">{fmtCI(g.change_ci, pctChange ? 'pct' : 'num')}</div>
              </td>
              {/* The engine reports the margin in the change's own units (% relative, pp or metric units). */}
              <td className="num">{g.change_type === 'relative' ? fmtPct(g.margin, 1) : fmtNum(g.margin, 3)}</td>
              <td className="small">{g.rule}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
