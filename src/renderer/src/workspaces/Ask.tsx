import { useCallback, useEffect, useRef, useState } from 'react';
import { api, errorMessage } from '../api/client';
import { useCall } from '../api/hooks';
import { Empty, ErrorNote, Panel } from '../components/ui';
import { downloadText, slug } from '../lib/download';
import { setSelection, useSelection } from '../state/selection';
import { AnswerCard } from './ask/AnswerCard';
import { Composer } from './ask/Composer';
import { ConversationList } from './ask/ConversationList';
import { clearPendingContext, contextFor, peekPendingContext, saveContextFor, type AskContext } from './ask/context';
import { rememberConversation, setActiveConversation, useConversations } from './ask/history';
import { conversationMarkdown, draftAnswer, turnsFromMessages, type Turn } from './ask/turns';
import './ask/ask.css';

const STARTERS = ['Which stage loses the most users?', 'How did conversion change from the previous period?', 'Which segment converts best?'];
const EXPERIMENT_STARTERS = ['Did the treatment change the primary metric?', 'Is the sample ratio OK?', 'What is the p-value of the primary metric?'];

export default function Ask() {
  const selection = useSelection();
  const status = useCall('llm:status', {});
  const funnels = useCall('funnels:list', {});
  const { entries, active } = useConversations();
  const activeEntry = entries.find((e) => e.id === active) ?? null;
  const funnelList = funnels.data?.funnels ?? [];
  // Facts handed over by another workspace (e.g. an experiment's results) start a new conversation about them.
  const [pendingCtx, setPendingCtx] = useState<AskContext | null>(peekPendingContext);
  useEffect(() => {
    if (pendingCtx) {
      clearPendingContext();
      setActiveConversation(null);
    }
  }, [pendingCtx]);
  const ctx = active ? contextFor(active) : pendingCtx;
  // With a single saved funnel there is nothing to choose.
  const funnelId = ctx?.scopeId ?? activeEntry?.funnelId ?? selection.funnelId ?? (funnelList.length === 1 ? funnelList[0].id : null);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const logEnd = useRef<HTMLDivElement>(null);
  // The id of the conversation whose turns are on screen; an answer that creates a conversation
  // sets it first so the history effect below does not reload what is already shown.
  const shown = useRef<string | null>(null);
  // Bumped whenever another conversation is put on screen, so a late answer never lands in it.
  const epoch = useRef(0);

  useEffect(() => {
    if (active === shown.current) return;
    // Another conversation was opened: an answer still streaming belongs to the old one.
    abort.current?.abort();
    epoch.current += 1;
    shown.current = active;
    setLoadError(null);
    if (!active) {
      setTurns([]);
      return;
    }
    let live = true;
    api('conversations:get', { id: active }).then(
      (c) => live && setTurns(turnsFromMessages(c.id, c.messages)),
      (e) => live && (setTurns([]), setLoadError(errorMessage(e))),
    );
    return () => {
      live = false;
    };
  }, [active]);

  useEffect(() => {
    logEnd.current?.scrollIntoView?.({ block: 'end' });
  }, [turns]);

  const patchTurn = useCallback((f: (t: Turn) => Turn) => setTurns((ts) => ts.map((t, i) => (i === ts.length - 1 ? f(t) : t))), []);

  const ask = useCallback(
    async (question: string) => {
      if (!funnelId || busy) return;
      const mine = epoch.current;
      const patchLast = (f: (t: Turn) => Turn) => {
        if (epoch.current === mine) patchTurn(f);
      };
      const controller = new AbortController();
      abort.current = controller;
      setBusy(true);
      setTurns((ts) => [...ts, { key: `t${Date.now()}`, question, answer: null, streamed: '', error: null, pending: true }]);
      try {
        const facts = ctx ? { facts: ctx.facts, generated_at: new Date().toISOString() } : undefined;
        const out = await api(
          'analytics:ask',
          { funnelId, question, conversationId: active ?? undefined, facts },
          {
            signal: controller.signal,
            onProgress: (ev) => {
              if (ev.text) patchLast((t) => ({ ...t, streamed: t.streamed + ev.text }));
              else if (ev.phase === 'queued' && ev.queuePosition !== undefined)
                patchLast((t) => ({ ...t, note: `Waiting for the model: position ${ev.queuePosition} in the queue.` }));
              else if (ev.message) patchLast((t) => ({ ...t, note: ev.message }));
            },
          },
        );
        patchLast((t) => ({ ...t, answer: out, pending: false }));
        if (ctx) saveContextFor(out.conversation_id, ctx);
        if (epoch.current !== mine) return;
        shown.current = out.conversation_id;
        rememberConversation({ id: out.conversation_id, funnelId, title: activeEntry?.title ?? (ctx ? `${ctx.title}: ${question}` : question).slice(0, 80) });
        setPendingCtx(null);
      } catch (e) {
        patchLast((t) => ({ ...t, pending: false, error: controller.signal.aborted ? 'Stopped.' : errorMessage(e) }));
      } finally {
        setBusy(false);
        abort.current = null;
      }
    },
    [funnelId, busy, active, activeEntry, patchTurn, ctx],
  );

  const newConversation = () => {
    abort.current?.abort();
    epoch.current += 1;
    setPendingCtx(null);
    shown.current = null;
    setTurns([]);
    setActiveConversation(null);
  };

  const exportMd = () =>
    downloadText(`${slug(activeEntry?.title ?? 'conversation')}.md`, conversationMarkdown(activeEntry?.title ?? 'IAFA conversation', turns), 'text/markdown');
  const noModel = status.data?.active === 'none';

  return (
    <div className="ask-layout">
      <ConversationList entries={entries} active={active} onNew={newConversation} />
      <Panel
        title="Ask about your data"
        actions={
          <button type="button" onClick={exportMd} disabled={turns.length === 0} data-testid="ask-export">
            Export Markdown
          </button>
        }
      >
        {noModel && (
          <div className="note info" role="status" data-testid="ask-no-model">
            {status.data?.banner ?? 'No model is active: answers are written from the computed facts only.'} <a href="#/settings">Choose a model in Settings</a>
            .
          </div>
        )}
        <ErrorNote message={loadError ?? funnels.error} />
        {ctx && (
          <div className="note info" data-testid="ask-context">
            Asking about <strong>{ctx.title}</strong>: answers come from its {ctx.facts.length} computed facts.
          </div>
        )}
        {!activeEntry && !ctx && (
          <label className="field">
            <span>Funnel</span>
            <select value={funnelId ?? ''} onChange={(e) => setSelection({ funnelId: e.target.value || null })} data-testid="ask-funnel">
              <option value="">Choose a saved funnel…</option>
              {funnelList.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.name}
                </option>
              ))}
            </select>
          </label>
        )}
        {funnels.data && funnelList.length === 0 && !ctx && (
          <Empty>
            Questions are answered from a saved funnel. Import data in <a href="#/data">Data</a> and save a funnel in <a href="#/dashboard">Dashboard</a> first.
          </Empty>
        )}
        <div className="ask-log" role="log" aria-live="polite" aria-busy={busy} data-testid="ask-log">
          {turns.length === 0 && funnelId && (
            <div className="ask-starters">
              <p className="muted">Try one of these, or write your own:</p>
              {(ctx ? EXPERIMENT_STARTERS : STARTERS).map((q) => (
                <button key={q} type="button" className="follow-up" onClick={() => ask(q)} disabled={busy}>
                  {q}
                </button>
              ))}
            </div>
          )}
          {turns.map((t, i) => (
            <div key={t.key} className="ask-turn">
              {t.question && (
                <div className="ask-question" data-testid="ask-question">
                  <span className="visually-hidden">You asked: </span>
                  {t.question}
                </div>
              )}
              {t.pending && (
                <div className="ask-answer pending" data-testid="ask-streaming">
                  <span className="muted small">
                    {t.streamed ? 'Draft, checked against the computed facts when complete…' : (t.note ?? 'Writing the answer…')}
                  </span>
                  {draftAnswer(t.streamed) && (
                    <p className="ask-answer-text streamed" data-testid="ask-draft">
                      {draftAnswer(t.streamed)}
                    </p>
                  )}
                </div>
              )}
              {t.error && (
                <div className="note error" role="alert">
                  {t.error}
                </div>
              )}
              {t.answer && (
                <AnswerCard
                  answer={t.answer}
                  followUps={i === turns.length - 1}
                  onAsk={ask}
                  busy={busy}
                  pageBanner={noModel}
                  funnelId={ctx ? null : funnelId}
                />
              )}
            </div>
          ))}
          <div ref={logEnd} />
        </div>
        <Composer
          busy={busy}
          disabled={!funnelId}
          onAsk={ask}
          onCancel={() => abort.current?.abort()}
          placeholder={
            ctx ? 'Ask about these results, e.g. Did the treatment change the primary metric?' : 'Ask about the funnel, e.g. Which stage loses the most users?'
          }
        />
      </Panel>
    </div>
  );
}
