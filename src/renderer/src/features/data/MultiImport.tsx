import { useEffect, useMemo, useState } from 'react';
import type { DatasetKind, ImportMapping, ImportPreview, JoinPreview } from '../../../../shared/contract';
import { api, errorMessage } from '../../api/client';
import { ErrorNote } from '../../components/ui';
import { fmtInt } from '../../format';
import { KIND_LABEL } from './mapping';
import { YearField, yearChoices } from './YearField';

export interface PickedFile {
  path: string;
  name: string;
  preview: ImportPreview;
}

type Mode = 'pair' | 'join';

const stem = (name: string) => name.replace(/\.[^.]+$/, '');

/** A file name without what every picked file shares (olist_…_dataset), as a readable default. */
export function distinctiveNames(names: string[]): string[] {
  const words = names.map((n) =>
    stem(n)
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean),
  );
  const common = words.slice(1).reduce((acc, w) => acc.filter((x) => w.includes(x)), words[0] ?? []);
  const noise = new Set([...common, 'data', 'dataset', 'export', 'csv']);
  return words.map((w, i) => {
    const kept = w.filter((x) => !noise.has(x));
    return (kept.length ? kept : w).join('_') || `file_${i + 1}`;
  });
}

const TIME_RX = /date|time|_at$|^ts$|day/i;

/**
 * Several files imported as one dataset, as the CLI's `--also` does: one file per variant
 * (control / treatment, e.g. Udacity's two daily exports) gets a variant column; files that share
 * an id (leads → closed deals) become one event log with one event per file, joined on that id.
 */
