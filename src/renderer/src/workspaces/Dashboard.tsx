import { useEffect, useState } from 'react';
import type { Dataset, Funnel, FunnelDefinitionInput } from '../../../shared/contract';
import { api } from '../api/client';
import { useCall } from '../api/hooks';
import { useModelActive } from '../api/useModel';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { Empty, ErrorNote, Panel } from '../components/ui';
import { DailyTrend } from '../features/funnel/DailyTrend';
import { factFocus } from '../features/funnel/factFocus';
import { FocusValue } from '../features/funnel/FocusValue';
import { FunnelBuilder } from '../features/funnel/FunnelBuilder';
import { FunnelChart } from '../features/funnel/FunnelChart';
import { DenseRangeNote, FunnelSummary } from '../features/funnel/FunnelSummary';
import { SegmentComparison } from '../features/funnel/SegmentComparison';
import { InsightsPanel } from '../features/insights/InsightsPanel';
import { useHashParam } from '../state/hash';
import { setSelection, useSelection } from '../state/selection';
import { canonical, useAnalysisTarget } from '../state/useFunnelView';
import '../features/funnel/funnel.css';

const ReportLinks = () => {
  const model = useModelActive();
  return (
    <>
      <a className="button" href="#/reports" data-testid="export-link">
        Export
      </a>
      <a className="button primary" href="#/reports" data-testid="ai-report-link">
        {model ? 'Generate AI Report' : 'Generate report'}
      </a>
    </>
  );
};

/**
 * `#/dashboard?fact=<id>&funnel=<id>` (the Ask workspace's fact chips): opens that saved funnel and
 * highlights where the cited fact is shown.
 */
