import type { ColumnInfo, DatasetKind, ImportMapping, ImportPreview } from '../../../../shared/contract';
import { Badge } from '../../components/ui';
import { fmtBytes } from '../../format';
import { KIND_LABEL, ROLES_BY_KIND } from './mapping';
import { YearField, yearChoices } from './YearField';
import { ShapeSummary } from './ShapeSummary';

interface Props {
  preview: ImportPreview;
  kind: DatasetKind;
  columns: ColumnInfo[];
  busy: boolean;
  onKind(kind: DatasetKind): void;
  onRole(column: string, role: string): void;
  /** Dates without a year: the year the user picked (the engine re-reads the file with it). */
  onYear(year: number | undefined): void;
  /** Nested exports: an edited user, fallback, time, unit or event field. */
  onMapping?(m: ImportMapping): void;
}

/** The first rows of the file with what detection found; kind and roles are editable before importing. */
export function PreviewEditor({ preview, kind, columns, busy, onKind, onRole, onYear, onMapping }: Props) {
  const confident = preview.confidence >= 0.7;
  const roles = ROLES_BY_KIND[kind];
  return (
    <div className="preview" data-testid="import-preview">
      <div className="preview-summary">
        <label className="field inline">
          <span>Detected kind</span>
          <select value={kind} disabled={busy} onChange={(e) => onKind(e.target.value as DatasetKind)} data-testid="kind-select">
            {(Object.keys(KIND_LABEL) as DatasetKind[]).map((k) => (
              <option key={k} value={k}>
                {KIND_LABEL[k]}
              </option>
            ))}
          </select>
        </label>
        <span data-testid="detect-confidence">
          <Badge tone={confident ? 'good' : 'warn'}>{Math.round(preview.confidence * 100)}% confidence</Badge>
        </span>
        <span className="muted">
          {preview.format.toUpperCase()}
          {preview.delimiter ? ` · delimiter ${preview.delimiter === '\t' ? 'tab' : `"${preview.delimiter}"`}` : ''} · {fmtBytes(preview.sizeBytes)}
        </span>
      </div>
      {preview.shape && onMapping && <ShapeSummary preview={preview} busy={busy} onMapping={onMapping} />}
      {!confident && (
        <div className="note warn" role="status">
          Detection is unsure about this file: check the kind and the column roles below before importing.
        </div>
      )}
      {preview.notes.length > 0 && (
        <ul className="notes" aria-label="Detection notes">
          {preview.notes.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      )}
      {preview.mapping.year !== undefined && (
        <YearField value={preview.mapping.year} choices={yearChoices(preview.notes, [preview.mapping.year])} onChange={onYear} disabled={busy} />
      )}
      <div className="table-scroll">
        <table className="table preview-table" aria-label="First rows of the file">
          <thead>
            <tr>
              {preview.header.map((h) => (
                <th key={h} scope="col" title={h}>
                  {columns.find((c) => c.name === h)?.short ?? h}
                </th>
              ))}
            </tr>
            <tr className="role-row">
              {preview.header.map((h) => {
                const col = columns.find((c) => c.name === h);
                const role = col?.role ?? 'segment';
                const options = roles.includes(role) ? roles : [...roles, role];
                return (
                  <td key={h}>
                    <select
                      aria-label={`Role of column ${h}`}
                      value={role}
                      disabled={busy}
                      onChange={(e) => onRole(h, e.target.value)}
                      data-testid={`role-${h}`}
                    >
                      {options.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                    {col && (
                      <div className="muted small">
                        {col.type}
                        {col.distinct !== undefined ? ` · ${col.distinct} distinct` : ''}
                      </div>
                    )}
                  </td>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {preview.rows.slice(0, 8).map((r, i) => (
              <tr key={i}>
                {preview.header.map((_h, j) => (
                  <td key={j}>{r[j] ?? ''}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
