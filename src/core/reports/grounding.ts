import type { GroundingReport } from '../../shared/contract';
import { checkNarrative } from '../llm';
import type { ReportModel } from './model';
import { clip, FUNNEL_LABEL_W, SEGMENT_LABEL_W } from './svg';

/**
 * The report-level grounding check: every number in the rendered text must be a fact display.
 * Uses the LLM layer's grounding check (src/core/llm/grounding.ts), never a copy. Generation
 * details (data-meta / iafa:meta blocks: time stamps, model names, versions) are skipped: they
 * describe the run, not the data.
 */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };

function decode(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_m, k: string) => ENTITIES[k]);
}

/** Visible text of a report's HTML, without the generation-details block, one line per element. */
export function reportHtmlText(html: string): string {
  return decode(
    html
      .replace(/<style[\s\S]*?<\/style>/gi, ' ')
      .replace(/<title>[\s\S]*?<\/title>/gi, ' ')
      .replace(/<dl[^>]*data-meta[^>]*>[\s\S]*?<\/dl>/gi, ' ')
      .replace(/<\/(p|div|li|tr|h[1-6]|dd|dt|text|figcaption)>/gi, '\n')
      .replace(/<\/t[dh]>/gi, ' \t ')
      .replace(/<[^>]+>/g, ''),
  ).replace(/[ \t]+\n/g, '\n');
}

/** Markdown source without the generation-details block (for checks on the text as written). */
export function reportMarkdownText(md: string): string {
  return md.replace(/<!-- iafa:meta -->[\s\S]*?<!-- \/iafa:meta -->/g, ' ');
}

/** Names that may contain digits (stage "Step 2", variant gate_30, fact ids with dates): masked, not checked. */
export function reportNames(m: ReportModel): string[] {
  // Fact labels are the analyst's definitions ("upper end of the 95% interval"), not claims about the data.
  const names = new Set<string>([m.title, m.subtitle, m.appendix.data_source, ...m.facts.map((f) => f.id), ...m.facts.map((f) => f.label)]);
  for (const r of m.funnel) names.add(r.name).add(clip(r.name, FUNNEL_LABEL_W - 10));
  for (const r of m.segments?.rows ?? []) names.add(r.segment).add(clip(r.segment, SEGMENT_LABEL_W - 10));
  if (m.experiment) {
    names.add(m.experiment.control_label);
    names.add(m.experiment.treatment_label);
    for (const x of m.experiment.metrics) names.add(x.metric);
  }
  for (const k of m.key_metrics) names.add(k.label);
  return [...names].filter(Boolean);
}

/** Names are masked (replaced by spaces) before the check, longest first so a name inside another goes too. */
function mask(text: string, names: string[]): string {
  let out = text;
  for (const n of names.filter((x) => /\d/.test(x)).sort((a, b) => b.length - a.length)) out = out.split(n).join(' '.repeat(n.length));
  return out;
}

export function groundText(m: ReportModel, text: string, allFacts = m.facts): GroundingReport {
  const { checked, findings } = checkNarrative(
    {
      report: mask(text, reportNames(m))
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    },
    allFacts,
    m.experiment?.decision ?? null,
  );
  return { checked, passed: findings.length === 0, fallback_fields: [], ungrounded: findings.map((f) => ({ ...f, text: f.text.slice(0, 200) })) };
}

export function groundReport(m: ReportModel, html: string, allFacts = m.facts): GroundingReport {
  return groundText(m, reportHtmlText(html), allFacts);
}
