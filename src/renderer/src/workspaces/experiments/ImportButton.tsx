import { useRef, useState } from 'react';
import type { Dataset } from '../../../../shared/contract';
import { api, errorMessage, uploadFile } from '../../api/client';

/**
 * Imports a file as a dataset. Electron gives a real path through the native picker; the browser
 * uploads the file to the local server first, which answers with a path the import call can read.
 */
export function ImportButton({ onImported }: { onImported: (d: Dataset) => void }) {
  const fileInput = useRef<HTMLInputElement>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function importPath(path: string, name: string) {
    setStatus(`Importing ${name}…`);
    const d = await api(
      'datasets:import',
      { path, name },
      {
        onProgress: (ev) => setStatus(ev.rows ? `Importing ${name}: ${ev.rows.toLocaleString('en-US')} rows…` : `Importing ${name}…`),
      },
    );
    setStatus(`Imported ${d.name}: ${d.rowCount.toLocaleString('en-US')} rows.`);
    onImported(d);
  }

  async function run(task: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await task();
    } catch (e) {
      setStatus(null);
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  function pick() {
    if (window.api) {
      void run(async () => {
        const path = await window.api!.pickFile([{ name: 'Tables', extensions: ['csv', 'tsv', 'json', 'ndjson'] }]);
        if (path) await importPath(path, path.split(/[\\/]/).pop() ?? path);
      });
    } else {
      fileInput.current?.click();
    }
  }

  return (
    <div className="xp-import">
      <button type="button" onClick={pick} disabled={busy} data-testid="xp-import">
        Import a file…
      </button>
      <input
        ref={fileInput}
        type="file"
        accept=".csv,.tsv,.json,.ndjson,text/csv"
        hidden
        data-testid="xp-import-file"
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (f) void run(async () => importPath((await uploadFile(f)).path, f.name.replace(/\.[^.]+$/, '')));
        }}
      />
      {status && (
        <span className="muted small" role="status">
          {status}
        </span>
      )}
      {error && (
        <span className="note error small" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
