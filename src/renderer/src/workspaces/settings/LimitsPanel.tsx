import { useEffect, useState } from 'react';
import type { CallInput, LimitsStatus, SettingsView } from '../../../../shared/contract';
import { useCall } from '../../api/hooks';
import { ErrorNote, Panel } from '../../components/ui';

type Group = LimitsStatus['groups'][number];

const LABELS: Record<Group['name'], string> = {
  ask: 'Ask (answers to questions)',
  reports: 'Reports',
  narration: 'Model prose for insights and hypotheses',
};

/** A number in a table cell, saved on Enter or when the box loses focus; its label is for screen readers (the column says it). */
function NumberCell({
  label,
  value,
  min,
  disabled,
  onCommit,
}: {
  label: string;
  value: number;
  min: number;
  disabled: boolean;
  onCommit: (v: string) => void;
}) {
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const commit = () => text !== String(value) && onCommit(text.trim());
  return (
    <input
      type="number"
      min={min}
      aria-label={label}
      value={text}
      disabled={disabled}
      className="limit-input"
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === 'Enter' && commit()}
    />
  );
}

/**
 * The bounded queues in front of the model: how many calls of each kind run at once, how many
 * may wait, and what runs and waits now. A call past the queue is refused with "try again in N s".
 */
export function LimitsPanel({ s, patch, saving }: { s: SettingsView; patch: (p: CallInput<'settings:update'>) => Promise<void>; saving: boolean }) {
  const status = useCall('limits:status', {});
  const { reload } = status;
  useEffect(() => {
    const t = setInterval(reload, 3000);
    return () => clearInterval(t);
  }, [reload]);
  const set = async (name: Group['name'], field: 'concurrent' | 'queue', v: string) => {
    const n = Number(v);
    const min = field === 'concurrent' ? 1 : 0;
    if (!Number.isInteger(n) || n < min) return;
    await patch({ limits: { [name]: { ...s.limits[name], [field]: n } } });
    reload();
  };
  return (
    <Panel title="Limits">
      <p className="muted small">
        Work that uses the model waits in a queue per kind; when the queue is full, new requests are refused with a &quot;try again&quot; time (HTTP 429 in the
        local API) instead of piling up.
      </p>
      <ErrorNote message={status.error} />
      <table className="table" data-testid="limits-table">
        <thead>
          <tr>
            <th>Kind</th>
            <th>At once</th>
            <th>May wait</th>
            <th>Now</th>
          </tr>
        </thead>
        <tbody>
          {(status.data?.groups ?? []).map((g) => (
            <tr key={g.name} data-testid={`limit-${g.name}`}>
              <td>{LABELS[g.name]}</td>
              <td>
                <NumberCell
                  label={`${g.name}: at once`}
                  min={1}
                  value={s.limits[g.name].concurrent}
                  disabled={saving}
                  onCommit={(v) => set(g.name, 'concurrent', v)}
                />
              </td>
              <td>
                <NumberCell label={`${g.name}: may wait`} min={0} value={s.limits[g.name].queue} disabled={saving} onCommit={(v) => set(g.name, 'queue', v)} />
              </td>
              <td>
                {g.running} running · {g.waiting} waiting
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {status.data && (
        <p className="muted small" data-testid="limits-env">
          Uploads up to {status.data.uploadMaxMb.toLocaleString()} MB (IAFA_MAX_UPLOAD_MB) · a model reply is cut off past{' '}
          {status.data.replyMaxKb.toLocaleString()} KB (IAFA_MAX_REPLY_KB). These two are set when IAFA starts.
        </p>
      )}
      {status.data?.pool && (
        <p className="muted small" data-testid="limits-pool">
          Funnels, imports, analyses and reports run on {status.data.pool.workers} worker threads ({status.data.pool.running} running ·{' '}
          {status.data.pool.waiting} waiting); up to {status.data.pool.queue.toLocaleString()} may wait before new ones get HTTP 503 (iafa serve --workers,
          --queue).
        </p>
      )}
    </Panel>
  );
}
