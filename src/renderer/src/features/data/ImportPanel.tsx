import { useRef, useState } from 'react';
import type { ColumnInfo, Dataset, DatasetKind, ImportMapping, ImportPreview, ProgressEvent } from '../../../../shared/contract';
import { api, errorMessage, uploadFile } from '../../api/client';
import { ErrorNote, Panel } from '../../components/ui';
import { isAbort } from '../../format';
import { DropZone } from './DropZone';
import { ImportProgress, ImportResult } from './ImportStatus';
import type { Landing } from './landing';
import { assignRole, mappingFromRoles } from './mapping';
import { MultiImport, type PickedFile } from './MultiImport';
import { PreviewEditor } from './PreviewEditor';
import './data.css';

interface Source {
  path: string;
  name: string;
}

type Stage =
  | { step: 'idle' }
  | { step: 'reading'; label: string }
  | { step: 'preview'; source: Source; preview: ImportPreview }
  | { step: 'multi'; files: PickedFile[] }
  | { step: 'importing'; label: string; progress: ProgressEvent | null }
  | { step: 'done'; dataset: Dataset; landing: Landing | null };

/** Electron 32+ hides File.path; the preload's webUtils.getPathForFile gives it back. */
function electronPathFor(file: File): string | null {
  return window.api ? window.api.pathForFile(file) || null : null;
}

/** Browser uploads live under a server temp name; errors should name the file the user picked. */
function messageFor(e: unknown, source: Source | null): string {
  const msg = errorMessage(e);
  return source && source.path !== source.name ? msg.split(source.path).join(source.name) : msg;
}

const FILE_FILTERS = [{ name: 'Data files', extensions: ['csv', 'tsv', 'txt', 'json', 'ndjson', 'jsonl', 'gz', 'zip', 'parquet'] }];
/** "export.json.gz" -> "export": the dataset name without format or container suffixes. */
const baseName = (f: string) => f.replace(/(\.(csv|tsv|txt|json|ndjson|jsonl|parquet))?(\.(gz|zip))?$/i, '') || f;

