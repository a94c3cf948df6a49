import { useState } from 'react';
import type { ColumnInfo, FunnelDefinitionInput } from '../../../../shared/contract';

/** More values than this and a breakdown is a list of ids, not segments: warned, and the table shows the largest. */
export const MANY_VALUES = 50;
const WINDOWS = ['30m', '1h', '24h', '7d', '14d', '30d', 'none'];
const ZONES = ['UTC', 'America/New_York', 'America/Los_Angeles', 'Europe/London', 'Europe/Berlin', 'Asia/Shanghai', 'Asia/Tokyo', 'Australia/Sydney'];
export const WINDOW_RX = /^(none|\d+(\.\d+)?(ms|s|m|h|d|w))$/;

interface Props {
  def: FunnelDefinitionInput;
  columns: ColumnInfo[];
  onChange(patch: Partial<FunnelDefinitionInput>): void;
}

/** Window, mode, breakdown, filters, date range and time zone of the draft funnel. */
export function FunnelOptions({ def, columns, onChange }: Props) {
  // Id-like properties ($insert_id, uuids) stay available, after the ones worth breaking down by.
  const all = columns.filter((c) => c.role === 'segment' || c.role === 'variant');
  const segments = [...all.filter((c) => !c.highCardinality), ...all.filter((c) => c.highCardinality)];
  const windowOk = WINDOW_RX.test(def.window ?? '7d');
  const chosen = segments.find((c) => c.name === def.breakdown);
  const many = (c: ColumnInfo) => c.distinct !== undefined && c.distinct > MANY_VALUES;
  return (
    <fieldset className="funnel-options">
      <legend>Options</legend>
      <div className="options-grid">
        <label className="field">
          <span>Conversion window</span>
          <input
            type="text"
            list="iafa-windows"
            value={def.window ?? '7d'}
            aria-invalid={!windowOk}
            data-testid="window-input"
            onChange={(e) => onChange({ window: e.target.value.trim() })}
          />
          <datalist id="iafa-windows">
            {WINDOWS.map((w) => (
              <option key={w} value={w} />
            ))}
          </datalist>
          {!windowOk && <span className="field-error">Use 30m, 24h, 7d or none.</span>}
        </label>
        <ModeControl def={def} onChange={onChange} />
        <label className="field">
          <span>Break down by</span>
          <select value={def.breakdown ?? ''} onChange={(e) => onChange({ breakdown: e.target.value || undefined })} data-testid="breakdown-select">
            <option value="">(no breakdown)</option>
            {segments.map((c) => (
              <option key={c.name} value={c.name} title={c.name}>
                {c.short ?? c.name}
                {c.distinct !== undefined
                  ? ` (${c.distinct.toLocaleString('en-US')} ${c.distinct === 1 ? 'value' : 'values'}${c.highCardinality ? ', id-like' : many(c) ? ': too many to compare' : ''})`
                  : ''}
              </option>
            ))}
          </select>
          {chosen && many(chosen) && (
            <span className="field-warn" role="status" data-testid="breakdown-warning">
              {chosen.name} has {chosen.distinct!.toLocaleString('en-US')} values: most segments will hold a handful of users, so their rates are noise. Pick a
              column with a few values (platform, country, plan).
            </span>
          )}
        </label>
        <label className="field">
          <span>From (step-1 date)</span>
          <input type="date" value={def.from ?? ''} onChange={(e) => onChange({ from: e.target.value || undefined })} />
        </label>
        <label className="field">
          <span>To</span>
          <input type="date" value={def.to ?? ''} onChange={(e) => onChange({ to: e.target.value || undefined })} />
        </label>
        <label className="field">
          <span>Time zone (daily series)</span>
          <input type="text" list="iafa-zones" value={def.tz ?? 'UTC'} onChange={(e) => onChange({ tz: e.target.value.trim() || 'UTC' })} />
          <datalist id="iafa-zones">
            {ZONES.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
        </label>
      </div>
      <Filters include={def.include ?? {}} columns={segments} onChange={(include) => onChange({ include })} />
      <p className="muted small" data-testid="filter-semantics">
        Filters act on events: only events with those values count, at every step. A breakdown acts on users: each user is grouped by the value on their first
        step-1 event.
      </p>
    </fieldset>
  );
}

/** ClickHouse windowFunnel's options, as the CLI's flags: they combine, and apply to the any-start mode. */
const OPTIONS = [
  { key: 'strict', label: 'Strictly increasing times', hint: 'strict_increase: each step strictly after the previous one' },
  { key: 'strictOrder', label: 'Strict order', hint: 'strict_order: any other event, a step too early or step 1 again ends the chain' },
  { key: 'allowReentry', label: 'Allow re-entry', hint: 'allow_reentry (with strict order): step 1 again restarts the chain instead' },
  { key: 'strictDeduplication', label: 'Strict deduplication', hint: 'strict_deduplication: an event of a step already reached ends the chain' },
  { key: 'strictOnce', label: 'Strict once', hint: 'strict_once: one event counts for one step only' },
] as const;

function ModeControl({ def, onChange }: { def: FunnelDefinitionInput; onChange(patch: Partial<FunnelDefinitionInput>): void }) {
  const mode = def.mode ?? 'any-start';
  const off = { strictOrder: undefined, allowReentry: undefined, strictDeduplication: undefined, strictOnce: undefined };
  const enabled = (key: (typeof OPTIONS)[number]['key']) =>
    key === 'strict' ? mode !== 'unordered' : mode === 'any-start' && (key !== 'allowReentry' || def.strictOrder === true);
  const set = (key: (typeof OPTIONS)[number]['key'], on: boolean) => {
    if (key === 'strict') return onChange({ strict: on });
    // Unchecking strict order also drops re-entry, which needs it (as in ClickHouse).
    onChange({ [key]: on || undefined, ...(key === 'strictOrder' && !on ? { allowReentry: undefined } : {}) });
  };
  return (
    <fieldset className="mode-control" data-testid="mode-control">
      <legend>Mode</legend>
      <select
        aria-label="Mode"
        value={mode}
        data-testid="mode-select"
        onChange={(e) => {
          const m = e.target.value as FunnelDefinitionInput['mode'];
          onChange({ mode: m, ...(m === 'any-start' ? {} : off), ...(m === 'unordered' ? { strict: false } : {}) });
        }}
      >
        <option value="any-start">Any start (ClickHouse windowFunnel)</option>
        <option value="first-touch">First touch (chain from the first step-1 event)</option>
        <option value="unordered">Unordered (steps in any order)</option>
      </select>
      <div className="mode-options">
        {OPTIONS.map((o) => (
          <label key={o.key} className="checkbox" title={o.hint}>
            <input
              type="checkbox"
              data-testid={`mode-${o.key}`}
              disabled={!enabled(o.key)}
              checked={Boolean(def[o.key]) && enabled(o.key)}
              onChange={(e) => set(o.key, e.target.checked)}
            />
            <span>{o.label}</span>
          </label>
        ))}
      </div>
      {mode !== 'any-start' && <span className="muted small">The ClickHouse options apply to the any-start mode.</span>}
    </fieldset>
  );
}

function Filters({ include, columns, onChange }: { include: Record<string, string[]>; columns: ColumnInfo[]; onChange(v: Record<string, string[]>): void }) {
  const [col, setCol] = useState('');
  const [values, setValues] = useState('');
  const sample = columns.find((c) => c.name === col)?.sample ?? [];
  const add = () => {
    const list = values
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    if (!col || list.length === 0) return;
    onChange({ ...include, [col]: [...new Set([...(include[col] ?? []), ...list])] });
    setValues('');
  };
  const entries = Object.entries(include);
  return (
    <div className="filters">
      <span className="filters-title">Include only</span>
      {entries.length === 0 && <span className="muted small">all users</span>}
      {entries.map(([c, vs]) => (
        <span key={c} className="chip">
          {c} ∈ {vs.join(', ')}
          <button
            type="button"
            aria-label={`Remove filter on ${c}`}
            onClick={() => {
              const next = { ...include };
              delete next[c];
              onChange(next);
            }}
          >
            ✕
          </button>
        </span>
      ))}
      <select aria-label="Filter column" value={col} onChange={(e) => setCol(e.target.value)}>
        <option value="">Column…</option>
        {columns.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name}
          </option>
        ))}
      </select>
      <input
        type="text"
        aria-label="Values to include, comma separated"
        placeholder="values, comma separated"
        list="iafa-filter-values"
        value={values}
        onChange={(e) => setValues(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            add();
          }
        }}
      />
      <datalist id="iafa-filter-values">
        {sample.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
      <button type="button" onClick={add} disabled={!col || !values.trim()}>
        Add filter
      </button>
    </div>
  );
}
