import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Analyzer } from './experiments/Analyzer';
import { EMPTY_CONFIG, type AnalysisConfig } from './experiments/analysisConfig';
import { Causal } from './experiments/Causal';
import { Designer } from './experiments/Designer';
import { ANALYSIS_CONFIG_KEY as CONFIG_KEY } from '../state/analysisPreset';
import './ask/ask.css';
import './experiments/experiments.css';

const TABS = [
  { id: 'design', label: 'Design' },
  { id: 'analyze', label: 'Analyze' },
  { id: 'causal', label: 'Causal checks' },
] as const;
type TabId = (typeof TABS)[number]['id'];

function loadConfig(): AnalysisConfig {
  try {
    const v = JSON.parse(localStorage.getItem(CONFIG_KEY) ?? 'null') as Partial<AnalysisConfig> | null;
    return v ? { ...EMPTY_CONFIG, ...v } : EMPTY_CONFIG;
  } catch {
    return EMPTY_CONFIG;
  }
}

/** #/experiments/analyze opens a tab directly, so other workspaces can link to it. */
function tabFromHash(): TabId {
  const sub = window.location.hash.split(/[/?&]/)[2];
  return TABS.some((t) => t.id === sub) ? (sub as TabId) : 'design';
}

export default function Experiments() {
  const [tab, setTab] = useState<TabId>(tabFromHash);
  const [config, setConfigState] = useState<AnalysisConfig>(loadConfig);
  const tabRefs = useRef<Record<TabId, HTMLButtonElement | null>>({ design: null, analyze: null, causal: null });
  const setConfig = useCallback((c: AnalysisConfig) => {
    setConfigState(c);
    localStorage.setItem(CONFIG_KEY, JSON.stringify(c));
  }, []);

  useEffect(() => {
    const onHash = () => setTab(tabFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const select = (id: TabId, focus = false) => {
    setTab(id);
    history.replaceState(null, '', `#/experiments/${id}`);
    if (focus) tabRefs.current[id]?.focus();
  };
  // WAI-ARIA tabs: arrows move between tabs, Home/End jump to the ends.
  const onKey = (e: KeyboardEvent) => {
    // Move from the tab that has focus (normally the selected one).
    const focused = TABS.findIndex((t) => `xp-tab-${t.id}` === (e.target as HTMLElement).id);
    const i = focused >= 0 ? focused : TABS.findIndex((t) => t.id === tab);
    const next =
      e.key === 'ArrowRight'
        ? (i + 1) % TABS.length
        : e.key === 'ArrowLeft'
          ? (i + TABS.length - 1) % TABS.length
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? TABS.length - 1
              : -1;
    if (next < 0) return;
    e.preventDefault();
    select(TABS[next].id, true);
  };

  return (
    <div className="xp">
      <div className="xp-tabs" role="tablist" aria-label="Experiment tools" onKeyDown={onKey}>
        {TABS.map((t) => (
          <button
            key={t.id}
            ref={(el) => {
              tabRefs.current[t.id] = el;
            }}
            type="button"
            role="tab"
            id={`xp-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`xp-panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => select(t.id)}
            data-testid={`xp-tab-${t.id}`}
          >
            {t.label}
          </button>
        ))}
      </div>
      {/* Panels stay mounted so a half-filled form survives switching tabs. */}
      {TABS.map((t) => (
        <div key={t.id} role="tabpanel" id={`xp-panel-${t.id}`} aria-labelledby={`xp-tab-${t.id}`} hidden={tab !== t.id}>
          {t.id === 'design' && <Designer />}
          {t.id === 'analyze' && <Analyzer config={config} onConfig={setConfig} onCausal={() => select('causal', true)} />}
          {t.id === 'causal' && <Causal config={config} onConfig={setConfig} />}
        </div>
      ))}
    </div>
  );
}
