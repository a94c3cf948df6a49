import { useId, useState } from 'react';
import { Feedback } from './Feedback';
import type { AskOutput } from '../../../../shared/contract';
import { Badge } from '../../components/ui';
import { numbersSignal, questionSignal, signalsOf } from './signals';
import { dashboardHref } from '../../lib/handoffs';

type Datum = AskOutput['supporting_data'][number];

/**
 * The answer text with the value of the focused fact marked. Split on the display string and
 * rendered as text nodes: model text never becomes HTML.
 */
function AnswerText({ text, mark }: { text: string; mark: string | null }) {
  if (!mark || !text.includes(mark)) return <p className="ask-answer-text">{text}</p>;
  const parts = text.split(mark);
  return (
    <p className="ask-answer-text">
      {parts.map((p, i) => (
        <span key={i}>
          {p}
          {i < parts.length - 1 && <mark className="fact-mark">{mark}</mark>}
        </span>
      ))}
    </p>
  );
}

function FactChip({ d, active, onActive, funnelId }: { d: Datum; active: boolean; onActive: (id: string | null) => void; funnelId: string | null }) {
  const tipId = useId();
  const href = dashboardHref(d.fact_id, funnelId);
  const common = {
    className: `fact-chip${active ? ' active' : ''}`,
    'aria-describedby': tipId,
    'data-testid': 'fact-chip',
    'data-fact-id': d.fact_id,
    onMouseEnter: () => onActive(d.fact_id),
    onMouseLeave: () => onActive(null),
    onFocus: () => onActive(d.fact_id),
    onBlur: () => onActive(null),
  };
  const body = (
    <>
      <span className="fact-chip-label">{d.label}</span>
      <span className="fact-tip" role="tooltip" id={tipId}>
        {d.label}: <strong>{d.display}</strong>
        {href ? ' · open in Dashboard' : ''}
      </span>
    </>
  );
  return href ? (
    <a {...common} href={href}>
      {body}
    </a>
  ) : (
    <span {...common} tabIndex={0}>
      {body}
    </span>
  );
}

/** Numbers that match no fact are named; other findings (malformed output, refused text) are summarised. */
function ungroundedSummary(items: AskOutput['grounding']['ungrounded']): string {
  const numbers = [...new Set(items.map((u) => u.number).filter(Boolean))];
  if (numbers.length) return `Some numbers could not be matched to computed facts (${numbers.slice(0, 6).join(', ')}).`;
  return 'The model text did not pass the check against the computed facts.';
}

/** `pageBanner`: the page already says no model is active, so the same news is not repeated per answer. */
export function AnswerCard({
  answer,
  followUps,
  onAsk,
  busy,
  pageBanner,
  funnelId = null,
}: {
  answer: AskOutput;
  followUps: boolean;
  onAsk: (q: string) => void;
  busy: boolean;
  pageBanner: boolean;
  funnelId?: string | null;
}) {
  const [activeFact, setActiveFact] = useState<string | null>(null);
  const mark = answer.supporting_data.find((d) => d.fact_id === activeFact)?.display ?? null;
  const g = answer.grounding;
  const gen = answer.generation;
  const signals = signalsOf(answer);
  const nums = numbersSignal(signals);
  const fit = questionSignal(signals);
  return (
    <div className="ask-answer" data-testid="ask-answer">
      <div className="ask-answer-meta">
        <span title={nums.title} data-testid="signal-numbers" data-signal={signals.numbers}>
          <Badge tone={nums.tone}>{nums.label}</Badge>
        </span>
        <span title={fit.title} data-testid="signal-question" data-signal={signals.question}>
          <Badge tone={fit.tone}>{fit.label}</Badge>
        </span>
        <span className="muted small" data-testid="answer-source">
          {gen.provider === 'none' ? 'Computed analysis (no model)' : `${gen.provider} · ${gen.model}`}
          {gen.cache_hit ? ' · cached' : ''}
          {gen.data_left_device ? ' · sent to a remote provider' : ''}
        </span>
      </div>
      {gen.banner && !(pageBanner && gen.provider === 'none') && <div className="note info small">{gen.banner}</div>}
      {signals.question !== 'answered' && signals.note && signals.note !== answer.answer && (
        <div className="note warn small" data-testid="question-note">
          {signals.note}
        </div>
      )}
      {gen.provider !== 'none' && g.ungrounded.length > 0 && (
        <div className="note warn small" data-testid="ungrounded-note">
          {ungroundedSummary(g.ungrounded)} {g.fallback_fields.length ? 'Those parts show the computed text instead.' : 'Check them before quoting.'}
        </div>
      )}
      <AnswerText text={answer.answer} mark={mark} />
      {answer.supporting_data.length > 0 && (
        <div className="fact-chips" aria-label="Facts this answer cites">
          {answer.supporting_data.map((d) => (
            <FactChip key={d.fact_id} d={d} active={activeFact === d.fact_id} onActive={setActiveFact} funnelId={funnelId} />
          ))}
        </div>
      )}
      {followUps && answer.follow_up_questions.length > 0 && (
        <div className="follow-ups" role="group" aria-label="Suggested follow-up questions">
          {answer.follow_up_questions.map((q) => (
            <button key={q} type="button" className="follow-up" disabled={busy} onClick={() => onAsk(q)} data-testid="follow-up">
              {q}
            </button>
          ))}
        </div>
      )}
      {gen.generation_id && gen.provider !== 'none' && <Feedback generationId={gen.generation_id} itemPath="answer" />}
    </div>
  );
}
