import { useId, useState } from 'react';
import { api, errorMessage } from '../../api/client';

/**
 * Rating for one generated item: helpful / not helpful first (one click), then optional stars and a
 * comment. Stored with the generation, so Settings can show the share rated helpful.
 */
export function Feedback({ generationId, itemPath }: { generationId: string; itemPath: string }) {
  const [helpful, setHelpful] = useState<boolean | null>(null);
  const [stars, setStars] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  async function send(patch: { helpful?: boolean; stars?: number; comment?: string }) {
    setError(null);
    try {
      await api('llm:feedback', { generationId, itemPath, ...patch });
      return true;
    } catch (e) {
      setError(`Could not save the rating: ${errorMessage(e)}`);
      return false;
    }
  }

  if (helpful === null) {
    return (
      <span className="ask-feedback" role="group" aria-label="Rate this text">
        <button
          type="button"
          className="link-button"
          onClick={async () => {
            if (await send({ helpful: true })) setHelpful(true);
          }}
          data-testid="feedback-helpful"
        >
          Helpful
        </button>
        <button
          type="button"
          className="link-button"
          onClick={async () => {
            if (await send({ helpful: false })) setHelpful(false);
          }}
        >
          Not helpful
        </button>
        {error && (
          <span className="muted small" role="alert">
            {error}
          </span>
        )}
      </span>
    );
  }
  if (sent)
    return (
      <span className="muted small" role="status">
        Thanks, your rating is saved.
      </span>
    );
  return (
    <details className="ask-feedback-more">
      <summary className="small">Noted as {helpful ? 'helpful' : 'not helpful'}. Add stars or a comment?</summary>
      <div className="ask-stars" role="radiogroup" aria-label="Stars">
        {[1, 2, 3, 4, 5].map((n) => (
          <label key={n}>
            <input type="radio" name={`${id}-stars`} checked={stars === n} onChange={() => setStars(n)} /> {n}
          </label>
        ))}
      </div>
      <label htmlFor={`${id}-c`} className="visually-hidden">
        Comment
      </label>
      <textarea id={`${id}-c`} rows={2} maxLength={2000} placeholder="What was right or wrong?" value={comment} onChange={(e) => setComment(e.target.value)} />
      <button
        type="button"
        disabled={stars === null && !comment.trim()}
        onClick={async () => {
          if (await send({ ...(stars !== null ? { stars } : {}), ...(comment.trim() ? { comment: comment.trim() } : {}) })) setSent(true);
        }}
      >
        Send
      </button>
      {error && (
        <span className="muted small" role="alert">
          {error}
        </span>
      )}
    </details>
  );
}
