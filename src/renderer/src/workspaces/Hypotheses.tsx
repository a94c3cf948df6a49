import { useMemo, useRef, useState } from 'react';
import type { Fact } from '../../../shared/contract';
import type { Hypothesis } from '../../../shared/contract';
import { errorMessage } from '../api/client';
import { Empty, ErrorNote, Panel } from '../components/ui';
import { insightsApi } from '../features/insights/api';
import { copyText, hypothesesText } from '../features/insights/copy';
import { HypothesisCard } from '../features/insights/HypothesisCard';
import { fromModel, hypothesesWording } from '../features/insights/narrative';
import { Provenance } from '../features/insights/Provenance';
import { useAsync } from '../api/hooks';
import { WordingBar, type Wording } from '../features/insights/WordingBar';
import { setHandoff } from '../state/handoff';
import { useSelection } from '../state/selection';
import { canonical, useAnalysisTarget } from '../state/useFunnelView';
import '../features/insights/insights.css';

export default function Hypotheses() {
  const target = useAnalysisTarget();
  const sel = useSelection();
  // Set by "Generate again": the next load asks the model afresh instead of reading the cache.
  const fresh = useRef(false);
  const res = useAsync(
    target
      ? (signal) => {
          const refresh = fresh.current;
          fresh.current = false;
          return insightsApi.hypotheses(target, refresh, { signal });
        }
      : null,
    canonical(target),
  );
  const [wording, setWording] = useState<Wording>('model');
  const [note, setNote] = useState<string | null>(null);
  const r = res.data;
  const facts = useMemo(() => new Map<string, Fact>((r?.facts ?? []).map((f) => [f.id, f])), [r]);
  // The model rewrites the first five hypotheses, in order; the hand-off to the designer stays computed.
  const worded = r && wording === 'model' && fromModel(r.narrative) ? hypothesesWording(r.narrative) : [];

  if (!target) {
    return (
      <Panel title="Hypotheses">
        <Empty>
          Hypotheses come from the funnel you are looking at: compute one on the <a href="#/dashboard">Dashboard</a> first.
        </Empty>
      </Panel>
    );
  }

  function design(h: Hypothesis) {
    setHandoff({
      version: 1,
      source: 'hypothesis',
      hypothesisId: h.id,
      title: h.title,
      hypothesis: h.description,
      experimentType: h.suggested_experiment.type,
      testDescription: h.suggested_experiment.description,
      expectedOutcome: h.suggested_experiment.expected_outcome,
      priority: h.priority,
      baselineRate: h.suggested_experiment.baseline_rate,
      sampleSizePerVariant: h.suggested_experiment.sample_size_per_variant,
      durationDays: h.suggested_experiment.duration_days,
      mdeRelative: h.suggested_experiment.mde_relative,
      dailyUsers: h.suggested_experiment.daily_eligible_users,
      evidence: h.fact_ids
        .map((id) => facts.get(id))
        .filter((f): f is Fact => Boolean(f))
        .map((f) => ({ factId: f.id, label: f.label, display: f.display })),
      datasetId: sel.datasetId,
      funnelId: sel.funnelId,
      createdAt: new Date().toISOString(),
    });
    window.location.hash = '#/experiments';
  }

  async function exportText() {
    if (!r) return;
    try {
      await copyText(hypothesesText(r.hypotheses, r.facts));
      setNote('Hypotheses copied to the clipboard.');
    } catch (e) {
      setNote(errorMessage(e));
    }
  }

  return (
    <Panel
      title={`Hypotheses${r ? ` (${r.hypotheses.length})` : ''}`}
      actions={
        <>
          {r && <Provenance narrative={r.narrative} />}
          <button
            type="button"
            onClick={() => {
              fresh.current = true;
              res.reload();
            }}
            disabled={res.loading}
            data-testid="hypotheses-generate"
          >
            Generate again
          </button>
          <button type="button" onClick={exportText} disabled={!r}>
            Export (copy)
          </button>
        </>
      }
    >
      <ErrorNote message={res.error} />
      {r && <WordingBar narrative={r.narrative} wording={wording} onWording={setWording} />}
      {note && (
        <div className="note info" role="status">
          {note}
        </div>
      )}
      {res.loading && !r && (
        <p className="loading" role="status">
          Generating hypotheses from the funnel…
        </p>
      )}
      {r && r.hypotheses.length === 0 && <Empty>No testable hypotheses stand out for this funnel.</Empty>}
      <div className="hyp-list" aria-busy={res.loading}>
        {r?.hypotheses.map((h, i) => (
          <HypothesisCard key={h.id} h={h} facts={facts} wording={worded[i]} onDesign={() => design(h)} />
        ))}
      </div>
    </Panel>
  );
}
