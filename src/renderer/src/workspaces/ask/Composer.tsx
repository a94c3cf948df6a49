import { useState, type FormEvent, type KeyboardEvent } from 'react';

/** The question box: Enter sends, Shift+Enter adds a line, Escape cancels a running answer. */
export function Composer({
  busy,
  disabled,
  onAsk,
  onCancel,
  placeholder,
}: {
  busy: boolean;
  disabled: boolean;
  onAsk: (q: string) => void;
  onCancel: () => void;
  placeholder: string;
}) {
  const [text, setText] = useState('');
  function submit(e?: FormEvent) {
    e?.preventDefault();
    const q = text.trim();
    if (!q || busy || disabled) return;
    onAsk(q);
    setText('');
  }
  function onKey(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey) submit(e);
    else if (e.key === 'Escape' && busy) onCancel();
  }
  return (
    <form className="ask-composer" onSubmit={submit}>
      <label htmlFor="ask-question" className="visually-hidden">
        Your question
      </label>
      <textarea
        id="ask-question"
        data-testid="ask-input"
        rows={2}
        value={text}
        disabled={disabled}
        placeholder={placeholder}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKey}
      />
      {busy ? (
        <button type="button" onClick={onCancel} data-testid="ask-cancel">
          Stop
        </button>
      ) : (
        <button type="submit" className="primary" disabled={disabled || !text.trim()} data-testid="ask-send">
          Ask
        </button>
      )}
    </form>
  );
}
