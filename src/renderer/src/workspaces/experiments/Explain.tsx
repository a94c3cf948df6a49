import { useRef, useState } from 'react';
import type { Fact, LlmTask, NarrateOutput, ProgressEvent } from '../../../../shared/contract';
import { api, errorMessage } from '../../api/client';
import { Badge, ErrorNote } from '../../components/ui';
import { Feedback } from '../ask/Feedback';
import { explainLabel } from './explainLabel';

/** What the computed analysis already says, in the task's narrative shape: the fallback for any ungrounded field. */
export type Deterministic = Record<string, string | string[]>;

const MAX_FACT_IDS = 8;

/** Narrative fields are shown in this order with these headings; unknown fields are ignored. */
const FIELDS: Record<string, string> = {
  summary: 'Summary',
  conclusion: 'Conclusion',
  interpretation: 'Interpretation',
  rationale: 'Rationale',
  mechanism: 'Mechanism',
  confounders: 'Confounders',
  risks: 'Risks',
  next_steps: 'Next steps',
};

function progressText(ev: ProgressEvent): string | null {
  if (ev.phase === 'queued' && ev.queuePosition !== undefined) return `Waiting for the model: position ${ev.queuePosition} in the queue.`;
  return ev.message ?? null;
}

/**
 * "Explain with the model": prose for numbers the engine already computed. The model may only
 * restate the cited facts; whatever fails the grounding check comes back as the computed text,
 * and the badge says which. Text is rendered as text, never as HTML.
 */
export function Explain({
  task,
  facts,
  deterministic,
  decision,
  context,
  scopeId,
}: {
  task: LlmTask;
  facts: Fact[];
  deterministic: Deterministic;
  decision: string | null;
  context: Record<string, unknown>;
  scopeId: string | null;
}) {
  const [out, setOut] = useState<NarrateOutput | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const abort = useRef<AbortController | null>(null);

  async function run(refresh: boolean) {
    abort.current?.abort();
    const c = new AbortController();
    abort.current = c;
    setBusy(true);
    setError(null);
    setStatus('Starting…');
    try {
      const det = { ...deterministic, fact_ids: facts.slice(0, MAX_FACT_IDS).map((f) => f.id) };
      const r = await api(
        'llm:narrate',
        {
          task,
          facts: { facts, generated_at: new Date().toISOString() },
          deterministic: det,
          context,
          decision,
          scope: { funnel_id: scopeId },
          options: { refresh },
        },
        {
          signal: c.signal,
          onProgress: (ev) => {
            const t = progressText(ev);
            if (t) setStatus(t);
          },
        },
      );
      if (abort.current === c) setOut(r);
    } catch (e) {
      if (abort.current === c) setError(c.signal.aborted ? 'Stopped.' : errorMessage(e));
    } finally {
      if (abort.current === c) {
        setBusy(false);
        setStatus(null);
      }
    }
  }

  const g = out?.grounding;
  const label = out ? explainLabel(out) : null;
  return (
    <section className="xp-explain" aria-label="Explanation" data-testid={`xp-explain-${task}`}>
      <div className="xp-explain-head">
        <h3>Explanation</h3>
        {busy ? (
          <button type="button" onClick={() => abort.current?.abort()}>
            Stop
          </button>
        ) : (
          <button type="button" onClick={() => run(out !== null)} data-testid="xp-explain-run">
            {out ? 'Write again' : 'Explain with the model'}
          </button>
        )}
      </div>
      {status && (
        <p className="muted small" role="status">
          {status}
        </p>
      )}
      <ErrorNote message={error} />
      {!out && !busy && <p className="muted small">The model explains the computed results in words; it cannot change a number or the decision.</p>}
      {out && (
        <div data-testid="xp-explain-text">
          <div className="ask-answer-meta">
            {label && (
              <span data-testid="xp-explain-badge">
                <Badge tone={label.tone}>{label.text}</Badge>
              </span>
            )}
            <span className="muted small">
              {out.generation.provider === 'none' ? 'Computed analysis (no model)' : `${out.generation.provider} · ${out.generation.model}`}
              {out.generation.cache_hit ? ' · cached' : ''}
            </span>
          </div>
          {out.generation.banner && <div className="note info small">{out.generation.banner}</div>}
          {g && label?.showFindings && g.fallback_fields.length > 0 && (
            <p className="muted small">Shown from the computed analysis instead of the model: {g.fallback_fields.join(', ')}.</p>
          )}
          {g && label?.showFindings && g.ungrounded.length > 0 && (
            <p className="muted small" data-testid="xp-explain-ungrounded">
              Not matched to a computed fact:{' '}
              {g.ungrounded
                .slice(0, 6)
                .map((u) => `${u.number || u.text.slice(0, 60)} (${u.field})`)
                .join(', ')}
              {g.ungrounded.length > 6 ? ` and ${g.ungrounded.length - 6} more` : ''}.
            </p>
          )}
          {Object.entries(FIELDS).map(([k, title]) => {
            const v = out.narrative[k];
            if (typeof v === 'string' && v)
              return (
                <div key={k}>
                  <h4>{title}</h4>
                  <p>{v}</p>
                </div>
              );
            if (Array.isArray(v) && v.length)
              return (
                <div key={k}>
                  <h4>{title}</h4>
                  <ul className="xp-list">
                    {v.map((x, i) => (
                      <li key={i}>{String(x)}</li>
                    ))}
                  </ul>
                </div>
              );
            return null;
          })}
          {out.generation.generation_id && out.generation.provider !== 'none' && <Feedback generationId={out.generation.generation_id} itemPath={task} />}
        </div>
      )}
    </section>
  );
}

/**
 * Fits engine text into the narrative schema's length limits. Cuts at a sentence end (or a space),
 * never inside a number, so the shortened text still passes the grounding check.
 */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const head = s.slice(0, max);
  const sentence = head.lastIndexOf('. ');
  if (sentence > max / 2) return head.slice(0, sentence + 1);
  const space = head.lastIndexOf(' ');
  return space > 0 ? head.slice(0, space) : head;
}
