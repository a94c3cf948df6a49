import type { NarrateOutput } from '../../../../shared/contract';

/**
 * Typed, defensive readers for the model prose attached to a report (`narrative.narrative`, shaped
 * per task as in src/core/llm/adapters.ts). The engine already checked it against the schema and
 * the facts; these only keep the UI safe from a field that is missing or of another type.
 */

export interface InsightsWording {
  summary: string | null;
  insights: { text: string; fact_ids: string[] }[];
  recommendations: { title: string; rationale: string; expected_impact: string; action_items: string[] }[];
}

export interface HypothesisWording {
  title: string;
  rationale: string;
  test: string;
  expected_outcome: string;
}

const rec = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.map(rec) : []);

/** A model wrote this text (as opposed to the computed analysis standing in for it). */
export function fromModel(n: NarrateOutput | null | undefined): n is NarrateOutput {
  return Boolean(n && n.generation.provider !== 'none');
}

export function insightsWording(n: NarrateOutput): InsightsWording {
  const x = n.narrative;
  return {
    summary: str(x.summary) || null,
    insights: list(x.insights)
      .map((i) => ({ text: str(i.text), fact_ids: strs(i.fact_ids) }))
      .filter((i) => i.text),
    recommendations: list(x.recommendations).map((r) => ({
      title: str(r.title),
      rationale: str(r.rationale),
      expected_impact: str(r.expected_impact),
      action_items: strs(r.action_items),
    })),
  };
}

export function hypothesesWording(n: NarrateOutput): HypothesisWording[] {
  return list(n.narrative.hypotheses).map((h) => ({
    title: str(h.title),
    rationale: str(h.rationale),
    test: str(h.test),
    expected_outcome: str(h.expected_outcome),
  }));
}

/** "insights.1" → "insight 2", "insights" → "all insights": the grounding report's fallback units, in words. */
export function fieldName(unit: string): string {
  const [k, i] = unit.split('.');
  if (k === '(output)') return 'the whole answer';
  const one: Record<string, string> = { insights: 'insight', recommendations: 'recommendation', hypotheses: 'hypothesis', key_points: 'key point' };
  const words = k.replace(/_/g, ' ');
  if (i !== undefined && /^\d+$/.test(i)) return `${one[k] ?? words} ${Number(i) + 1}`;
  return one[k] ? `all ${words}` : words;
}
