import type { NarrateOutput } from '../../../../shared/contract';
import { fieldName, fromModel } from './narrative';

export type Wording = 'model' | 'computed';

/**
 * Under the panel head: the provider's banner (why a model was not used, or which one stood in),
 * which fields fell back to the computed text, and the "Computed / Model wording" toggle. Toggle
 * buttons rather than ARIA tabs, as in InsightsExtras.
 */
export function WordingBar({ narrative, wording, onWording }: { narrative?: NarrateOutput | null; wording: Wording; onWording(w: Wording): void }) {
  if (!narrative) return null;
  const banner = narrative.generation.banner;
  const model = fromModel(narrative);
  const fallback = narrative.grounding.fallback_fields;
  return (
    <>
      {banner && (
        <div className="note info small" data-testid="llm-banner">
          {banner}
        </div>
      )}
      {model && (
        <div className="wording-bar">
          <div role="group" aria-label="Wording" className="tabs">
            <button type="button" aria-pressed={wording === 'computed'} onClick={() => onWording('computed')} data-testid="wording-computed">
              Computed
            </button>
            <button type="button" aria-pressed={wording === 'model'} onClick={() => onWording('model')} data-testid="wording-model">
              Model wording
            </button>
          </div>
          {fallback.length > 0 && (
            <p className="muted small" data-testid="fallback-fields">
              Shown from the computed analysis because the model’s text did not match the facts: {fallback.map(fieldName).join(', ')}.
            </p>
          )}
        </div>
      )}
    </>
  );
}
