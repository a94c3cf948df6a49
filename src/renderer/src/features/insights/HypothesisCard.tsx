import type { Fact } from '../../../../shared/contract';
import type { Hypothesis } from '../../../../shared/contract';
import { Badge } from '../../components/ui';
import { fmtInt, fmtPct } from '../../format';
import { PriorityBadge } from './badges';
import { FactList } from './FactList';
import type { HypothesisWording } from './narrative';
import { plural } from '../../../../shared/plural';

/** Engine rates for experiments are proportions (0..1), as the power calculator takes them. */
const rate = (v: number | null) => (v === null ? '–' : fmtPct(v * 100, 2));

/** `wording`: the model's grounded prose for this hypothesis; the numbers below are always the engine's. */
export function HypothesisCard({ h, facts, onDesign, wording }: { h: Hypothesis; facts: Map<string, Fact>; onDesign(): void; wording?: HypothesisWording }) {
  const x = h.suggested_experiment;
  const computedTest = x.description.startsWith(x.type) ? x.description.slice(x.type.length).replace(/^[\s:]+/, '') : x.description;
  return (
    <article className="hyp-card" data-testid="hypothesis" aria-labelledby={`hyp-${h.id}`}>
      <header className="rec-head">
        <PriorityBadge level={h.priority} />
        <h3 id={`hyp-${h.id}`}>{wording?.title || h.title}</h3>
        {h.testable ? <Badge tone="good">testable</Badge> : <Badge tone="muted">not directly testable</Badge>}
      </header>
      <p data-testid="hypothesis-text">{wording?.rationale || h.description}</p>
      {h.evidence.length > 0 && (
        <>
          <strong className="small">Evidence</strong>
          <ul className="insight-list">
            {h.evidence.map((e, i) => (
              <li key={i}>{e}</li>
            ))}
          </ul>
        </>
      )}
      {h.fact_ids.length > 0 && (
        <details className="fact-details">
          <summary>All {h.fact_ids.length} cited facts</summary>
          <FactList ids={h.fact_ids} facts={facts} title="Facts" />
        </details>
      )}
      <dl className="hyp-meta">
        <div>
          <dt>Suggested test</dt>
          <dd>
            <Badge tone="info">{x.type}</Badge> {wording?.test || computedTest}
          </dd>
        </div>
        <div>
          <dt>Expected outcome</dt>
          <dd>{wording?.expected_outcome || x.expected_outcome}</dd>
        </div>
        <div>
          <dt>Baseline · sample · duration</dt>
          <dd>
            {rate(x.baseline_rate)} · {x.sample_size_per_variant === null ? '–' : `${fmtInt(x.sample_size_per_variant)} per variant`} ·{' '}
            {x.duration_days === null ? '–' : plural(x.duration_days, 'day')}
          </dd>
        </div>
      </dl>
      <button type="button" className="primary" onClick={onDesign} disabled={!h.testable} data-testid="design-experiment">
        Design experiment
      </button>
    </article>
  );
}
