import type { DesignResult } from '../../../../shared/contract/experiments';
import { Panel } from '../../components/ui';
import { clip, Explain } from './Explain';
import { fmtNum, fmtPct } from './format';

function List({ items, empty = 'none' }: { items: string[]; empty?: string }) {
  if (items.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ul className="xp-list">
      {items.map((x, i) => (
        <li key={i}>{x}</li>
      ))}
    </ul>
  );
}

/** The full plan behind the live numbers: what will be compared, protected and decided, and how. */
export function DesignDetails({ result }: { result: DesignResult }) {
  const d = result.experiment_design;
  const pm = d.primary_metric;
  return (
    <Panel title="Full design" id="xp-design-full">
      {result.warnings.map((w) => (
        <div key={w} className="note warn">
          {w}
        </div>
      ))}
      <div className="xp-columns">
        <section aria-labelledby="xp-variants-h">
          <h3 id="xp-variants-h">Variants</h3>
          <ul className="xp-list" data-testid="xp-variants-list">
            {Object.entries(d.variants).map(([k, v]) => (
              <li key={k}>
                <strong>{v.name}</strong> <span className="muted">({k})</span>: {v.description}
              </li>
            ))}
          </ul>
          <h3>Metrics</h3>
          <ul className="xp-list">
            <li>
              <strong>{pm.name}</strong> (primary, {pm.type}; baseline {pm.unit === 'percent' ? fmtPct(pm.baseline) : fmtNum(pm.baseline, 3)})
            </li>
            {d.secondary_metrics.map((m) => (
              <li key={m}>{m} (secondary)</li>
            ))}
          </ul>
          <h3>Randomization</h3>
          <p>
            By <code>{d.randomization.unit}</code>, {d.randomization.method}, split {d.randomization.split}
            {d.randomization.stratification.length > 0 && <>, stratified by {d.randomization.stratification.join(', ')}</>}.
          </p>
        </section>
        <section aria-labelledby="xp-guard-h">
          <h3 id="xp-guard-h">Guardrails</h3>
          {d.guardrails.length === 0 ? (
            <p className="muted">None. Add the metrics that must not get worse under “Secondary metrics, guardrails and randomization”.</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th>Metric</th>
                  <th className="num">Margin</th>
                  <th>Better when</th>
                  <th>Rule</th>
                </tr>
              </thead>
              <tbody>
                {d.guardrails.map((g) => (
                  <tr key={g.metric}>
                    <td>{g.metric}</td>
                    <td className="num">
                      {g.margin_type === 'relative' ? fmtPct(g.margin * 100, 1) : pm.type === 'rate' ? `${fmtNum(g.margin * 100, 2)} pp` : fmtNum(g.margin, 4)}
                    </td>
                    <td>{g.direction === 'higher_is_better' ? 'higher' : 'lower'}</td>
                    <td>{g.description}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3>Analysis plan</h3>
          <p>{d.analysis_plan.primary_analysis}</p>
          <List items={d.analysis_plan.secondary_analysis} />
          <p className="muted small">
            {d.analysis_plan.multiple_comparisons} {d.analysis_plan.sequential_monitoring}
          </p>
        </section>
        <section aria-labelledby="xp-stop-h">
          <h3 id="xp-stop-h">Stopping rules</h3>
          <List items={d.analysis_plan.stopping_rules} />
          <h3>Decision rule</h3>
          <List items={d.analysis_plan.decision_rule} />
        </section>
      </div>
      <Explain
        key={result.generated_at}
        task="experiment_design"
        facts={result.facts}
        decision={null}
        scopeId={result.experiment_id}
        context={{ hypothesis: d.hypothesis, primary_metric: pm.name }}
        deterministic={{
          summary: clip(d.duration.rationale, 600),
          rationale: clip(d.analysis_plan.primary_analysis, 600),
          risks: d.analysis_plan.stopping_rules.slice(0, 3).map((x) => clip(x, 200)),
        }}
      />
    </Panel>
  );
}
