import { useState } from 'react';
import type { Dataset } from '../../../../shared/contract';
import { api, errorMessage } from '../../api/client';
import { Badge, Empty, ErrorNote, Panel } from '../../components/ui';
import { fmtBytes, fmtInt } from '../../format';
import { setSelection, useSelection } from '../../state/selection';
import { ImportWarnings } from './ImportStatus';

/** Browser uploads are stored as "up_<id>-<name>"; the user knows the file by <name>. */
const displaySource = (name: string) =>
  name
    .split(' + ')
    .map((part) => part.replace(/^up_[a-z0-9]+-/i, ''))
    .join(' + ');

interface Props {
  datasets: Dataset[] | null;
  loading: boolean;
  error: string | null;
  reload(): void;
}

export function DatasetList({ datasets, loading, error, reload }: Props) {
  const sel = useSelection();
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  async function act(fn: () => Promise<unknown>) {
    setActionError(null);
    try {
      await fn();
      reload();
    } catch (e) {
      setActionError(errorMessage(e));
    }
  }

  const rename = (id: string, name: string) =>
    act(async () => {
      await api('datasets:rename', { id, name: name.trim() });
      setRenaming(null);
    });
  const remove = (id: string) =>
    act(async () => {
      await api('datasets:delete', { id });
      setConfirming(null);
      if (sel.datasetId === id) setSelection({ datasetId: null, funnelId: null, definition: null });
    });

  const selected = datasets?.find((d) => d.id === sel.datasetId) ?? null;
  return (
    <Panel
      title="Datasets"
      actions={
        <button onClick={reload} disabled={loading}>
          Refresh
        </button>
      }
    >
      <ErrorNote message={error ?? actionError} />
      {datasets && datasets.length === 0 && <Empty>No datasets yet. Import a CSV or JSON file above, or try the sample data.</Empty>}
      {datasets && datasets.length > 0 && (
        <div className="table-scroll">
          <table className="table" data-testid="datasets-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Kind</th>
                <th className="num">Rows</th>
                <th className="num">Users</th>
                <th>Source</th>
                <th>Imported</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {datasets.map((d) => (
                <tr key={d.id} className={d.id === sel.datasetId ? 'selected' : undefined} data-testid={`dataset-row-${d.id}`}>
                  <td className="wrap-anywhere">
                    {renaming?.id === d.id ? (
                      <form
                        className="inline-form"
                        onSubmit={(e) => {
                          e.preventDefault();
                          void rename(d.id, renaming.name);
                        }}
                      >
                        <input
                          type="text"
                          aria-label={`New name for ${d.name}`}
                          value={renaming.name}
                          autoFocus
                          maxLength={200}
                          onChange={(e) => setRenaming({ id: d.id, name: e.target.value })}
                          onKeyDown={(e) => e.key === 'Escape' && setRenaming(null)}
                        />
                        <button type="submit" disabled={renaming.name.trim() === ''}>
                          Save
                        </button>
                        <button type="button" onClick={() => setRenaming(null)}>
                          Cancel
                        </button>
                      </form>
                    ) : (
                      <>
                        {d.name} {d.id === sel.datasetId && <Badge tone="info">selected</Badge>}
                      </>
                    )}
                  </td>
                  <td className="nowrap">{d.kind.replace('_', ' ')}</td>
                  <td className="num">{fmtInt(d.rowCount)}</td>
                  <td className="num">{fmtInt(d.userCount)}</td>
                  <td className="wrap-anywhere">
                    {displaySource(d.sourceName)} <span className="muted small">{d.warehouse ? 'ClickHouse, queried in place' : fmtBytes(d.sourceBytes)}</span>
                  </td>
                  <td className="nowrap">{d.createdAt.slice(0, 10)}</td>
                  <td className="row-actions">
                    {confirming === d.id ? (
                      <span role="alertdialog" aria-label={`Confirm deleting ${d.name}`} className="confirm">
                        Delete “{d.name}” and its funnels?{' '}
                        <button className="danger" autoFocus onClick={() => void remove(d.id)}>
                          Delete
                        </button>
                        <button onClick={() => setConfirming(null)}>Keep</button>
                      </span>
                    ) : (
                      <>
                        <button
                          onClick={() => setSelection({ datasetId: d.id, funnelId: null, definition: null })}
                          disabled={d.id === sel.datasetId}
                          aria-label={`Select ${d.name}`}
                        >
                          Select
                        </button>
                        <button onClick={() => setRenaming({ id: d.id, name: d.name })} aria-label={`Rename ${d.name}`}>
                          Rename
                        </button>
                        <button onClick={() => setConfirming(d.id)} aria-label={`Delete ${d.name}`}>
                          Delete
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {selected && selected.warnings.length > 0 && <ImportWarnings dataset={selected} named />}
    </Panel>
  );
}
