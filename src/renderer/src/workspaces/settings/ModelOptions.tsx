import { useEffect, useId, useState } from 'react';
import type { SettingsView } from '../../../../shared/contract';
import { shellKind } from '../../api/client';
import { useCall } from '../../api/hooks';
import { Badge, ErrorNote } from '../../components/ui';

export type Patch = (p: { llm?: Partial<SettingsView['llm']>; openaiApiKey?: string }) => Promise<void>;

/** A text setting saved when the user leaves the box (or presses Enter), not on every keystroke. */
export function CommitField({
  label,
  value,
  onCommit,
  placeholder,
  testId,
  type = 'text',
  disabled,
}: {
  label: string;
  value: string;
  onCommit: (v: string) => void;
  placeholder?: string;
  testId?: string;
  type?: string;
  disabled?: boolean;
}) {
  const id = useId();
  const [text, setText] = useState(value);
  useEffect(() => {
    setText(value);
  }, [value]);
  const commit = () => text !== value && onCommit(text.trim());
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        value={text}
        placeholder={placeholder}
        disabled={disabled}
        data-testid={testId}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
    </div>
  );
}

/** Ollama's state from llm:status: the model list is only asked for when the server answers. */
export interface OllamaState {
  running: boolean;
  detail: string;
}

function OllamaModels({ s, patch, saving, ollama }: { s: SettingsView; patch: Patch; saving: boolean; ollama: OllamaState }) {
  const models = useCall('llm:models', ollama.running ? {} : null);
  const id = useId();
  const names = models.data?.models.map((m) => m.name) ?? [];
  // Keep the configured model in the list even when Ollama does not have it, so the choice stays visible.
  const options = names.includes(s.llm.ollamaModel) ? names : [s.llm.ollamaModel, ...names];
  return (
    <div className="settings-sub" data-testid="ollama-options">
      <h3>Ollama</h3>
      <CommitField
        label="Host (empty: OLLAMA_HOST or http://127.0.0.1:11434)"
        value={s.llm.ollamaHost}
        onCommit={(v) => patch({ llm: { ollamaHost: v } })}
        disabled={saving}
      />
      <div className="field">
        <label htmlFor={id}>Model</label>
        <div className="settings-row">
          <select
            id={id}
            value={s.llm.ollamaModel}
            disabled={saving}
            onChange={(e) => patch({ llm: { ollamaModel: e.target.value } })}
            data-testid="ollama-model-select"
          >
            {options.map((m) => (
              <option key={m} value={m}>
                {m}
                {names.includes(m) ? '' : ' (not installed)'}
              </option>
            ))}
          </select>
          <button type="button" onClick={models.reload} disabled={models.loading}>
            {models.loading ? 'Listing…' : 'Refresh list'}
          </button>
        </div>
      </div>
      {!ollama.running && ollama.detail && (
        <p className="note warn small" data-testid="ollama-not-running">
          {ollama.detail} Installed models are listed here once it runs.
        </p>
      )}
      <ErrorNote message={ollama.running ? models.error : null} />
      {models.data &&
        (names.length === 0 ? (
          <p className="muted small">
            Ollama at {models.data.host} has no models. Install one with <code>ollama pull {s.llm.ollamaModel}</code>.
          </p>
        ) : (
          <p className="muted small" data-testid="ollama-model-count">
            {names.length} model{names.length === 1 ? '' : 's'} installed at {models.data.host}.
          </p>
        ))}
      {models.data && !names.includes(s.llm.ollamaModel) && names.length > 0 && (
        <p className="note warn small">
          “{s.llm.ollamaModel}” is not installed: run <code>ollama pull {s.llm.ollamaModel}</code> or pick one above.
        </p>
      )}
    </div>
  );
}

