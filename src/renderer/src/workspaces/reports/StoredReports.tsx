import { useState } from 'react';
import type { CallOutput } from '../../../../shared/contract';
import { api, errorMessage, shellKind } from '../../api/client';
import type { CallState } from '../../api/hooks';
import { Empty, ErrorNote, Panel } from '../../components/ui';
import { downloadHref, saveStored } from './save';

const AUDIENCE: Record<string, string> = { executive: 'Executive', product_manager: 'Product manager', data_scientist: 'Data scientist' };

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(0)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function StoredReports({ list }: { list: CallState<CallOutput<'reports:list'>> }) {
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const reports = list.data?.reports ?? [];
  const act = async (fn: () => Promise<string | void>) => {
    setError(null);
    try {
      const msg = await fn();
      if (msg) setNote(msg);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <Panel title="Stored reports" id="stored-reports" actions={<button onClick={list.reload}>Refresh</button>}>
      <ErrorNote message={error ?? list.error} />
      {note && (
        <div className="note info" role="status">
          {note}
        </div>
      )}
      {list.data && reports.length === 0 && <Empty>No stored reports yet. Generate one above.</Empty>}
      {reports.length > 0 && (
        <table className="table" data-testid="reports-table">
          <thead>
            <tr>
              <th>Title</th>
              <th>Audience</th>
              <th>Format</th>
              <th className="num">Size</th>
              <th>Created (UTC)</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {reports.map((r) => (
              <tr key={r.id}>
                <td>{r.title}</td>
                <td>{AUDIENCE[r.audience] ?? r.audience}</td>
                <td>{r.format === 'markdown' ? 'Markdown' : r.format.toUpperCase()}</td>
                <td className="num">{size(r.bytes)}</td>
                <td>{r.created_at.slice(0, 16).replace('T', ' ')}</td>
                <td className="report-row-actions">
                  {shellKind() === 'electron' ? (
                    <button onClick={() => act(() => saveStored(r.id, r.download_url, r.file_name))}>Save…</button>
                  ) : (
                    <a className="button" href={downloadHref(r.download_url)} download={r.file_name}>
                      Download
                    </a>
                  )}
                  <button
                    onClick={() =>
                      act(async () => {
                        await api('reports:delete', { id: r.id });
                        list.reload();
                      })
                    }
                    aria-label={`Delete ${r.title}`}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
