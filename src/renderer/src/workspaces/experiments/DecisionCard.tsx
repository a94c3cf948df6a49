import type { Recommendation } from '../../../../shared/contract/experiments';

const TONE: Record<Recommendation['decision'], string> = { SHIP: 'ship', ITERATE: 'iterate', ROLLBACK: 'rollback' };
const MEANING: Record<Recommendation['decision'], string> = {
  SHIP: 'Roll the treatment out.',
  ITERATE: 'Do not ship yet: change the idea or collect more data.',
  ROLLBACK: 'Turn the treatment off.',
};

/** The decision comes from the engine's documented rule; the card shows which rule fired. */
export function DecisionCard({ r }: { r: Recommendation }) {
  return (
    <section className={`xp-decision ${TONE[r.decision]}`} aria-labelledby="xp-decision-h" data-testid="xp-decision">
      <div className="xp-decision-head">
        <h3 id="xp-decision-h">
          <span className="visually-hidden">Recommendation: </span>
          <span data-testid="xp-decision-word">{r.decision}</span>
        </h3>
        <span className="xp-decision-conf">{r.confidence} confidence</span>
      </div>
      <p className="xp-decision-meaning">{MEANING[r.decision]}</p>
      <p>{r.rationale}</p>
      {r.next_steps.length > 0 && (
        <>
          <h4>Next steps</h4>
          <ol>
            {r.next_steps.map((s, i) => (
              <li key={i}>{s}</li>
            ))}
          </ol>
        </>
      )}
      <p className="muted small">Rule applied: {r.rule.replace(/_/g, ' ')}.</p>
    </section>
  );
}
