import { useState } from 'react';
import type { SettingsView } from '../../../shared/contract';
import { api, errorMessage } from '../api/client';
import { useCall } from '../api/hooks';
import { Badge, ErrorNote, Panel } from '../components/ui';

const PROVIDERS: { id: SettingsView['llm']['provider']; label: string }[] = [
  { id: 'auto', label: 'Automatic (Ollama when running, otherwise no model)' },
  { id: 'ollama', label: 'Ollama (local)' },
  { id: 'embedded', label: 'Embedded GGUF model (local)' },
  { id: 'openai', label: 'OpenAI-compatible API' },
  { id: 'none', label: 'No model: computed analysis only' },
];

export default function Settings() {
  const settings = useCall('settings:get', {});
  const status = useCall('llm:status', {});
  const health = useCall('health:get', {});
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function patch(p: Parameters<typeof api<'settings:update'>>[1]) {
    setSaving(true);
    setError(null);
    try {
      await api('settings:update', p);
      settings.reload();
      status.reload();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  }

  const s = settings.data;
  return (
    <div className="stack">
      <Panel title="Data folder">
        <p>Everything IAFA stores (datasets, analyses, reports) lives here, on this computer:</p>
        <code data-testid="data-dir">{s?.dataDir ?? '…'}</code>
        {health.data && <p className="muted">Database: {health.data.database.path} · {health.data.database.migrations} migration(s) applied · version {health.data.version}</p>}
      </Panel>
      <Panel title="Model provider" actions={<button onClick={status.reload}>Check again</button>}>
        <ErrorNote message={error ?? settings.error ?? status.error} />
        {status.data?.banner && <div className="note info" data-testid="llm-banner">{status.data.banner}</div>}
        {s && (
          <label className="field">
            <span>Provider</span>
            <select value={s.llm.provider} disabled={saving} onChange={(e) => patch({ llm: { provider: e.target.value as SettingsView['llm']['provider'] } })} data-testid="provider-select">
              {PROVIDERS.map((p) => <option key={p.id} value={p.id}>{p.label}</option>)}
            </select>
          </label>
        )}
        {s && (
          <label className="field checkbox">
            <input type="checkbox" checked={s.llm.remoteEnabled} disabled={saving} onChange={(e) => patch({ llm: { remoteEnabled: e.target.checked } })} />
            <span>Allow remote providers (sends the computed facts, never raw rows, to the configured API)</span>
          </label>
        )}
        <table className="table" data-testid="provider-table">
          <thead><tr><th>Provider</th><th>State</th><th>Where data goes</th><th>Detail</th></tr></thead>
          <tbody>
            {status.data?.providers.map((p) => (
              <tr key={p.name}>
                <td>{p.name}{status.data?.active === p.name && <> <Badge tone="info">active</Badge></>}</td>
                <td>{p.available ? <Badge tone="good">available</Badge> : <Badge tone="muted">unavailable</Badge>}</td>
                <td>{p.destination === 'remote' ? <Badge tone="warn">leaves this device</Badge> : 'this device'}</td>
                <td>{p.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
    </div>
  );
}
