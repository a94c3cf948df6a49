import { useState } from 'react';
import { stepConditions, type ColumnInfo, type FunnelStep, type StepCondition } from '../../../../shared/contract';

interface Props {
  step: FunnelStep;
  index: number;
  /** The dataset's event names. */
  events: string[];
  columns: ColumnInfo[];
  /** Whether the add controls are shown (the chips always are). */
  editing: boolean;
  onChange(step: FunnelStep): void;
}

/**
 * A step's other events (it matches any of them) and its conditions on other columns (all must
 * hold; a condition's values are alternatives), as chips, with controls to add more.
 */
export function StepConditions({ step, index, events, columns, editing, onChange }: Props) {
  const [orEvent, setOrEvent] = useState('');
  const [col, setCol] = useState('');
  const [values, setValues] = useState('');
  const n = index + 1;
  const conds = stepConditions(step);
  const others = step.orEvents ?? [];
  const sample = columns.find((c) => c.name === col)?.sample ?? [];

  const setConds = (list: StepCondition[]) => {
    const next: FunnelStep = { ...step };
    if (list.length === 0) delete next.where;
    else next.where = list.length === 1 ? list[0] : list;
    onChange(next);
  };
  const setOthers = (list: string[]) => {
    const next: FunnelStep = { ...step };
    if (list.length === 0) delete next.orEvents;
    else next.orEvents = list;
    onChange(next);
  };
  const addCondition = () => {
    const list = values
      .split(/[,|]/)
      .map((v) => v.trim())
      .filter(Boolean);
    if (!col || list.length === 0) return;
    const existing = conds.findIndex((c) => c.column === col);
    // A second condition on the same column would have to hold too (never, for two values): extend the first.
    setConds(
      existing >= 0
        ? conds.map((c, k) => (k === existing ? { ...c, values: [...new Set([...c.values, ...list])] } : c))
        : [...conds, { column: col, values: list }],
    );
    setValues('');
  };
  const addEvent = () => {
    if (!orEvent || orEvent === step.event || others.includes(orEvent)) return;
    setOthers([...others, orEvent]);
    setOrEvent('');
  };

  return (
    <div className="step-conds" data-testid={`step-${index}-conditions`}>
      {others.map((e) => (
        <span key={`or-${e}`} className="chip or">
          or {e}
          <button type="button" aria-label={`Remove event ${e} from step ${n}`} onClick={() => setOthers(others.filter((x) => x !== e))}>
            ✕
          </button>
        </span>
      ))}
      {conds.map((c) => (
        <span key={`if-${c.column}`} className="chip cond">
          {c.column} = {c.values.join(' or ')}
          <button type="button" aria-label={`Remove the condition on ${c.column} from step ${n}`} onClick={() => setConds(conds.filter((x) => x !== c))}>
            ✕
          </button>
        </span>
      ))}
      {conds.length > 1 && <span className="muted small">all must hold</span>}
      {editing && (
        <div className="step-conds-add">
          <span className="add-group">
            <select
              aria-label={`Another event for step ${n}`}
              value={orEvent}
              onChange={(e) => setOrEvent(e.target.value)}
              data-testid={`step-${index}-or-select`}
            >
              <option value="">or event…</option>
              {events
                .filter((e) => e !== step.event && !others.includes(e))
                .map((e) => (
                  <option key={e} value={e}>
                    {e}
                  </option>
                ))}
            </select>
            <button type="button" onClick={addEvent} disabled={!orEvent} data-testid={`step-${index}-or-add`}>
              Add event
            </button>
          </span>
          <span className="add-group">
            <select
              aria-label={`Condition column for step ${n}`}
              value={col}
              onChange={(e) => setCol(e.target.value)}
              data-testid={`step-${index}-cond-column`}
            >
              <option value="">where column…</option>
              {columns.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name}
                </option>
              ))}
            </select>
            <input
              type="text"
              aria-label={`Values for step ${n}'s condition, comma separated`}
              placeholder="value, value"
              list={`iafa-step-values-${index}`}
              value={values}
              onChange={(e) => setValues(e.target.value)}
              data-testid={`step-${index}-cond-values`}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  addCondition();
                }
              }}
            />
            <datalist id={`iafa-step-values-${index}`}>
              {sample.map((v) => (
                <option key={v} value={v} />
              ))}
            </datalist>
            <button type="button" onClick={addCondition} disabled={!col || !values.trim()} data-testid={`step-${index}-cond-add`}>
              Add condition
            </button>
          </span>
        </div>
      )}
    </div>
  );
}
