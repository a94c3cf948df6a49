import { forgetContextFor } from './context';
import { forgetConversation, setActiveConversation, type ConversationEntry } from './history';

export function ConversationList({ entries, active, onNew }: { entries: ConversationEntry[]; active: string | null; onNew: () => void }) {
  return (
    <nav className="ask-history" aria-label="Conversations">
      <button type="button" onClick={onNew} data-testid="ask-new">
        New conversation
      </button>
      {entries.length === 0 && <p className="muted small">Your questions are kept here, on this device.</p>}
      <ul>
        {entries.map((c) => (
          <li key={c.id} className={c.id === active ? 'current' : undefined}>
            <button
              type="button"
              className="ask-history-item"
              aria-current={c.id === active ? 'true' : undefined}
              onClick={() => setActiveConversation(c.id)}
              data-testid="conversation-item"
              title={c.title}
            >
              <span className="ask-history-title">{c.title}</span>
              <span className="muted small">{c.updatedAt.slice(0, 16).replace('T', ' ')}</span>
            </button>
            <button
              type="button"
              className="link-button small"
              aria-label={`Remove "${c.title}" from the list`}
              onClick={() => {
                forgetConversation(c.id);
                forgetContextFor(c.id);
              }}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
