import type { NarrateOutput } from '../../../../shared/contract';

export interface ExplainLabel {
  tone: 'good' | 'warn' | 'muted';
  text: string;
  /** Findings worth listing: only a model's numbers, never the app's own thresholds ("p < 0.001" in a stopping rule). */
  showFindings: boolean;
}

/**
 * The badge over "Explain with the model". With no model the text shown is the app's own computed
 * text: the grounding check only knows facts, not the rules' constants, so its findings there say
 * nothing about trust and must not turn into "partly verified".
 */
export function explainLabel(out: Pick<NarrateOutput, 'grounding' | 'generation'>): ExplainLabel {
  const g = out.grounding;
  if (out.generation.provider === 'none') return { tone: 'muted', text: 'computed by the app (no model)', showFindings: false };
  if (g.passed && g.fallback_fields.length === 0) return { tone: 'good', text: 'numbers match computed facts', showFindings: false };
  if (g.fallback_fields.length) return { tone: 'warn', text: `${g.fallback_fields.length} part(s) replaced by the computed text`, showFindings: true };
  return { tone: 'warn', text: 'some numbers not matched to computed facts', showFindings: true };
}
