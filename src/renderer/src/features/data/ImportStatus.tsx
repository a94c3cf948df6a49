import type { Dataset, ProgressEvent } from '../../../../shared/contract';
import { fmtBytes, fmtInt } from '../../format';
import type { Landing } from './landing';

export function ImportProgress({ label, progress, onCancel }: { label: string; progress: ProgressEvent | null; onCancel(): void }) {
  const fraction = progress?.fraction ?? (progress?.bytes && progress.totalBytes ? progress.bytes / progress.totalBytes : undefined);
  return (
    <div className="import-progress" data-testid="import-progress">
      <div className="row">
        <strong>{label}</strong>
        <button onClick={onCancel} data-testid="cancel-import">
          Cancel
        </button>
      </div>
      <progress max={1} value={fraction} aria-label="Import progress" />
      <div className="muted small" role="status" aria-live="polite">
        {progress?.phase ?? 'Starting…'}
        {progress?.rows !== undefined && ` · ${fmtInt(progress.rows)} rows`}
        {progress?.bytes !== undefined && ` · ${fmtBytes(progress.bytes)}${progress.totalBytes ? ` of ${fmtBytes(progress.totalBytes)}` : ''}`}
        {progress?.message && ` · ${progress.message}`}
      </div>
    </div>
  );
}

/** What was imported and the next step for its kind (landing.ts), once that is known. */
export function ImportResult({ dataset, landing }: { dataset: Dataset; landing: Landing | null }) {
  return (
    <div className="import-result" data-testid="import-result">
      <div className="note info" role="status">
        Imported <strong>{dataset.name}</strong>: {fmtInt(dataset.rowCount)} rows{dataset.userCount !== null ? `, ${fmtInt(dataset.userCount)} users` : ''}.{' '}
        {landing ? (
          <a href={landing.href} data-testid="next-step">
            {landing.label}
          </a>
        ) : (
          <span className="muted">Preparing the next step…</span>
        )}
        {landing?.also && (
          <>
            {' '}
            <a href={landing.also.href} data-testid="next-step-also">
              {landing.also.label}
            </a>
          </>
        )}
        {landing?.note && (
          <div className="muted small" data-testid="next-step-note">
            {landing.note}
          </div>
        )}
      </div>
      <ImportWarnings dataset={dataset} />
    </div>
  );
}

export function ImportWarnings({ dataset, named = false }: { dataset: Dataset; named?: boolean }) {
  if (dataset.warnings.length === 0) return null;
  return (
    <div className="note warn" data-testid="import-warnings">
      <strong>Import warnings{named ? ` for “${dataset.name}”` : ''}</strong>
      <ul>
        {dataset.warnings.map((w, i) => (
          <li key={i}>
            {w.message}
            {/* The engine's message usually names the count and lines already; add them only when it does not. */}
            {!/line/i.test(w.message) && w.lines.length > 0 && ` (first at line ${w.lines.slice(0, 5).join(', ')})`}
          </li>
        ))}
      </ul>
    </div>
  );
}
