import { useState } from 'react';
import type { SettingsView } from '../../../shared/contract';
import { api, errorMessage } from '../api/client';
import { useCall } from '../api/hooks';
import { Badge, ErrorNote, Panel } from '../components/ui';
import { announceLlmChange } from './settings/events';
import { AdvancedOptions } from './settings/Advanced';
import { ModelOptions } from './settings/ModelOptions';
import { LimitsPanel } from './settings/LimitsPanel';
import { PromptsPanel, UsagePanel } from './settings/UsagePanel';
import { plural } from '../../../shared/plural';
import { setTheme, useTheme, type ThemeChoice } from '../state/theme';
import './settings/settings.css';

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
      // Send the whole llm block: the patch schema's defaults currently fill every omitted llm field
      // (zod 4 applies defaults inside .partial()), so a one-field patch would reset the others.
      const current = settings.data?.llm;
      await api('settings:update', p.llm && current ? { ...p, llm: { ...current, ...p.llm } } : p);
      settings.reload();
      status.reload();
      announceLlmChange();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  }

  const s = settings.data;
  const theme = useTheme();
  const remoteActive = status.data?.dataLeavesDevice === true;
  const ollamaStatus = status.data?.providers.find((p) => p.name === 'ollama');
  return (
    <div className="stack">
      <Panel title="Appearance">
        <label className="field">
          <span>Theme</span>
          <select value={theme} onChange={(e) => setTheme(e.target.value as ThemeChoice)} data-testid="theme-select">
            <option value="system">Same as the system (light or dark)</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
      </Panel>
      <Panel title="Data folder">
        <p>Everything IAFA stores (datasets, analyses, reports) lives here, on this computer:</p>
        <code data-testid="data-dir">{s?.dataDir ?? '…'}</code>
        {health.data && (
          <p className="muted">
            Database: {health.data.database.path} · {plural(health.data.database.migrations, 'migration')} applied · version {health.data.version}
          </p>
        )}
      </Panel>
      <Panel title="Model provider" actions={<button onClick={status.reload}>Check again</button>}>
        <ErrorNote message={error ?? settings.error ?? status.error} />
        {remoteActive && (
          <div className="remote-banner" role="status" data-testid="remote-active">
            <strong>Data leaves this device.</strong> The active provider ({status.data?.active}) is on another host: the computed facts (never raw rows) are
            sent to it with every generation. Choose a local provider to stop this.
          </div>
        )}
        {status.data?.banner && (
          <div className="note info" data-testid="llm-banner">
            {status.data.banner}
          </div>
        )}
        {s && (
          <label className="field">
            <span>Provider</span>
            <select
              value={s.llm.provider}
              disabled={saving}
              onChange={(e) => patch({ llm: { provider: e.target.value as SettingsView['llm']['provider'] } })}
              data-testid="provider-select"
            >
              {PROVIDERS.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.label}
                </option>
              ))}
            </select>
          </label>
        )}
        {s && (
          <label className="field checkbox">
            <input
              type="checkbox"
              checked={s.llm.remoteEnabled}
              disabled={saving}
              onChange={(e) => patch({ llm: { remoteEnabled: e.target.checked } })}
              data-testid="remote-opt-in"
            />
            <span>Allow remote providers (sends the computed facts, never raw rows, to the configured API)</span>
          </label>
        )}
        {s && <ModelOptions s={s} patch={patch} saving={saving} ollama={{ running: ollamaStatus?.available === true, detail: ollamaStatus?.detail ?? '' }} />}
        {s && <AdvancedOptions s={s} patch={patch} saving={saving} />}
        <table className="table" data-testid="provider-table">
          <thead>
            <tr>
              <th>Provider</th>
              <th>State</th>
              <th>Where data goes</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            {status.data?.providers.map((p) => (
              <tr key={p.name}>
                <td>
                  {p.name}
                  {status.data?.active === p.name && (
                    <>
                      {' '}
                      <Badge tone="info">active</Badge>
                    </>
                  )}
                </td>
                <td>{p.available ? <Badge tone="good">available</Badge> : <Badge tone="muted">unavailable</Badge>}</td>
                <td>{p.destination === 'remote' ? <Badge tone="warn">leaves this device</Badge> : 'this device'}</td>
                <td>{p.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
      {s && <LimitsPanel s={s} patch={patch} saving={saving} />}
      <Panel title="Experiments">
        <label className="xp-check">
          Default read-out engine{' '}
          <select
            value={s?.experiments?.engine ?? 'frequentist'}
            disabled={!s || saving}
            data-testid="settings-engine"
            onChange={(e) => patch({ experiments: { engine: e.target.value === 'bayesian' ? 'bayesian' : 'frequentist' } })}
          >
            <option value="frequentist">Frequentist (p-values, confidence intervals)</option>
            <option value="bayesian">Bayesian (chance to beat control, risk)</option>
          </select>
        </label>
        <p className="muted small">
          Used when an analysis does not choose an engine; the analyzer and <code>--engine</code> can override it.
        </p>
      </Panel>
      <UsagePanel />
      <PromptsPanel />
    </div>
  );
}
