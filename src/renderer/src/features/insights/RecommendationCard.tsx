import { useId, useState } from 'react';
import type { Fact } from '../../../../shared/contract';
import type { ExperimentSuggestion, InsightRecommendation, RecommendationStatus, StoredRecommendation } from '../../../../shared/contract';
import { Badge } from '../../components/ui';
import { PriorityBadge } from './badges';
import { FactList } from './FactList';

const STATUSES: RecommendationStatus[] = ['Reviewed', 'In Progress', 'Completed', 'Dismissed'];
const STATUS_TONE: Record<RecommendationStatus, 'info' | 'warn' | 'good' | 'muted'> = {
  New: 'info',
  Reviewed: 'info',
  'In Progress': 'warn',
  Completed: 'good',
  Dismissed: 'muted',
};

interface Props {
  rec: InsightRecommendation;
  facts: Map<string, Fact>;
  stored: StoredRecommendation | undefined;
  busy: boolean;
  onStatus(status: RecommendationStatus): void;
  onCopy(): void;
  /** The experiment the analyst suggests for it, with its computed sample size and duration. */
  suggestion?: ExperimentSuggestion;
  onDesign?(): void;
}

export function RecommendationCard({ rec, facts, stored, busy, onStatus, onCopy, suggestion, onDesign }: Props) {
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  const status = stored?.status ?? rec.status;
  return (
    <article className={`rec-card status-${status.replace(' ', '-').toLowerCase()}`} data-testid="recommendation" data-rec-id={rec.id}>
      <header className="rec-head">
        <PriorityBadge level={rec.priority} />
        <h4>{rec.title}</h4>
        <span data-testid="rec-status">
          <Badge tone={STATUS_TONE[status]}>{status}</Badge>
        </span>
      </header>
      <p className="rec-line">
        <span className="muted">Rationale:</span> {rec.rationale}
      </p>
      <p className="rec-line">
        <span className="muted">Expected impact:</span> {rec.expected_impact}
      </p>
      {suggestion && (
        <p className="rec-line" data-testid="rec-suggested-test">
          <span className="muted">Suggested test:</span> <span data-testid="rec-test-n">{suggestion.sample_size_per_variant.toLocaleString('en-US')}</span>{' '}
          users per variant · <span data-testid="rec-test-days">{suggestion.duration_days}</span> days
        </p>
      )}
      <div className="rec-actions">
        <button type="button" aria-expanded={open} aria-controls={detailsId} onClick={() => setOpen((o) => !o)}>
          {open ? 'Hide details' : 'View details'}
        </button>
        <button type="button" onClick={onCopy}>
          Copy
        </button>
        {suggestion && onDesign && (
          <button type="button" onClick={onDesign} data-testid="rec-design">
            Design experiment
          </button>
        )}
        <span className="spacer" />
        <span role="group" aria-label={`Status of “${rec.title}”`} className="status-group">
          {STATUSES.map((s) => (
            <button key={s} type="button" aria-pressed={status === s} disabled={busy} onClick={() => onStatus(s)} data-testid={`status-${s}`}>
              {s}
            </button>
          ))}
        </span>
      </div>
      {open && (
        <div id={detailsId} className="rec-details">
          <dl>
            <div>
              <dt>How the impact was estimated</dt>
              <dd>{rec.impact_basis}</dd>
            </div>
            <div>
              <dt>Effort</dt>
              <dd>{rec.estimated_effort}</dd>
            </div>
            <div>
              <dt>Risk</dt>
              <dd>{rec.risk_level}</dd>
            </div>
          </dl>
          {rec.action_items.length > 0 && (
            <>
              <h5>Action items</h5>
              <ol>
                {rec.action_items.map((a, i) => (
                  <li key={i}>{a}</li>
                ))}
              </ol>
            </>
          )}
          <FactList ids={rec.fact_ids} facts={facts} />
          {stored && stored.history.length > 0 && (
            <>
              <h5>Status history</h5>
              <ul className="history" data-testid="status-history">
                {stored.history.map((h, i) => (
                  <li key={i}>
                    {h.changed_at.replace('T', ' ').slice(0, 16)}: {h.from === null ? `recorded as ${h.to}` : `${h.from} → ${h.to}`}
                    {h.note ? ` (${h.note})` : ''}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </article>
  );
}
