import { useMemo, useRef, useState } from 'react';
import type { Fact } from '../../../../shared/contract';
import type { InsightRecommendation, RecommendationStatus, StoredRecommendation } from '../../../../shared/contract';
import { dashboardHref, firstDashboardFact, recommendationHandoff } from '../../lib/handoffs';
import { setHandoff } from '../../state/handoff';
import { useSelection } from '../../state/selection';
import { errorMessage } from '../../api/client';
import { Badge, Empty, ErrorNote } from '../../components/ui';
import { canonical, type AnalysisTarget } from '../../state/useFunnelView';
import { insightsApi } from './api';
import { copyText, insightsText, recommendationText } from './copy';
import { FactList } from './FactList';
import { InsightsExtras } from './InsightsExtras';
import { fromModel, insightsWording } from './narrative';
import { Provenance } from './Provenance';
import { RecommendationCard } from './RecommendationCard';
import { useAsync } from '../../api/hooks';
import { WordingBar, type Wording } from './WordingBar';
import './insights.css';

const SEVERITY_TONE = { High: 'bad', Medium: 'warn', Low: 'muted' } as const;

/**
 * The analyst's findings for the funnel in view: insights, prioritised recommendations with
 * persisted status, guardrails. The numbers, priorities and statuses are always the engine's; when
 * a model wrote the prose (`narrative`), its grounded wording replaces the computed text and a
 * toggle brings the computed text back. `compact` is the Dashboard's version (top items, link to
 * the full Insights workspace).
 */
