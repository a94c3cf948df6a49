import { useState } from 'react';
import type { ColumnInfo, FunnelDefinitionInput } from '../../../../shared/contract';

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
  return (
    <fieldset className="funnel-options">
      <legend>Options</legend>
      <div className="options-grid">
        <label className="field">
          <span>Conversion window</span>
          <input type="text" list="iafa-windows" value={def.window ?? '7d'} aria-invalid={!windowOk} data-testid="window-input"
            onChange={(e) => onChange({ window: e.target.value.trim() })} />
          <datalist id="iafa-windows">{WINDOWS.map((w) => <option key={w} value={w} />)}</datalist>
          {!windowOk && <span className="field-error">Use 30m, 24h, 7d or none.</span>}
        </label>
        <label className="field">
          <span>Mode</span>
          <select value={def.mode ?? 'any-start'} onChange={(e) => onChange({ mode: e.target.value as FunnelDefinitionInput['mode'] })} data-testid="mode-select">
            <option value="any-start">any start (windowFunnel)</option>
            <option value="first-touch">first touch</option>
            <option value="unordered">unordered</option>
          </select>
        </label>
        <label className="field checkbox">
          <input type="checkbox" checked={def.strict ?? false} onChange={(e) => onChange({ strict: e.target.checked })} />
          <span>Strictly increasing times</span>
        </label>
        <label className="field">
          <span>Break down by</span>
          <select value={def.breakdown ?? ''} onChange={(e) => onChange({ breakdown: e.target.value || undefined })} data-testid="breakdown-select">
            <option value="">(no breakdown)</option>
            {segments.map((c) => <option key={c.name} value={c.name} title={c.name}>{c.short ?? c.name}{c.distinct !== undefined ? ` (${c.distinct} values${c.highCardinality ? ', id-like' : ''})` : ''}</option>)}
          </select>
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
          <datalist id="iafa-zones">{ZONES.map((z) => <option key={z} value={z} />)}</datalist>
        </label>
      </div>
      <Filters include={def.include ?? {}} columns={segments} onChange={(include) => onChange({ include })} />
    </fieldset>
  );
}

function Filters({ include, columns, onChange }: { include: Record<string, string[]>; columns: ColumnInfo[]; onChange(v: Record<string, string[]>): void }) {
  const [col, setCol] = useState('');
  const [values, setValues] = useState('');
  const sample = columns.find((c) => c.name === col)?.sample ?? [];
  const add = () => {
    const list = values.split(',').map((v) => v.trim()).filter(Boolean);
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
          <button type="button" aria-label={`Remove filter on ${c}`} onClick={() => { const next = { ...include }; delete next[c]; onChange(next); }}>✕</button>
        </span>
      ))}
      <select aria-label="Filter column" value={col} onChange={(e) => setCol(e.target.value)}>
        <option value="">Column…</option>
        {columns.map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
      </select>
      <input type="text" aria-label="Values to include, comma separated" placeholder="values, comma separated" list="iafa-filter-values"
        value={values} onChange={(e) => setValues(e.target.value)} onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } }} />
      <datalist id="iafa-filter-values">{sample.map((s) => <option key={s} value={s} />)}</datalist>
      <button type="button" onClick={add} disabled={!col || !values.trim()}>Add filter</button>
    </div>
  );
}