export function ImportPanel({
  firstLaunch,
  onImported,
}: {
  firstLaunch: boolean;
  onImported(ds: Dataset, opts: { sample: boolean }): Promise<Landing | null>;
}) {
  const [stage, setStage] = useState<Stage>({ step: 'idle' });
  const [error, setError] = useState<string | null>(null);
  const [kind, setKind] = useState<DatasetKind>('event_log');
  const [columns, setColumns] = useState<ColumnInfo[]>([]);
  const [mapping, setMapping] = useState<ImportMapping>({});
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  async function runPreview(source: Source, k?: DatasetKind, m?: ImportMapping) {
    setBusy(true);
    setError(null);
    try {
      const p = await api('datasets:preview', { path: source.path, kind: k, mapping: m });
      setStage({ step: 'preview', source, preview: p });
      setKind(p.kind);
      setColumns(p.columns);
      setMapping(p.mapping);
    } catch (e) {
      setError(messageFor(e, source));
      if (!k) setStage({ step: 'idle' });
    } finally {
      setBusy(false);
    }
  }

  async function fromFile(file: File) {
    setError(null);
    setName(baseName(file.name));
    if (window.api) {
      const p = electronPathFor(file);
      if (!p) return setError('This window cannot read the path of a dropped file: use "Choose file…" instead.');
      return runPreview({ path: p, name: file.name });
    }
    setStage({ step: 'reading', label: `Uploading ${file.name}…` });
    try {
      const up = await uploadFile(file);
      await runPreview({ path: up.path, name: file.name });
    } catch (e) {
      setError(errorMessage(e));
      setStage({ step: 'idle' });
    }
  }

  /** Several files picked or dropped together: each is read and previewed, then paired in MultiImport. */
  async function fromFiles(list: File[]) {
    if (list.length === 1) return fromFile(list[0]);
    if (list.length > 20) return setError('Import up to 20 files together.');
    setError(null);
    const picked: PickedFile[] = [];
    try {
      for (const file of list) {
        setStage({ step: 'reading', label: `Reading ${file.name} (${picked.length + 1} of ${list.length})…` });
        let p = window.api ? electronPathFor(file) : null;
        if (window.api && !p) throw new Error('This window cannot read the path of a dropped file: use "Choose files…" instead.');
        if (!p) p = (await uploadFile(file)).path;
        const source = { path: p, name: file.name };
        try {
          picked.push({ ...source, preview: await api('datasets:preview', { path: p }) });
        } catch (e) {
          throw new Error(messageFor(e, source));
        }
      }
      setStage({ step: 'multi', files: picked });
    } catch (e) {
      setError(errorMessage(e));
      setStage({ step: 'idle' });
    }
  }

  async function choose() {
    if (!window.api) return inputRef.current?.click();
    const p = await window.api.pickFile(FILE_FILTERS);
    if (!p) return;
    const base = p.split(/[\\/]/).pop() ?? p;
    setName(baseName(base));
    await runPreview({ path: p, name: base });
  }

  async function runImport(
    source: Source,
    label: string,
    opts: { kind?: DatasetKind; mapping?: ImportMapping; name?: string; also?: { path: string; mapping: ImportMapping }[] },
  ) {
    const ctrl = new AbortController();
    abort.current = ctrl;
    setError(null);
    setStage({ step: 'importing', label, progress: null });
    try {
      const ds = await api(
        'datasets:import',
        { path: source.path, ...opts },
        {
          signal: ctrl.signal,
          onProgress: (ev) => setStage((s) => (s.step === 'importing' ? { ...s, progress: ev } : s)),
        },
      );
      setStage({ step: 'done', dataset: ds, landing: null });
      const landing = await onImported(ds, { sample: source.path === 'sample' }).catch(() => null);
      setStage((s) => (s.step === 'done' && s.dataset.id === ds.id ? { ...s, landing } : s));
    } catch (e) {
      setStage({ step: 'idle' });
      setError(isAbort(e) || ctrl.signal.aborted ? 'Import cancelled: nothing was stored.' : messageFor(e, source));
    } finally {
      abort.current = null;
    }
  }

  function editRole(column: string, role: string) {
    if (stage.step !== 'preview') return;
    const next = assignRole(columns, column, role);
    setColumns(next);
    // The engine re-reads the file with the edited mapping so the preview shows what will be imported.
    void runPreview(stage.source, kind, mappingFromRoles(kind, next, mapping));
  }

  const importing = stage.step === 'importing' || stage.step === 'reading';
  return (
    <Panel
      title="Import data"
      actions={
        <button
          className={firstLaunch ? 'primary' : undefined}
          disabled={importing}
          data-testid="sample-button"
          onClick={() => runImport({ path: 'sample', name: 'sample' }, 'Importing the sample data…', { name: 'Sample: Pinterest-style events' })}
        >
          Try with sample data
        </button>
      }
    >
      {firstLaunch && stage.step === 'idle' && (
        <div className="note info">
          No data yet? The sample is a Pinterest-style event log (pin_view → save → click → purchase) that shows a full analysis in a minute, with no model
          installed.
        </div>
      )}
      <DropZone disabled={importing || busy} onFiles={(fs) => void fromFiles(fs)} onChoose={choose} onChooseMany={() => inputRef.current?.click()} />
      <input
        ref={inputRef}
        type="file"
        hidden
        multiple
        accept=".csv,.tsv,.txt,.json,.ndjson,.jsonl,.gz,.zip,.parquet"
        data-testid="file-input"
        aria-label="Choose one or more data files"
        onChange={(e) => {
          const list = [...(e.target.files ?? [])];
          e.target.value = '';
          if (list.length) void fromFiles(list);
        }}
      />
      <ErrorNote message={error} />
      {stage.step === 'reading' && (
        <p className="muted" role="status">
          {stage.label}
        </p>
      )}
      {busy && stage.step !== 'preview' && (
        <p className="muted" role="status">
          Reading the first rows…
        </p>
      )}
      {stage.step === 'preview' && (
        <>
          <PreviewEditor
            preview={stage.preview}
            kind={kind}
            columns={columns}
            busy={busy}
            onKind={(k) => void runPreview(stage.source, k)}
            onRole={editRole}
            onYear={(year) => void runPreview(stage.source, kind, { ...mappingFromRoles(kind, columns, mapping), year })}
            onMapping={(m) => void runPreview(stage.source, kind, m)}
          />
          <div className="import-actions">
            <label className="field inline">
              <span>Dataset name</span>
              <input type="text" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} data-testid="dataset-name" />
            </label>
            <button
              className="primary"
              disabled={busy || name.trim() === ''}
              data-testid="import-button"
              onClick={() =>
                runImport(stage.source, `Importing ${stage.source.name}…`, {
                  kind,
                  mapping: stage.preview.shape ? mapping : mappingFromRoles(kind, columns, mapping),
                  name: name.trim(),
                })
              }
            >
              Import
            </button>
            <button disabled={busy} onClick={() => setStage({ step: 'idle' })}>
              Discard
            </button>
          </div>
        </>
      )}
      {stage.step === 'multi' && (
        <MultiImport
          key={stage.files.map((f) => f.path).join('|')}
          files={stage.files}
          busy={busy}
          onDiscard={() => setStage({ step: 'idle' })}
          onImport={({ path, name: dsName, ...opts }, label) => runImport({ path, name: stage.files[0].name }, label, { ...opts, name: dsName })}
        />
      )}
      {stage.step === 'importing' && <ImportProgress label={stage.label} progress={stage.progress} onCancel={() => abort.current?.abort()} />}
      {stage.step === 'done' && <ImportResult dataset={stage.dataset} landing={stage.landing} />}
    </Panel>
  );
}
