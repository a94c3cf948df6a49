import type { NarrateOutput } from '../shared/contract';

/**
 * Model prose for the human output of a command. Printed only when a model wrote it: with no
 * model the computed text above already says everything, so repeating it would be noise.
 */
export function renderNarrative(n: NarrateOutput | null | undefined): string {
  if (!n) return '';
  const g = n.generation;
  if (g.provider === 'none') return g.banner ? `\nnote: ${g.banner}\n` : '';
  const badge = n.grounding.passed
    ? 'verified: every number matches a computed fact'
    : `partly verified: ${n.grounding.fallback_fields.length} field(s) replaced by the computed text`;
  const lines = [``, `## Narrative (${g.provider} ${g.model}; ${badge})`, ''];
  for (const [key, value] of Object.entries(n.narrative)) {
    if (key === 'fact_ids' || key === 'citations') continue;
    if (typeof value === 'string') lines.push(`${key.replace(/_/g, ' ')}: ${value}`);
    else if (Array.isArray(value)) {
      lines.push(`${key.replace(/_/g, ' ')}:`);
      for (const item of value) lines.push(`  - ${typeof item === 'string' ? item : JSON.stringify(item)}`);
    }
  }
  if (g.banner) lines.push('', `note: ${g.banner}`);
  return lines.join('\n') + '\n';
}
