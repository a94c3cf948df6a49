import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  ComposedChart,
  ErrorBar,
  LabelList,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { ExperimentAnalysis, MetricResult } from '../../../../shared/contract/experiments';
import { Badge } from '../../components/ui';
import { fmtCI, fmtInt, fmtP, fmtPct, fmtSignedPct, fmtValue } from './format';

/**
 * A/B/n and Bayesian views. Display only: every lift, interval, p-value, chance and decision
 * arrives computed by the engine; the charts place them.
 */

interface Row {
  arm: string;
  m: MetricResult;
  decision?: string;
}

function rowsOf(a: ExperimentAnalysis): Row[] {
  if (a.arms?.length) return a.arms.map((x) => ({ arm: x.treatment_label, m: x.primary_metric, decision: x.recommendation.decision }));
  return [{ arm: a.treatment_label, m: a.statistical_analysis.primary_metric, decision: a.recommendation.decision }];
}

/** The interval the engine reports for the relative lift: the credible interval in a Bayesian read-out. */
function liftInterval(m: MetricResult, bayes: boolean): [number, number] | null {
  return bayes && m.bayesian ? m.bayesian.credible_interval : m.relative_lift_ci;
}

/** Forest plot: each arm's relative lift on the primary metric with its interval, against 0. */
export function ForestPlot({ a }: { a: ExperimentAnalysis }) {
  const bayes = a.engine === 'bayesian';
  const data = rowsOf(a)
    .map(({ arm, m }) => {
      const ci = liftInterval(m, bayes);
      const lift = bayes && m.bayesian ? m.bayesian.expected_lift : m.relative_lift;
      return { arm, lift, err: ci && lift !== null ? [lift - ci[0], ci[1] - lift] : [0, 0], ci };
    })
    .filter((d) => d.lift !== null);
  if (!data.length) return null;
  const label = data.map((d) => `${d.arm} ${fmtSignedPct(d.lift)} ${fmtCI(d.ci, 'pct')}`).join(', ');
  return (
    <div
      className="chart-box"
      role="img"
      aria-label={`Relative lift of ${a.statistical_analysis.primary_metric.metric} per arm with ${bayes ? 'credible' : 'confidence'} intervals: ${label}`}
      data-testid="xp-forest"
    >
      <ResponsiveContainer width="100%" height={Math.max(120, 44 * data.length + 50)}>
        <ComposedChart data={data} layout="vertical" margin={{ top: 8, right: 24, left: 8, bottom: 8 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" tickFormatter={(v: number) => `${v}%`} tick={{ fontSize: 12 }} domain={['auto', 'auto']} />
          <YAxis type="category" dataKey="arm" tick={{ fontSize: 12 }} width={90} interval={0} />
          <ReferenceLine x={0} stroke="#555" />
          <Tooltip formatter={(v) => fmtSignedPct(Number(v))} />
          <Scatter dataKey="lift" name="Relative lift" fill="#0072B2" isAnimationActive={false}>
            <ErrorBar dataKey="err" direction="x" width={8} strokeWidth={2} stroke="#0072B2" isAnimationActive={false} />
          </Scatter>
        </ComposedChart>
      </ResponsiveContainer>
      <p className="muted small">
        {a.statistical_analysis.primary_metric.metric}: relative lift vs {a.control_label} with{' '}
        {bayes ? 'credible' : `${Math.round((1 - a.alpha) * 100)}% confidence`} intervals; an interval that crosses 0 is not a clear effect.
      </p>
    </div>
  );
}

/** Chance to beat control per arm (Bayesian engine), with the 1 − α line the decision rule uses. */
export function ChanceToWin({ a }: { a: ExperimentAnalysis }) {
  if (a.engine !== 'bayesian') return null;
  const data = rowsOf(a)
    .filter((r) => r.m.bayesian)
    .map(({ arm, m }) => ({
      arm,
      chance: (m.bayesian as NonNullable<MetricResult['bayesian']>).chance_to_win * 100,
      risk: m.bayesian?.risk_treatment ?? null,
    }));
  if (!data.length) return null;
  const bar = (c: number) => (c >= (1 - a.alpha) * 100 ? '#009E73' : c <= a.alpha * 100 ? '#D55E00' : '#999999');
  return (
    <div
      className="chart-box"
      role="img"
      aria-label={`Chance to beat control: ${data.map((d) => `${d.arm} ${fmtPct(d.chance, 1)}`).join(', ')}`}
      data-testid="xp-chance"
    >
      <ResponsiveContainer width="100%" height={Math.max(110, 40 * data.length + 40)}>
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 56, left: 8, bottom: 4 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" domain={[0, 100]} tickFormatter={(v: number) => `${v}%`} tick={{ fontSize: 12 }} />
          <YAxis type="category" dataKey="arm" tick={{ fontSize: 12 }} width={90} interval={0} />
          <ReferenceLine x={(1 - a.alpha) * 100} stroke="#009E73" strokeDasharray="4 4" />
          <Tooltip formatter={(v) => fmtPct(Number(v), 1)} />
          <Bar dataKey="chance" name="Chance to beat control" radius={[0, 4, 4, 0]} isAnimationActive={false}>
            <LabelList dataKey="chance" position="right" formatter={(v) => fmtPct(Number(v), 1)} fontSize={12} />
            {data.map((d) => (
              <Cell key={d.arm} fill={bar(d.chance)} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
      <p className="muted small">
        Chance to beat control on {a.statistical_analysis.primary_metric.metric}; the dashed line is {fmtPct((1 - a.alpha) * 100, 0)}, the bar a ship decision
        needs (with a risk of shipping ≤ 0.5% of control). Risk of shipping:{' '}
        {data.map((d) => `${d.arm} ${d.risk === null ? '–' : `${d.risk.toFixed(3)}%`}`).join(', ')}.
      </p>
    </div>
  );
}

/** Every arm and metric side by side: values, lift with interval, raw and adjusted p (or chance to win), decision. */
export function ArmsTable({ a }: { a: ExperimentAnalysis }) {
  const m = a.multi_arm;
  if (!a.arms?.length || !m) return null;
  const bayes = a.engine === 'bayesian';
  return (
    <div className="xp-table-wrap">
      <table className="table" data-testid="xp-arms-table">
        <caption className="visually-hidden">Every arm against {m.control_label}</caption>
        <thead>
          <tr>
            <th>Arm</th>
            <th>Metric</th>
            <th className="num">{m.control_label}</th>
            <th className="num">Arm</th>
            <th className="num">Relative lift ({bayes ? 'credible interval' : 'CI'})</th>
            {bayes ? (
              <>
                <th className="num">Chance to win</th>
                <th className="num">Risk</th>
              </>
            ) : (
              <>
                <th className="num">p</th>
                <th className="num">Adjusted p</th>
              </>
            )}
            <th>Decision</th>
          </tr>
        </thead>
        <tbody>
          {a.arms.flatMap((arm) =>
            [arm.primary_metric, ...arm.secondary_metrics].map((x, i) => (
              <tr
                key={`${arm.treatment_label}-${x.metric}`}
                className={m.ship === arm.treatment_label && i === 0 ? 'xp-ship-row' : undefined}
                data-testid="xp-arm-row"
              >
                <th scope="row">
                  {i === 0 ? arm.treatment_label : ''}
                  {i === 0 && m.ship === arm.treatment_label && (
                    <>
                      {' '}
                      <Badge tone="good">ship</Badge>
                    </>
                  )}
                </th>
                <td>
                  {x.metric}
                  {i === 0 && (
                    <>
                      {' '}
                      <Badge tone="info">primary</Badge>
                    </>
                  )}
                  {x.kind === 'ratio' && <div className="muted small">ratio, delta method</div>}
                </td>
                <td className="num">
                  {fmtValue(x.control_value, x.kind)}
                  <div className="muted small">n {fmtInt(x.control_n)}</div>
                </td>
                <td className="num">
                  {fmtValue(x.treatment_value, x.kind)}
                  <div className="muted small">n {fmtInt(x.treatment_n)}</div>
                </td>
                <td className="num">
                  {fmtSignedPct(bayes && x.bayesian ? x.bayesian.expected_lift : x.relative_lift)}
                  <div className="muted small">{fmtCI(liftInterval(x, bayes), 'pct')}</div>
                </td>
                {bayes ? (
                  <>
                    <td className="num">{x.bayesian ? fmtPct(x.bayesian.chance_to_win * 100, 1) : '–'}</td>
                    <td className="num">{x.bayesian ? `${x.bayesian.risk_treatment.toFixed(3)}%` : '–'}</td>
                  </>
                ) : (
                  <>
                    <td className="num">{fmtP(x.p_value)}</td>
                    <td className="num">
                      {fmtP(x.p_value_adjusted)}
                      {x.significant && (
                        <div>
                          <Badge tone="good">significant</Badge>
                        </div>
                      )}
                    </td>
                  </>
                )}
                <td>
                  {i === 0 ? arm.recommendation.decision : ''}
                  {x.reason && <div className="muted small">{x.reason}</div>}
                </td>
              </tr>
            )),
          )}
        </tbody>
      </table>
      <p className="muted small">{m.families}</p>
    </div>
  );
}

/** The k-arm sample-ratio check. */
export function KArmSrm({ a }: { a: ExperimentAnalysis }) {
  const s = a.multi_arm?.srm;
  if (!s) return null;
  return (
    <div className={`xp-srm ${s.passed ? 'ok' : 'fail'}`} role={s.passed ? 'status' : 'alert'} data-testid="xp-srm">
      <strong>{s.passed ? `Sample ratio OK across ${s.labels.length} arms` : 'Sample ratio mismatch: do not trust these results'}</strong>
      <span>
        {s.labels.map((l, i) => `${l} ${fmtInt(s.observed[i])}`).join(' · ')}; chi-square {s.statistic === null ? '–' : s.statistic.toFixed(2)} (df {s.df}), p{' '}
        {fmtP(s.p_value)}, flagged below {s.threshold}.
      </span>
      <span className="small">{s.message}</span>
    </div>
  );
}
