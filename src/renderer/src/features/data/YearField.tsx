import { useEffect, useId, useState } from 'react';

/** Years the engine named in its detection notes ("2025 assumed … also consistent: 2014, 2008"), then the assumed ones. */
export function yearChoices(notes: string[], assumed: number[]): number[] {
  const fromNotes = notes.filter((n) => /year/i.test(n)).flatMap((n) => [...n.matchAll(/\b(1[89]\d\d|2[01]\d\d)\b/g)].map((m) => Number(m[1])));
  return [...new Set([...assumed, ...fromNotes])];
}

/**
 * Dates written without a year ("Sat, Oct 11") get one from the weekdays, and several years can
 * fit: the user sets the right one here (the engine's mapping.year). Applied on Enter or when the
 * field loses focus, so typing does not re-read the file at every keystroke.
 */
export function YearField({
  value,
  choices,
  onChange,
  disabled = false,
}: {
  value: number | undefined;
  choices: number[];
  onChange(year: number | undefined): void;
  disabled?: boolean;
}) {
  const id = useId();
  const [text, setText] = useState(value === undefined ? '' : String(value));
  useEffect(() => setText(value === undefined ? '' : String(value)), [value]);
  const n = Number(text);
  const valid = text === '' || (Number.isInteger(n) && n >= 1900 && n <= 2200);
  const commit = () => {
    if (!valid) return;
    const next = text === '' ? undefined : n;
    if (next !== value) onChange(next);
  };
  return (
    <div className="field inline year-field" data-testid="year-field">
      <label htmlFor={id}>Year of the dates</label>
      <input
        id={id}
        type="number"
        min={1900}
        max={2200}
        step={1}
        list={`${id}-years`}
        value={text}
        disabled={disabled}
        aria-invalid={!valid}
        data-testid="year-input"
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            commit();
          }
        }}
      />
      <datalist id={`${id}-years`}>
        {choices.map((y) => (
          <option key={y} value={y} />
        ))}
      </datalist>
      <span className="muted small">The dates have no year{choices.length > 1 ? `; these fit their weekdays: ${choices.join(', ')}` : ''}.</span>
    </div>
  );
}
