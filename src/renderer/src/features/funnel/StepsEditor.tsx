import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { stepConditions, type ColumnInfo, type FunnelStep } from '../../../../shared/contract';
import { StepConditions } from './StepConditions';

interface Props {
  steps: FunnelStep[];
  events: { name: string; count: number }[];
  /** Columns a step's conditions may use (not the user, time or event column). */
  columns: ColumnInfo[];
  /** Other events and conditions per step (event logs only). */
  advanced: boolean;
  onChange(steps: FunnelStep[]): void;
}

/**
 * Ordered steps picked from the dataset's event names. Every action is a button or a select, and
 * Alt+ArrowUp / Alt+ArrowDown on a step's select moves it, keeping focus on the moved step.
 */
export function StepsEditor({ steps, events, columns, advanced, onChange }: Props) {
  const [adding, setAdding] = useState('');
  const [editing, setEditing] = useState<number | null>(null);
  const [focusIdx, setFocusIdx] = useState<number | null>(null);
  // Why the last add or change was refused (a step repeated): shown until the next edit.
  const [notice, setNotice] = useState<string | null>(null);
  const refs = useRef<(HTMLSelectElement | null)[]>([]);
  useEffect(() => {
    if (focusIdx !== null) refs.current[focusIdx]?.focus();
    setFocusIdx(null);
  }, [focusIdx]);

  const move = (i: number, d: -1 | 1) => {
    const j = i + d;
    if (j < 0 || j >= steps.length) return;
    const next = [...steps];
    [next[i], next[j]] = [next[j], next[i]];
    onChange(next);
    setEditing(null);
    setFocusIdx(j);
  };
  const remove = (i: number) => {
    onChange(steps.filter((_s, k) => k !== i));
    setEditing(null);
    setFocusIdx(Math.max(0, Math.min(i, steps.length - 2)));
  };
  const onKey = (i: number) => (e: KeyboardEvent) => {
    if (!e.altKey) return;
    if (e.key === 'ArrowUp') {
      e.preventDefault();
      move(i, -1);
    }
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      move(i, 1);
    }
  };
  const names = events.map((e) => e.name);
  const repeats = (event: string, except: number) => steps.findIndex((s, k) => k !== except && s.event === event && !s.where);
  const add = () => {
    const at = repeats(adding, -1);
    if (at >= 0) return setNotice(`“${adding}” is already step ${at + 1}: each step must be a different event.`);
    setNotice(null);
    onChange([...steps, { event: adding }]);
    setAdding('');
  };
  const change = (i: number, event: string) => {
    const at = repeats(event, i);
    if (at >= 0) return setNotice(`“${event}” is already step ${at + 1}: each step must be a different event.`);
    setNotice(null);
    onChange(steps.map((x, k) => (k === i ? { ...x, event } : x)));
  };
  const optionsFor = (current: string) => (names.includes(current) ? names : [current, ...names]);

  return (
    <fieldset className="steps" data-testid="steps-editor">
      <legend>Steps, in order</legend>
      {steps.length === 0 && <p className="muted small">Add at least two steps from the dataset’s events.</p>}
      <ol>
        {steps.map((s, i) => (
          <li key={`${i}-${s.event}`} data-testid={`step-${i}`}>
            <div className="step-row">
              <span className="step-num" aria-hidden="true">
                {i + 1}
              </span>
              <select
                ref={(el) => {
                  refs.current[i] = el;
                }}
                aria-label={`Step ${i + 1} event (Alt+Arrow keys move it)`}
                value={s.event}
                onChange={(e) => change(i, e.target.value)}
                onKeyDown={onKey(i)}
              >
                {optionsFor(s.event).map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
              {advanced && (
                <button
                  type="button"
                  onClick={() => setEditing(editing === i ? null : i)}
                  aria-expanded={editing === i}
                  aria-label={`Other events and conditions of step ${i + 1}`}
                  title="Other events and conditions"
                  data-testid={`step-${i}-more`}
                >
                  {editing === i ? 'Done' : '+ if'}
                </button>
              )}
              <button type="button" onClick={() => move(i, -1)} disabled={i === 0} aria-label={`Move step ${i + 1} up`}>
                ↑
              </button>
              <button type="button" onClick={() => move(i, 1)} disabled={i === steps.length - 1} aria-label={`Move step ${i + 1} down`}>
                ↓
              </button>
              <button type="button" onClick={() => remove(i)} aria-label={`Remove step ${i + 1}`}>
                ✕
              </button>
            </div>
            {((s.orEvents?.length ?? 0) > 0 || stepConditions(s).length > 0 || editing === i) && (
              <StepConditions
                step={s}
                index={i}
                events={names}
                columns={columns}
                editing={editing === i}
                onChange={(next) => onChange(steps.map((x, k) => (k === i ? next : x)))}
              />
            )}
          </li>
        ))}
      </ol>
      <div className="add-step">
        <select aria-label="Event to add as a step" value={adding} onChange={(e) => setAdding(e.target.value)} data-testid="add-step-select">
          <option value="">Choose an event…</option>
          {events.map((e) => (
            <option key={e.name} value={e.name}>
              {e.name} ({e.count.toLocaleString('en-US')})
            </option>
          ))}
        </select>
        <button type="button" disabled={!adding || steps.length >= 20} data-testid="add-step" onClick={add}>
          Add step
        </button>
      </div>
      {notice && (
        <p className="field-error" role="alert" data-testid="step-notice">
          {notice}
        </p>
      )}
    </fieldset>
  );
}