export function InsightsPanel({ target, compact = false }: { target: AnalysisTarget; compact?: boolean }) {
  const key = canonical(target);
  // Set by Refresh: the next load asks for a fresh generation instead of the cached one.
  const fresh = useRef(false);
  const report = useAsync((signal) => {
    const refresh = fresh.current;
    fresh.current = false;
    return insightsApi.recommendations(target, refresh, { signal });
  }, key);
  const [wording, setWording] = useState<Wording>('model');
  const funnelId = 'funnelId' in target ? target.funnelId : undefined;
  const stored = useAsync(report.data ? () => insightsApi.list(funnelId ? { funnelId } : {}) : null, `${key}|${report.data?.generated_at ?? ''}`);
  const [updates, setUpdates] = useState<Record<string, StoredRecommendation>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [note, setNote] = useState<{ tone: 'info' | 'error'; text: string } | null>(null);

  const r = report.data;
  const sel = useSelection();
  // "Show on Dashboard": the finding's first figure the Dashboard can point at, with its value.
  const insightLink = (ids: string[]) => {
    const id = firstDashboardFact(ids);
    const href = id ? dashboardHref(id, funnelId ?? null) : null;
    const f = id ? facts.get(id) : undefined;
    return href && f ? (
      <>
        {' '}
        <a href={href} className="small" data-testid="insight-dashboard" data-fact-id={id} data-display={f.display}>
          Show {f.display} on the Dashboard
        </a>
      </>
    ) : null;
  };
  const facts = useMemo(() => new Map<string, Fact>((r?.facts ?? []).map((f) => [f.id, f])), [r]);
  const storedById = useMemo(() => {
    const m = new Map<string, StoredRecommendation>();
    for (const s of stored.data?.recommendations ?? []) m.set(s.id, s);
    for (const s of Object.values(updates)) m.set(s.id, s);
    return m;
  }, [stored.data, updates]);
  const storedFor = (id: string, fingerprint: string) => storedById.get(id) ?? [...storedById.values()].find((s) => s.fingerprint === fingerprint);

  async function setStatus(id: string, fingerprint: string, status: RecommendationStatus) {
    setBusy(id);
    setNote(null);
    try {
      const s = await insightsApi.setStatus(storedFor(id, fingerprint)?.id ?? id, status);
      setUpdates((u) => ({ ...u, [s.id]: s }));
    } catch (e) {
      setNote({ tone: 'error', text: errorMessage(e) });
    } finally {
      setBusy(null);
    }
  }
  async function copy(text: string, what: string) {
    try {
      await copyText(text);
      setNote({ tone: 'info', text: `Copied ${what} to the clipboard.` });
    } catch (e) {
      setNote({ tone: 'error', text: errorMessage(e) });
    }
  }

  /** Hands the recommendation's suggested experiment to the designer, with its computed numbers. */
  function design(rec: InsightRecommendation) {
    const sug = r?.experiment_suggestions.find((x) => x.recommendation_id === rec.id);
    if (!sug) return;
    const original = r?.recommendations.find((x) => x.id === rec.id) ?? rec;
    setHandoff(recommendationHandoff(original, sug, facts, { datasetId: sel.datasetId, funnelId: funnelId ?? null }));
    window.location.hash = '#/experiments';
  }

  const withStatus = (r?.recommendations ?? []).map((rec) => ({ ...rec, status: storedFor(rec.id, rec.fingerprint)?.status ?? rec.status }));
  const details = r ? (r.insight_details.length ? r.insight_details : r.findings) : [];
  const recs = compact ? withStatus.slice(0, 3) : withStatus;
  const model = r && wording === 'model' && fromModel(r.narrative) ? insightsWording(r.narrative) : null;
  // Model recommendations follow the computed ones in order (the first three); the rest stay computed.
  const worded = recs.map((rec, i) => {
    const w = model?.recommendations[i];
    if (!w?.title) return rec;
    return {
      ...rec,
      title: w.title,
      rationale: w.rationale || rec.rationale,
      expected_impact: w.expected_impact || rec.expected_impact,
      action_items: w.action_items.length ? w.action_items : rec.action_items,
    };
  });
  const guards = compact ? (r?.guardrails ?? []).slice(0, 3) : (r?.guardrails ?? []);

  return (
    <section className="panel insights-panel" aria-labelledby="insights-title" data-testid="insights-panel">
      <header className="panel-head">
        <h2 id="insights-title">
          {model ? 'AI Insights' : 'Insights'} &amp; Recommendations {r && <Provenance narrative={r.narrative} />}
        </h2>
        <div className="panel-actions">
          {compact && (
            <a className="button" href="#/hypotheses">
              Generate hypotheses
            </a>
          )}
          {compact && (
            <a className="button" href="#/insights">
              Expand
            </a>
          )}
          <button
            type="button"
            onClick={() => {
              fresh.current = true;
              report.reload();
            }}
            disabled={report.loading}
            data-testid="insights-refresh"
          >
            Refresh
          </button>
          <button
            type="button"
            disabled={!r}
            onClick={() => r && copy(insightsText({ ...r, recommendations: withStatus }), 'the report')}
            data-testid="insights-copy"
          >
            Copy report
          </button>
        </div>
      </header>
      <div className="panel-body">
        <ErrorNote message={report.error} />
        {note && (
          <div className={`note ${note.tone}`} role={note.tone === 'error' ? 'alert' : 'status'}>
            {note.text}
          </div>
        )}
        {report.loading && !r && (
          <p className="loading" role="status">
            Analysing the funnel…
          </p>
        )}
        {r && (
          <div aria-busy={report.loading}>
            <WordingBar narrative={r.narrative} wording={wording} onWording={setWording} />
            <h3>Key insights</h3>
            {model?.summary && (
              <p className="summary" data-testid="model-summary">
                {model.summary}
              </p>
            )}
            {!model && details.length === 0 && r.insights.length === 0 && <Empty>No notable findings for this funnel.</Empty>}
            <ul className="insight-list" data-testid="insights-list">
              {model && model.insights.length > 0
                ? model.insights.slice(0, compact ? 3 : 5).map((f, i) => (
                    <li key={i} data-testid="model-insight">
                      <span className="muted-ink">{f.text}</span>
                      {!compact && <FactList ids={f.fact_ids} facts={facts} title="Based on" />}
                    </li>
                  ))
                : details.length > 0
                  ? details.slice(0, compact ? 3 : 5).map((f) => (
                      <li key={f.id}>
                        <Badge tone={SEVERITY_TONE[f.severity]}>{f.severity}</Badge> <strong>{f.title}.</strong> <span className="muted-ink">{f.text}</span>
                        {insightLink(f.fact_ids)}
                        {!compact && <FactList ids={f.fact_ids} facts={facts} title="Based on" />}
                      </li>
                    ))
                  : r.insights.map((t, i) => <li key={i}>{t}</li>)}
            </ul>
            <h3>{compact ? 'Top recommendations' : 'Recommendations'}</h3>
            {recs.length === 0 && <Empty>No recommendations: nothing in this funnel stands out enough to act on.</Empty>}
            <div className="rec-list">
              {worded.map((rec) => (
                <RecommendationCard
                  key={rec.id}
                  rec={rec}
                  facts={facts}
                  stored={storedFor(rec.id, rec.fingerprint)}
                  busy={busy === rec.id}
                  onStatus={(s) => setStatus(rec.id, rec.fingerprint, s)}
                  onCopy={() => copy(recommendationText(rec), 'the recommendation')}
                  suggestion={r.experiment_suggestions.find((x) => x.recommendation_id === rec.id)}
                  onDesign={() => design(rec)}
                />
              ))}
            </div>
            {compact && withStatus.length > recs.length && (
              <p>
                <a href="#/insights">All {withStatus.length} recommendations →</a>
              </p>
            )}
            <h3>⚠ Guardrails</h3>
            {guards.length === 0 && <p className="muted">No guardrail warnings.</p>}
            <ul className="guardrails" data-testid="guardrails">
              {guards.map((g, i) => (
                <li key={i}>
                  <Badge tone={SEVERITY_TONE[g.severity]}>{g.type.replace('_', ' ')}</Badge> {g.message} <span className="muted">{g.recommendation}</span>
                </li>
              ))}
            </ul>
            {compact && r.guardrails.length > guards.length && (
              <p>
                <a href="#/insights">View all guardrails →</a>
              </p>
            )}
            {!compact && <InsightsExtras report={r} facts={facts} />}
            <p className="muted small">
              Generated {r.generated_at.replace('T', ' ').slice(0, 19)} UTC from {r.facts.length} computed facts.
            </p>
          </div>
        )}
      </div>
    </section>
  );
}
