import type { CausalResult } from '../../../../shared/contract/experiments';
import { Badge } from '../../components/ui';
import { fmtCI, fmtNum, fmtP, fmtPct, fmtPp, fmtSignedPct } from './format';
import { plural } from '../../../../shared/plural';

type Status = 'passed' | 'warning' | 'failed' | 'not_checked';
const TONE: Record<Status, 'good' | 'warn' | 'bad' | 'muted'> = { passed: 'good', warning: 'warn', failed: 'bad', not_checked: 'muted' };
const WORD: Record<Status, string> = { passed: 'passed', warning: 'warning', failed: 'failed', not_checked: 'not checked' };
const CONF_TONE = { High: 'good', Medium: 'warn', Low: 'bad' } as const;

function Check({ title, status, children, testId }: { title: string; status: Status; children: React.ReactNode; testId: string }) {
  return (
    <section className={`xp-check-card ${status}`} data-testid={testId} aria-label={`${title}: ${WORD[status]}`}>
      <header>
        <h4>{title}</h4>
        <Badge tone={TONE[status]}>{WORD[status]}</Badge>
      </header>
      {children}
    </section>
  );
}

/**
 * The stage-by-stage chain. Each bar is the CI of the difference drawn on a shared scale so stages
 * can be compared at a glance; the scale is layout only, every number shown is the engine's.
 */
function Chain({ chain }: { chain: CausalResult['mechanism']['causal_chain'] }) {
  const extent = Math.max(1e-9, ...chain.flatMap((s) => (s.confidence_interval ? s.confidence_interval.map(Math.abs) : [Math.abs(s.difference ?? 0)])));
  const pos = (x: number) => `${50 + (x / extent) * 48}%`;
  return (
    <ol className="xp-chain" data-testid="xp-chain">
      {chain.map((s) => (
        <li key={s.step} className="xp-chain-step" data-testid="xp-chain-step">
          <div className="xp-chain-head">
            <span className="xp-chain-no" aria-hidden="true">
              {s.step}
            </span>
            <div>
              <strong>{s.stage}</strong>
              <div className="muted small">
                {s.cause} → {s.effect}
              </div>
            </div>
            {s.significant ? <Badge tone="info">significant</Badge> : <Badge tone="muted">not significant</Badge>}
          </div>
          <div className="xp-chain-numbers">
            <span>
              {fmtPct(s.control_rate)} → {fmtPct(s.treatment_rate)}
            </span>
            <span>
              {fmtPp(s.difference)} <span className="muted">{fmtCI(s.confidence_interval, 'pp')}</span>
            </span>
            <span>lift {fmtSignedPct(s.lift)}</span>
            <span>p {fmtP(s.p_value)}</span>
          </div>
          {s.confidence_interval && (
            <div className="xp-ci-track" aria-hidden="true">
              <span className="xp-ci-zero" />
              <span
                className={`xp-ci-bar ${s.significant ? ((s.difference ?? 0) > 0 ? 'up' : 'down') : ''}`}
                style={{ left: pos(s.confidence_interval[0]), width: `calc(${pos(s.confidence_interval[1])} - ${pos(s.confidence_interval[0])})` }}
              />
              {s.difference !== null && <span className="xp-ci-point" style={{ left: pos(s.difference) }} />}
            </div>
          )}
        </li>
      ))}
    </ol>
  );
}

export function CausalView({ c }: { c: CausalResult }) {
  const cc = c.confounding_check;
  const conf = c.causal_conclusion.confidence;
  return (
    <div className="xp-causal">
      <div className="xp-conclusion" data-testid="xp-causal-conclusion">
        <p className="xp-conclusion-statement">{c.causal_conclusion.statement}</p>
        <p>
          <Badge tone={CONF_TONE[conf]}>{conf} confidence</Badge> {c.causal_conclusion.rationale}
        </p>
        {(c.causal_conclusion.not_checked ?? []).length > 0 && (
          <p className="note warn small" data-testid="xp-causal-not-checked">
            Not checked, so the result is not called causal: {(c.causal_conclusion.not_checked ?? []).join('; ')}.
          </p>
        )}
        <p className="muted small">
          Internal validity {c.generalizability.internal_validity}, external validity {c.generalizability.external_validity}. {c.generalizability.notes}
        </p>
      </div>
      <h3>Checks</h3>
      <div className="xp-checks" data-testid="xp-causal-checks">
        <Check title="Randomization and balance" status={cc.selection_bias.status} testId="xp-check-randomization">
          <p>{cc.selection_bias.check}</p>
          {cc.selection_bias.srm_p_value !== null && <p className="small">Sample ratio p {fmtP(cc.selection_bias.srm_p_value)}</p>}
          {cc.selection_bias.balance.length > 0 && (
            <table className="table compact">
              <thead>
                <tr>
                  <th>Column</th>
                  <th className="num">χ² (df)</th>
                  <th className="num">adj. p</th>
                  <th>Balanced</th>
                </tr>
              </thead>
              <tbody>
                {cc.selection_bias.balance.map((b) => (
                  <tr key={b.column}>
                    <td>
                      {b.column}
                      {b.note && <div className="muted small">{b.note}</div>}
                    </td>
                    <td className="num">
                      {fmtNum(b.statistic, 2)} ({fmtNum(b.df, 0)})
                    </td>
                    <td className="num">{fmtP(b.p_value_adjusted ?? b.p_value)}</td>
                    <td>{b.passed ? 'yes' : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Check>
        <Check title="Temporal stability" status={cc.temporal_effects.status} testId="xp-check-temporal">
          <p>{cc.temporal_effects.check}</p>
          {cc.temporal_effects.days > 0 && (
            <p className="small">
              {plural(cc.temporal_effects.days, 'day')} · first half {fmtPp(cc.temporal_effects.first_half_difference)}, second half{' '}
              {fmtPp(cc.temporal_effects.second_half_difference)} · trend p {fmtP(cc.temporal_effects.p_value)}
            </p>
          )}
        </Check>
        <Check title="Heterogeneity across segments" status={cc.heterogeneity.status} testId="xp-check-heterogeneity">
          <p>{cc.heterogeneity.check}</p>
          {cc.heterogeneity.column && cc.heterogeneity.q !== null && (
            <p className="small">
              {cc.heterogeneity.column}: Q {fmtNum(cc.heterogeneity.q, 2)} (df {fmtNum(cc.heterogeneity.df, 0)}), p {fmtP(cc.heterogeneity.p_value)}
            </p>
          )}
        </Check>
        <Check title="External factors" status={cc.external_factors.status} testId="xp-check-external">
          <p>{cc.external_factors.check}</p>
          {cc.external_factors.factors.length > 0 && (
            <ul className="xp-list small">
              {cc.external_factors.factors.map((f, i) => (
                <li key={i}>
                  {f.description} ({f.impact})
                </li>
              ))}
            </ul>
          )}
        </Check>
      </div>
      <p className="muted">{cc.overall}</p>
      <h3>Mechanism, stage by stage</h3>
      <p>{c.mechanism.description}</p>
      {c.mechanism.causal_chain.length ? (
        <Chain chain={c.mechanism.causal_chain} />
      ) : (
        <p className="muted">No stages to chain: tick two or more stage columns in funnel order.</p>
      )}
      {c.next_steps.length > 0 && (
        <>
          <h3>Next steps</h3>
          <ol>
            {c.next_steps.map((s, i) => (
              <li key={i}>{s}</li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}
