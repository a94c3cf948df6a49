import type { ColumnInfo, ImportMapping, ImportPreview } from '../../../../shared/contract';
import { Badge } from '../../components/ui';

const CONTAINER: Record<string, string> = { plain: 'plain file', gzip: 'gzip', zip: 'zip archive', parquet: 'Parquet' };
const UNITS: { value: NonNullable<ImportMapping['timeFormat']>; label: string }[] = [
  { value: 'unix_s', label: 'unix seconds' },
  { value: 'unix_ms', label: 'unix milliseconds' },
  { value: 'unix_us', label: 'unix microseconds' },
  { value: 'iso', label: 'ISO date-time' },
];

interface Props {
  preview: ImportPreview;
  busy: boolean;
  onMapping(m: ImportMapping): void;
}

/**
 * For a nested export: which tool wrote it, which field is the user and why, the time field and
 * its unit, and the flattened properties with sample values. Each choice is editable; the engine
 * re-reads the file with the edited mapping.
 */
export function ShapeSummary({ preview, busy, onMapping }: Props) {
  const shape = preview.shape!;
  const m = preview.mapping;
  const fields = preview.columns.map((c) => c.name);
  const set = (patch: Partial<ImportMapping>) => onMapping({ ...m, ...patch });
  const props = preview.columns.filter((c) => c.role === 'segment');
  // Breakdown candidates first: few distinct values; ids and uuids last.
  const ordered = [...props.filter((c) => !c.highCardinality), ...props.filter((c) => c.highCardinality)];
  const pick = (label: string, value: string | undefined, onChange: (v: string) => void, testid: string, optional = false) => (
    <label className="field inline">
      <span>{label}</span>
      <select value={value ?? ''} disabled={busy} onChange={(e) => onChange(e.target.value)} data-testid={testid}>
        {optional && <option value="">(none)</option>}
        {fields.map((f) => (
          <option key={f} value={f}>
            {f}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div className="shape" data-testid="shape-summary">
      <div className="shape-tool">
        <strong data-testid="shape-tool">{shape.label}</strong>
        <Badge tone={shape.confidence >= 0.7 ? 'good' : 'warn'}>{Math.round(shape.confidence * 100)}% confidence</Badge>
        <span className="muted">
          {CONTAINER[shape.container] ?? shape.container}
          {shape.members?.length
            ? ` · ${shape.members.length} file${shape.members.length === 1 ? '' : 's'} inside: ${shape.members.slice(0, 3).join(', ')}${shape.members.length > 3 ? ', …' : ''}`
            : ''}
        </span>
      </div>
      <div className="shape-grid">
        {pick('User', m.user, (v) => set({ user: v, userFallback: v === m.user ? m.userFallback : undefined }), 'shape-user')}
        {pick('else', m.userFallback, (v) => set({ userFallback: v || undefined }), 'shape-user-fallback', true)}
        <p className="muted small shape-why" data-testid="shape-user-reason">
          {shape.userReason}
        </p>
        {pick('Time', m.time, (v) => set({ time: v, timeFormat: undefined }), 'shape-time')}
        <label className="field inline">
          <span>in</span>
          <select
            value={m.timeFormat ?? 'iso'}
            disabled={busy}
            onChange={(e) => set({ timeFormat: e.target.value as ImportMapping['timeFormat'] })}
            data-testid="shape-time-unit"
          >
            {UNITS.map((u) => (
              <option key={u.value} value={u.value}>
                {u.label}
              </option>
            ))}
          </select>
        </label>
        {pick('Event', m.event, (v) => set({ event: v }), 'shape-event')}
      </div>
      <details open className="shape-props">
        <summary>
          {props.length} properties, flattened ({props.filter((c) => c.highCardinality).length} id-like, listed last)
        </summary>
        <table className="table" aria-label="Flattened properties" data-testid="shape-properties">
          <thead>
            <tr>
              <th scope="col">Property</th>
              <th scope="col">Sample values</th>
              <th scope="col">Distinct in sample</th>
            </tr>
          </thead>
          <tbody>
            {ordered.map((c: ColumnInfo) => (
              <tr key={c.name}>
                <td title={c.name}>
                  {c.short ?? c.name}
                  {c.short && <span className="muted small"> {c.name}</span>}
                </td>
                <td className="wrap-anywhere" title={(c.sample ?? []).slice(0, 4).join(', ')}>
                  {(c.sample ?? []).slice(0, 4).map(clip).join(', ')}
                </td>
                <td>
                  {c.distinct ?? ''}
                  {c.highCardinality && (
                    <>
                      {' '}
                      <Badge tone="warn">id-like</Badge>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}

/** A sample value shortened for the table (a GA4 page_location can be a kilobyte); the cell's title has them whole. */
function clip(v: string): string {
  return v.length > 60 ? `${v.slice(0, 57)}…` : v;
}
