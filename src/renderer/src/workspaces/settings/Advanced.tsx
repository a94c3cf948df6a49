import type { SettingsView } from '../../../../shared/contract';
import { CommitField, type Patch } from './ModelOptions';

const CHAIN = ['ollama', 'embedded', 'openai'] as const;
type ChainItem = (typeof CHAIN)[number];

/** Timeouts, cache lifetime, remote rate limit and the fallback chain: the knobs behind every generation. */
export function AdvancedOptions({ s, patch, saving }: { s: SettingsView; patch: Patch; saving: boolean }) {
  const whole = (v: string, min: number, max: number): number | null => {
    const n = Number(v);
    return Number.isFinite(n) && n >= min && n <= max ? n : null;
  };
  const fallback = s.llm.fallback;
  const toggle = (p: ChainItem, on: boolean) => patch({ llm: { fallback: on ? [...fallback, p] : fallback.filter((x) => x !== p) } });
  return (
    <details className="settings-sub" data-testid="llm-advanced">
      <summary>Timeouts, cache, limits and fallback</summary>
      <CommitField
        label="Timeout per generation (seconds)"
        type="number"
        value={String(s.llm.timeoutMs / 1000)}
        disabled={saving}
        onCommit={(v) => {
          const n = whole(v, 1, 600);
          if (n !== null) void patch({ llm: { timeoutMs: Math.round(n * 1000) } });
        }}
      />
      <CommitField
        label="Keep generated text for (hours; 0 = no cache)"
        type="number"
        value={String(s.llm.cacheTtlHours)}
        disabled={saving}
        onCommit={(v) => {
          const n = whole(v, 0, 24 * 365);
          if (n !== null) void patch({ llm: { cacheTtlHours: n } });
        }}
      />
      <CommitField
        label="Remote API requests per day (protects costs)"
        type="number"
        value={String(s.llm.dailyLimit.openai ?? '')}
        disabled={saving}
        onCommit={(v) => {
          const n = whole(v, 0, 1_000_000);
          if (n !== null) void patch({ llm: { dailyLimit: { ...s.llm.dailyLimit, openai: Math.round(n) } } });
        }}
      />
      <fieldset className="settings-fallback">
        <legend>When the chosen provider fails, try (in this order), then show the computed analysis</legend>
        {CHAIN.map((p) => (
          <label key={p} className="field checkbox">
            <input type="checkbox" checked={fallback.includes(p)} disabled={saving} onChange={(e) => toggle(p, e.target.checked)} />
            <span>
              {p}
              {fallback.includes(p) ? ` (#${fallback.indexOf(p) + 1})` : ''}
            </span>
          </label>
        ))}
      </fieldset>
    </details>
  );
}
