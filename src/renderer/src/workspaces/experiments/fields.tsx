import { useId, type ReactNode } from 'react';

/**
 * A labelled number input that keeps the text the user typed (so "0." or an empty box is not
 * snapped back while typing) and reports a number, or null when the text is not one.
 */
export function NumberField({
  label,
  value,
  onChange,
  step,
  min,
  max,
  suffix,
  hint,
  testId,
  optional,
}: {
  label: string;
  value: string;
  onChange: (text: string) => void;
  step?: number;
  min?: number;
  max?: number;
  suffix?: string;
  hint?: ReactNode;
  testId?: string;
  optional?: boolean;
}) {
  const id = useId();
  const n = Number(value);
  const invalid = value.trim() === '' ? !optional : !Number.isFinite(n) || (min !== undefined && n < min) || (max !== undefined && n > max);
  return (
    <div className="xp-field">
      <label htmlFor={id}>{label}</label>
      <div className="xp-input-row">
        <input
          id={id}
          type="number"
          inputMode="decimal"
          value={value}
          step={step}
          min={min}
          max={max}
          aria-invalid={invalid || undefined}
          aria-describedby={hint ? `${id}-hint` : undefined}
          onChange={(e) => onChange(e.target.value)}
          data-testid={testId}
        />
        {suffix && (
          <span className="xp-suffix" aria-hidden="true">
            {suffix}
          </span>
        )}
      </div>
      {hint && (
        <span id={`${id}-hint`} className="muted small">
          {hint}
        </span>
      )}
    </div>
  );
}

export function TextField({
  label,
  value,
  onChange,
  placeholder,
  testId,
  multiline,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  placeholder?: string;
  testId?: string;
  multiline?: boolean;
}) {
  const id = useId();
  return (
    <div className="xp-field wide">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea id={id} rows={2} value={value} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} data-testid={testId} />
      ) : (
        <input id={id} type="text" value={value} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} data-testid={testId} />
      )}
    </div>
  );
}

export function SelectField({
  label,
  value,
  onChange,
  options,
  testId,
  placeholder,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: { value: string; label: string }[];
  testId?: string;
  placeholder?: string;
}) {
  const id = useId();
  return (
    <div className="xp-field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
        {placeholder !== undefined && <option value="">{placeholder}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Parses a field's text; null when it is not a finite number. */
export function num(text: string): number | null {
  if (text.trim() === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

export function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}