function EmbeddedOptions({ s, patch, saving }: { s: SettingsView; patch: Patch; saving: boolean }) {
  const electron = shellKind() === 'electron';
  const pick = async () => {
    const path = await window.api?.pickFile([{ name: 'GGUF model', extensions: ['gguf'] }]);
    if (path) await patch({ llm: { embeddedModelPath: path } });
  };
  return (
    <div className="settings-sub">
      <h3>Embedded GGUF model</h3>
      <CommitField
        label="GGUF file (runs inside IAFA, nothing leaves this device)"
        value={s.llm.embeddedModelPath}
        placeholder="/path/to/model.gguf"
        onCommit={(v) => patch({ llm: { embeddedModelPath: v } })}
        disabled={saving}
        testId="gguf-path"
      />
      {electron && (
        <button type="button" onClick={pick} disabled={saving}>
          Choose file…
        </button>
      )}
      <CommitField
        label="CPU threads"
        type="number"
        value={String(s.llm.embeddedThreads)}
        onCommit={(v) => {
          const n = Number(v);
          if (Number.isInteger(n) && n >= 1 && n <= 64) void patch({ llm: { embeddedThreads: n } });
        }}
        disabled={saving}
      />
    </div>
  );
}

const STORE_NAMES: Record<SettingsView['secrets']['store'], string> = {
  'electron-safe-storage': "encrypted with the operating system's keychain",
  'os-keyring': "in the operating system's keyring (Secret Service)",
  file: 'in a file in the data folder that only your user can read',
};

function keyWhere(s: SettingsView): string {
  const saved = `A saved key is kept ${STORE_NAMES[s.secrets.store]}, never in the database.`;
  if (s.secrets.keySource === 'env') return `Using the key from IAFA_OPENAI_API_KEY / OPENAI_API_KEY in the environment (not stored). ${saved}`;
  // The warning below already says where the key goes and how to keep it off the disk.
  if (s.secrets.warning) return 'Never kept in the database.';
  return `${saved} Or set IAFA_OPENAI_API_KEY before starting IAFA to keep it off the disk.`;
}

function OpenAiOptions({ s, patch, saving }: { s: SettingsView; patch: Patch; saving: boolean }) {
  const [key, setKey] = useState('');
  const keyId = useId();
  return (
    <div className="settings-sub">
      <h3>OpenAI-compatible API</h3>
      <p className="muted small">
        Works with OpenAI and with local servers (LM Studio, llama.cpp server, vLLM). A base URL on this computer (localhost) keeps data here; any other host
        receives the computed facts.
      </p>
      <CommitField
        label="Base URL"
        value={s.llm.openaiBaseUrl}
        onCommit={(v) => patch({ llm: { openaiBaseUrl: v } })}
        disabled={saving}
        testId="openai-base-url"
      />
      <CommitField label="Model" value={s.llm.openaiModel} onCommit={(v) => patch({ llm: { openaiModel: v } })} disabled={saving} testId="openai-model" />
      <div className="field">
        <label htmlFor={keyId}>API key {s.openaiApiKeySet ? <Badge tone="good">set</Badge> : <Badge tone="muted">not set</Badge>}</label>
        <div className="settings-row">
          <input
            id={keyId}
            type="password"
            autoComplete="off"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            placeholder={s.openaiApiKeySet ? 'stored on this device; type to replace' : 'sk-…'}
          />
          <button
            type="button"
            disabled={saving || !key}
            onClick={async () => {
              await patch({ openaiApiKey: key });
              setKey('');
            }}
          >
            Save key
          </button>
          {s.secrets.keySource === 'stored' && (
            <button type="button" disabled={saving} onClick={() => patch({ openaiApiKey: '' })}>
              Clear
            </button>
          )}
        </div>
        <p className="muted small" data-testid="secret-store">
          {keyWhere(s)}
        </p>
        {s.secrets.warning && (
          <div className="note warn" role="status" data-testid="secret-warning">
            {s.secrets.warning}
          </div>
        )}
      </div>
      <label className="field checkbox">
        <input type="checkbox" checked={s.llm.redactSegments} disabled={saving} onChange={(e) => patch({ llm: { redactSegments: e.target.checked } })} />
        <span>Replace segment names with placeholders before sending</span>
      </label>
    </div>
  );
}

/** Options for the chosen provider; "auto" shows Ollama's, since that is what it tries first. */
export function ModelOptions({ s, patch, saving, ollama }: { s: SettingsView; patch: Patch; saving: boolean; ollama: OllamaState }) {
  const p = s.llm.provider;
  return (
    <>
      {(p === 'ollama' || p === 'auto') && <OllamaModels s={s} patch={patch} saving={saving} ollama={ollama} />}
      {p === 'embedded' && <EmbeddedOptions s={s} patch={patch} saving={saving} />}
      {p === 'openai' && <OpenAiOptions s={s} patch={patch} saving={saving} />}
    </>
  );
}