export default function Dashboard() {
  const sel = useSelection();
  const factId = useHashParam('fact');
  const funnelParam = useHashParam('funnel');
  // Bumped when a link switches the funnel, so the builder's draft restarts from the new definition.
  const [adopted, setAdopted] = useState(0);
  useEffect(() => {
    if (!funnelParam || (funnelParam === sel.funnelId && sel.definition)) return;
    let live = true;
    api('funnels:get', { id: funnelParam }).then(
      (f) => {
        if (!live) return;
        setSelection({ datasetId: f.datasetId, funnelId: f.id, definition: f.definition });
        setAdopted((n) => n + 1);
      },
      () => undefined,
    ); // A deleted funnel leaves the current view as it is.
    return () => {
      live = false;
    };
  }, [funnelParam, sel.funnelId, sel.definition]);
  const list = useCall('datasets:list', {});
  const datasets = list.data?.datasets ?? null;
  const current = datasets?.find((d) => d.id === sel.datasetId) ?? null;

  const picker = datasets && datasets.length > 0 && (
    <label className="field inline">
      <span>Dataset</span>
      <select
        value={current?.id ?? ''}
        data-testid="dataset-select"
        onChange={(e) => setSelection({ datasetId: e.target.value || null, funnelId: null, definition: null })}
      >
        {!current && <option value="">Choose…</option>}
        {datasets.map((d) => (
          <option key={d.id} value={d.id}>
            {d.name}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <div className="stack">
      <Panel
        title="Funnel"
        actions={
          <div className="dash-head">
            {picker}
            <ReportLinks />
          </div>
        }
      >
        <ErrorNote message={list.error} />
        {list.loading && !datasets && <p className="loading">Loading datasets…</p>}
        {datasets?.length === 0 && (
          <Empty>
            No data yet: import a file or try the sample in <a href="#/data">Data</a>.
          </Empty>
        )}
        {datasets && datasets.length > 0 && !current && <Empty>Choose a dataset above to build a funnel.</Empty>}
        {current && <Builder key={`${current.id}|${adopted}`} dataset={current} />}
      </Panel>
      {/* The builder stays usable when a result fails to draw; a new definition retries. */}
      {current && (
        <ErrorBoundary key={canonical(sel.definition)} area="The funnel results">
          <Results
            factId={factId}
            onRange={({ from, to }) => {
              // The builder's draft restarts from the new definition, like a link that switches the funnel.
              if (sel.definition) setSelection({ definition: { ...sel.definition, from, to }, funnelId: null });
              setAdopted((n) => n + 1);
            }}
          />
        </ErrorBoundary>
      )}
    </div>
  );
}

/** Keyed by dataset, so switching datasets starts a fresh draft. */
function Builder({ dataset }: { dataset: Dataset }) {
  const sel = useSelection();
  const funnels = useCall('funnels:list', { datasetId: dataset.id });
  const [draft, setDraft] = useState<FunnelDefinitionInput>(
    () =>
      sel.definition ?? {
        // An aggregated export's stages are already a funnel, in order: start from them.
        steps: dataset.kind === 'aggregated' ? dataset.events.slice(0, 20).map((e) => ({ event: e.name })) : [],
        window: '7d',
        mode: 'any-start',
        tz: 'UTC',
      },
  );
  const all = funnels.data?.funnels ?? [];

  const run = () => {
    const saved = all.find((f) => f.id === sel.funnelId);
    // An edited saved funnel is no longer that funnel: analyse it as an unsaved draft until saved.
    const stillSaved = saved && canonical(saved.definition) === canonical(draft);
    setSelection({ datasetId: dataset.id, definition: draft, funnelId: stillSaved ? saved.id : null });
  };
  const adopt = (f: Funnel) => {
    setDraft(f.definition);
    setSelection({ datasetId: dataset.id, funnelId: f.id, definition: f.definition });
  };
  return (
    <>
      <ErrorNote message={funnels.error} />
      <FunnelBuilder
        dataset={dataset}
        draft={draft}
        setDraft={setDraft}
        funnels={all}
        funnelId={sel.funnelId}
        onRun={run}
        onLoad={adopt}
        onSaved={(f) => {
          funnels.reload();
          adopt(f);
        }}
      />
    </>
  );
}

function Results({ factId, onRange }: { factId: string | null; onRange(range: { from: string; to: string }): void }) {
  const sel = useSelection();
  const ready = sel.datasetId && sel.definition && sel.definition.steps.length >= 2;
  const compute = useCall('funnels:compute', ready ? { datasetId: sel.datasetId!, definition: sel.definition! } : null);
  const target = useAnalysisTarget();
  const r = compute.data;
  const focus = factId && r ? factFocus(factId, r) : null;
  // Whether the highlighted element made it on screen (a small segment may not be among the rows shown).
  const [shown, setShown] = useState<boolean | null>(null);
  useEffect(() => {
    if (!factId || !r) {
      setShown(null);
      return;
    }
    const el = document.querySelector('[data-fact-highlight]');
    setShown(Boolean(el));
    el?.scrollIntoView({ block: 'center' });
  }, [factId, r]);
  if (!ready)
    return (
      <Panel title="Funnel chart">
        <Empty>Pick the steps above and press “Compute funnel”.</Empty>
      </Panel>
    );
  const stale = compute.loading && r !== null;
  return (
    <>
      {factId && (
        <div className="note info fact-focus" role="status" aria-live="polite" data-testid="fact-focus">
          {!r
            ? 'Computing the funnel to show the cited figure…'
            : focus && shown
              ? `Highlighted: ${focus.what} (fact ${factId}).`
              : shown === null
                ? ''
                : `The cited figure (fact ${factId}) is not shown on the Dashboard for this funnel.`}
          {r && <FocusValue factId={factId} target={target} />} <a href="#/dashboard">Clear</a>
        </div>
      )}
      <Panel
        title="Funnel chart"
        actions={
          compute.loading ? (
            <span className="loading" role="status">
              Computing…
            </span>
          ) : r ? (
            <span className="muted small">computed in {Math.round(r.computed_ms)} ms</span>
          ) : null
        }
      >
        <ErrorNote message={compute.error} />
        {!r && compute.loading && <p className="loading">Computing the funnel…</p>}
        {r && (
          <div aria-busy={stale} className={stale ? 'stale' : undefined}>
            <FunnelSummary result={r} focus={focus} />
            <DenseRangeNote result={r} onUse={onRange} />
            <FunnelChart result={r} focus={focus} />
          </div>
        )}
      </Panel>
      {r && (
        <div className="dash-grid">
          <Panel title={`Segment comparison${r.segment_by ? ` by ${r.segment_by}` : ''}`}>
            <SegmentComparison result={r} focus={focus} />
          </Panel>
          <Panel title={`Daily trend (${r.definition.tz})`}>
            <DailyTrend result={r} />
          </Panel>
        </div>
      )}
      {target && r && <InsightsPanel target={target} compact />}
    </>
  );
}
