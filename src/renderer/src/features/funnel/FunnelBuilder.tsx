import { useState } from 'react';
import type { Dataset, Funnel, FunnelDefinitionInput } from '../../../../shared/contract';
import { api, errorMessage } from '../../api/client';
import { ErrorNote } from '../../components/ui';
import { FunnelOptions, WINDOW_RX } from './FunnelOptions';
import { StepsEditor } from './StepsEditor';

interface Props {
  dataset: Dataset;
  draft: FunnelDefinitionInput;
  setDraft(d: FunnelDefinitionInput): void;
  funnels: Funnel[];
  funnelId: string | null;
  /** Makes the draft the funnel every chart and the insights show. */
  onRun(): void;
  onSaved(f: Funnel): void;
  onLoad(f: Funnel): void;
}

export function FunnelBuilder({ dataset, draft, setDraft, funnels, funnelId, onRun, onSaved, onLoad }: Props) {
  const saved = funnels.find((f) => f.id === funnelId) ?? null;
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  // A saved or handed-over definition may still repeat a step: the engine refuses it, so say so here.
  const repeated = draft.steps.some(
    (s, k) => draft.steps.findIndex((x) => x.event === s.event && JSON.stringify(x.where ?? null) === JSON.stringify(s.where ?? null)) !== k,
  );
  const valid = draft.steps.length >= 2 && !repeated && WINDOW_RX.test(draft.window ?? '7d');

  async function save(asNew: boolean) {
    setSaving(true);
    setError(null);
    try {
      const f =
        !asNew && saved
          ? await api('funnels:update', { id: saved.id, definition: draft })
          : await api('funnels:create', { datasetId: dataset.id, name: name.trim(), definition: draft });
      setName('');
      onSaved(f);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  }

  return (
    <form
      className="funnel-builder"
      data-testid="funnel-builder"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) onRun();
      }}
    >
      {funnels.length > 0 && (
        <label className="field inline">
          <span>Saved funnel</span>
          <select
            value={funnelId ?? ''}
            data-testid="saved-funnels"
            onChange={(e) => {
              const f = funnels.find((x) => x.id === e.target.value);
              if (f) onLoad(f);
            }}
          >
            <option value="">(unsaved draft)</option>
            {funnels.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <div className="builder-grid">
        <StepsEditor
          steps={draft.steps}
          events={dataset.events}
          onChange={(steps) => setDraft({ ...draft, steps })}
          advanced={dataset.kind === 'event_log'}
          columns={dataset.columns.filter((c) => !['user', 'time', 'event', 'ignore'].includes(c.role))}
        />
        <FunnelOptions def={draft} columns={dataset.columns} onChange={(p) => setDraft({ ...draft, ...p })} />
      </div>
      <ErrorNote message={error} />
      <div className="builder-actions">
        <button type="submit" className="primary" disabled={!valid} data-testid="run-funnel">
          Compute funnel
        </button>
        {!valid && (
          <span className="muted small">
            {repeated
              ? 'Remove the repeated step: each step must be a different event.'
              : draft.steps.length < 2
                ? 'Pick at least two steps.'
                : 'Fix the conversion window.'}
          </span>
        )}
        <span className="spacer" />
        {saved && (
          <button type="button" disabled={!valid || saving} onClick={() => save(false)}>
            Save changes to “{saved.name}”
          </button>
        )}
        <input
          type="text"
          aria-label="Name for the saved funnel"
          placeholder="Funnel name"
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
          data-testid="funnel-name"
        />
        <button type="button" disabled={!valid || saving || name.trim() === ''} onClick={() => save(true)} data-testid="save-funnel">
          Save as new funnel
        </button>
      </div>
    </form>
  );
}