export function MultiImport({
  files,
  busy,
  onImport,
  onDiscard,
}: {
  files: PickedFile[];
  busy: boolean;
  onImport(
    input: { path: string; kind: DatasetKind; mapping: ImportMapping; also: { path: string; mapping: ImportMapping }[]; name: string },
    label: string,
  ): void;
  onDiscard(): void;
}) {
  const kinds = files.map((f) => f.preview.kind);
  const sameHeader = files.every((f) => f.preview.header.join('\u0000') === files[0].preview.header.join('\u0000'));
  const shared = files[0].preview.header.filter((h) => files.every((f) => f.preview.header.includes(h)));
  const [mode, setMode] = useState<Mode>(sameHeader && kinds[0] !== 'user_table' ? 'pair' : 'join');
  const names = useMemo(() => distinctiveNames(files.map((f) => f.name)), [files]);
  // udacity_control_data + udacity_experiment_data → "control" and "experiment".
  const [labels, setLabels] = useState<string[]>(names);
  const [events, setEvents] = useState<string[]>(names);
  const [key, setKey] = useState(() => shared.find((h) => /(^|_)id$/i.test(h)) ?? shared[0] ?? '');
  const [times, setTimes] = useState<string[]>(() =>
    files.map((f) => {
      const mapped = f.preview.mapping.time;
      return mapped && f.preview.header.includes(mapped) ? mapped : (f.preview.header.find((h) => h !== key && TIME_RX.test(h)) ?? '');
    }),
  );
  const years = files.map((f) => f.preview.mapping.year).filter((y): y is number => y !== undefined);
  const [year, setYear] = useState<number | undefined>(years[0]);
  const [join, setJoin] = useState<{ data: JoinPreview | null; error: string | null; loading: boolean }>({ data: null, error: null, loading: false });
  const [name, setName] = useState(() => names.join(' + '));

  // The join preview follows the key: recomputed whenever it changes (stores nothing).
  useEffect(() => {
    if (mode !== 'join' || !key) return;
    let live = true;
    setJoin({ data: null, error: null, loading: true });
    api('datasets:join-preview', { paths: files.map((f) => f.path), key }).then(
      (data) => live && setJoin({ data, error: null, loading: false }),
      (e) => live && setJoin({ data: null, error: errorMessage(e), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [mode, key, files]);

  const problem =
    mode === 'pair'
      ? !sameHeader
        ? 'One file per variant needs the same columns in every file: these differ, so join them on a shared id instead.'
        : kinds[0] === 'user_table'
          ? 'A user-level table is imported from one file: put both arms in one file with a variant column.'
          : labels.some((l) => !l.trim())
            ? 'Name the variant of every file.'
            : new Set(labels.map((l) => l.trim())).size < labels.length
              ? 'Each file needs a different variant name.'
              : null
      : !key
        ? 'The files share no column to join them on.'
        : times.some((t) => !t)
          ? 'Choose the date or time column of every file.'
          : events.some((e) => !e.trim())
            ? 'Name the event each file stands for.'
            : new Set(events.map((e) => e.trim())).size < events.length
              ? 'Each file needs a different event name.'
              : join.data && join.data.inAll === 0
                ? `No ${key} appears in every file: check the key column.`
                : null;

  const submit = () => {
    if (problem) return;
    if (mode === 'pair') {
      const mappingOf = (i: number): ImportMapping => ({
        ...files[i].preview.mapping,
        constants: { variant: labels[i].trim() },
        ...(year !== undefined ? { year } : {}),
      });
      onImport(
        {
          path: files[0].path,
          kind: kinds[0],
          mapping: mappingOf(0),
          also: files.slice(1).map((f, i) => ({ path: f.path, mapping: mappingOf(i + 1) })),
          name: name.trim(),
        },
        `Importing ${files.length} files as one dataset…`,
      );
    } else {
      const mappingOf = (i: number): ImportMapping => ({ user: key, time: times[i], eventName: events[i].trim(), ...(year !== undefined ? { year } : {}) });
      onImport(
        {
          path: files[0].path,
          kind: 'event_log',
          mapping: mappingOf(0),
          also: files.slice(1).map((f, i) => ({ path: f.path, mapping: mappingOf(i + 1) })),
          name: name.trim(),
        },
        `Joining ${files.length} files on ${key}…`,
      );
    }
  };

  return (
    <div className="preview multi" data-testid="multi-preview">
      <fieldset className="multi-mode">
        <legend>{files.length} files: how do they go together?</legend>
        <label className="xp-check">
          <input type="radio" name="multi-mode" checked={mode === 'pair'} onChange={() => setMode('pair')} data-testid="mode-pair" /> One file per variant
          (control / treatment): rows get a <code>variant</code> column, for Experiments and a breakdown
        </label>
        <label className="xp-check">
          <input type="radio" name="multi-mode" checked={mode === 'join'} onChange={() => setMode('join')} data-testid="mode-join" /> Steps of one funnel joined
          on a shared id (e.g. leads → closed deals): each file is one step
        </label>
      </fieldset>
      <div className="table-scroll">
        <table className="table compact" aria-label="Files to import together" data-testid="multi-files">
          <thead>
            <tr>
              <th>File</th>
              <th>Detected</th>
              {mode === 'pair' ? (
                <th>Variant</th>
              ) : (
                <>
                  <th>Step (event name)</th>
                  <th>Date / time column</th>
                  <th className="num">Rows</th>
                  <th className="num">Distinct {key || 'ids'}</th>
                  <th className="num">Also in the first file</th>
                </>
              )}
            </tr>
          </thead>
          <tbody>
            {files.map((f, i) => {
              const j = join.data?.files[i];
              return (
                <tr key={f.path}>
                  <td className="wrap-anywhere">{f.name}</td>
                  <td>{KIND_LABEL[f.preview.kind]}</td>
                  {mode === 'pair' ? (
                    <td>
                      <input
                        type="text"
                        value={labels[i]}
                        aria-label={`Variant of ${f.name}`}
                        data-testid={`variant-${i}`}
                        onChange={(e) => setLabels(labels.map((l, k) => (k === i ? e.target.value : l)))}
                      />
                    </td>
                  ) : (
                    <>
                      <td>
                        <input
                          type="text"
                          value={events[i]}
                          aria-label={`Event name for ${f.name}`}
                          data-testid={`event-${i}`}
                          onChange={(e) => setEvents(events.map((x, k) => (k === i ? e.target.value : x)))}
                        />
                      </td>
                      <td>
                        <select
                          value={times[i]}
                          aria-label={`Time column of ${f.name}`}
                          data-testid={`time-${i}`}
                          onChange={(e) => setTimes(times.map((t, k) => (k === i ? e.target.value : t)))}
                        >
                          <option value="">Choose…</option>
                          {f.preview.header.map((h) => (
                            <option key={h} value={h}>
                              {h}
                            </option>
                          ))}
                        </select>
                      </td>
                      <td className="num">{j ? fmtInt(j.rows) : '…'}</td>
                      <td className="num">{j ? fmtInt(j.ids) : '…'}</td>
                      <td className="num">{j ? (i === 0 ? '–' : `${fmtInt(j.matched)} (${j.ids ? Math.round((j.matched / j.ids) * 100) : 0}%)`) : '…'}</td>
                    </>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {mode === 'join' && (
        <div className="import-actions">
          <label className="field inline">
            <span>Join on</span>
            <select value={key} onChange={(e) => setKey(e.target.value)} data-testid="join-key">
              {shared.length === 0 && <option value="">(no shared column)</option>}
              {shared.map((h) => (
                <option key={h} value={h}>
                  {h}
                </option>
              ))}
            </select>
          </label>
          {join.loading && (
            <span className="muted small" role="status">
              Matching ids…
            </span>
          )}
          {join.data && (
            <span className="muted small" data-testid="join-summary">
              {fmtInt(join.data.inAll)} of {fmtInt(join.data.files[0].ids)} {key} values of {files[0].name} appear in every file; the funnel counts each user’s
              steps in this order, so a step dated before the previous one does not count.
            </span>
          )}
        </div>
      )}
      <ErrorNote message={join.error} />
      {years.length > 0 && (
        <YearField
          value={year}
          choices={yearChoices(
            files.flatMap((f) => f.preview.notes),
            years,
          )}
          onChange={setYear}
        />
      )}
      {problem && (
        <p className="note warn" role="status" data-testid="multi-problem">
          {problem}
        </p>
      )}
      <div className="import-actions">
        <label className="field inline">
          <span>Dataset name</span>
          <input type="text" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} data-testid="dataset-name" />
        </label>
        <button className="primary" disabled={busy || Boolean(problem) || name.trim() === ''} onClick={submit} data-testid="import-button">
          Import as one dataset
        </button>
        <button disabled={busy} onClick={onDiscard}>
          Discard
        </button>
      </div>
    </div>
  );
}
