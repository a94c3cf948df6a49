import type { GuardrailRow } from './designState';

/** Guardrails with their non-inferiority margins: how much worse the treatment may be before it fails. */
export function GuardrailEditor({ rows, onChange, rate }: { rows: GuardrailRow[]; onChange: (rows: GuardrailRow[]) => void; rate: boolean }) {
  const update = (i: number, patch: Partial<GuardrailRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="xp-fieldset">
      <legend>Guardrails</legend>
      {rows.length === 0 && <p className="muted small">No guardrails yet. Add the metrics that must not get worse.</p>}
      {rows.map((r, i) => (
        <div key={i} className="xp-guard-row" role="group" aria-label={`Guardrail ${i + 1}`}>
          <label>
            Metric <input type="text" value={r.metric} onChange={(e) => update(i, { metric: e.target.value })} />
          </label>
          <label>
            Margin <input type="number" min={0} step={0.5} value={r.margin} onChange={(e) => update(i, { margin: e.target.value })} />
          </label>
          <label>
            As
            <select value={r.marginType} onChange={(e) => update(i, { marginType: e.target.value as GuardrailRow['marginType'] })}>
              <option value="relative">% relative</option>
              <option value="absolute">{rate ? 'pp absolute' : 'units absolute'}</option>
            </select>
          </label>
          <label>
            Better when
            <select value={r.direction} onChange={(e) => update(i, { direction: e.target.value as GuardrailRow['direction'] })}>
              <option value="higher_is_better">higher</option>
              <option value="lower_is_better">lower</option>
            </select>
          </label>
          <button
            type="button"
            className="link-button"
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
            aria-label={`Remove guardrail ${r.metric || i + 1}`}
          >
            Remove
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...rows, { metric: '', margin: '2', marginType: 'relative', direction: 'higher_is_better' }])}>
        Add guardrail
      </button>
    </fieldset>
  );
}
