import type { Fact } from '../../shared/contract';
import { AUDIENCE_LABEL, isSeriesFact, SERIES_NOTE, type ReportModel } from './model';
import { escapeMd as e, isolatedNote, leftOutNote, mdCell } from './text';

/**
 * GitHub-flavoured Markdown. Charts become tables (a Markdown viewer may not show SVG, and a
 * table is what a reader pastes into a doc). All text is escaped, so nothing from the data or a
 * model turns into markup or raw HTML. Generation details sit between `iafa:meta` comments so
 * the grounding check can skip them like the HTML's data-meta block.
 */

const ARROW = { up: '▲', down: '▼', flat: '▶' } as const;
const d = (f: Fact | null | undefined) => (f ? mdCell(f.display) : '—');

function table(head: string[], rows: string[][], numeric: boolean[] = []): string {
  const h = `| ${head.map(mdCell).join(' | ')} |`;
  const sep = `| ${head.map((_, i) => (numeric[i] ? '---:' : '---')).join(' | ')} |`;
  return [h, sep, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function paragraphs(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((t) => e(t.trim()))
    .join('\n\n');
}

export function renderMarkdown(m: ReportModel): string {
  const has = (s: ReportModel['sections'][number]) => m.sections.includes(s);
  const ds = m.audience === 'data_scientist';
  const out: string[] = [];
  out.push(`# ${e(m.title)}`);
  out.push(`*${e(AUDIENCE_LABEL[m.audience])} report · ${e(m.subtitle)}*`);
  if (m.period) {
    const prev = m.previous_period ? ` (compared with ${e(m.previous_period.start.display)} to ${e(m.previous_period.end.display)})` : '';
    const isolated = m.period.isolated?.length ? ` (${isolatedNote(m.period.isolated.map((f) => f.display))})` : '';
    out.push(`**Period:** ${e(m.period.start.display)} to ${e(m.period.end.display)}${isolated}${prev}`);
  }

  if (has('summary')) out.push('## Executive summary', ...m.summary.map((p) => paragraphs(p.text)));

  if (has('key_metrics') && m.key_metrics.length) {
    out.push(
      '## Key metrics',
      table(
        ['Metric', 'Current', 'Compared with', 'Change', 'Trend'],
        m.key_metrics.map((k) => [
          mdCell(k.label),
          d(k.current),
          k.previous ? `${d(k.previous)} (${mdCell(k.baseline_label)})` : '—',
          d(k.change),
          k.direction ? `${ARROW[k.direction]} ${k.tone === 'good' ? 'better' : k.tone === 'bad' ? 'worse' : 'no verdict'}` : '—',
        ]),
        [false, true, true, true, false],
      ),
    );
  }

  if (has('experiment') && m.experiment) {
    const x = m.experiment;
    out.push('## Experiment read-out', `**Decision: ${e(x.decision)}** (confidence: ${e(x.confidence)})`, paragraphs(x.rationale.text));
    const head = ['Metric', x.control_label, x.treatment_label, 'Difference', ...(ds ? ['Confidence interval'] : []), 'p-value', 'Significant'];
    out.push(
      table(
        head,
        x.metrics.map((r) => [
          mdCell(r.metric + (r.role === 'primary' ? ' (primary)' : '')),
          d(r.control),
          d(r.treatment),
          d(r.difference),
          ...(ds ? [`${d(r.ci_low)} to ${d(r.ci_high)}`] : []),
          d(r.p_value),
          r.significant ? 'yes' : 'no',
        ]),
        head.map((_, i) => i > 0 && i < head.length - 1),
      ),
    );
    if (x.srm)
      out.push(`Sample ratio check: ${d(x.srm.control_n)} vs ${d(x.srm.treatment_n)} units, ${d(x.srm.p_value)}: ${x.srm.passed ? 'passed' : '**failed**'}.`);
    if (x.next_steps.length) out.push('### Next steps', x.next_steps.map((s) => `- ${e(s)}`).join('\n'));
  }

  if (has('funnel') && m.funnel.length) {
    const prev = m.funnel.some((r) => r.previous_users);
    const head = ['Stage', 'Users', 'Of entrants', 'Step conversion', 'Drop-off', ...(prev ? ['Users, previous period'] : [])];
    out.push(
      '## Funnel',
      table(
        head,
        m.funnel.map((r) => [mdCell(r.name), d(r.users), d(r.conversion), d(r.step), d(r.drop), ...(prev ? [d(r.previous_users)] : [])]),
        head.map((_, i) => i > 0),
      ),
    );
  }

  if (has('segments') && m.segments) {
    out.push(
      `## Segments by ${e(m.segments.by)}`,
      table(
        [m.segments.by, 'Users entering', 'Overall conversion'],
        m.segments.rows.map((r) => [mdCell(r.segment), d(r.users), d(r.conversion)]),
        [false, true, true],
      ),
    );
  }

  if (has('trend') && m.trend) {
    const t = m.trend;
    const flagged = new Set(t.anomalies.filter((a) => a.metric === 'overall conversion rate' && !a.segment).map((a) => a.date.value));
    out.push('## Daily trend, anomalies and forecast', `${e(t.metric_label)}.${leftOutNote(t, e)}`);
    out.push(
      table(
        ['Day', 'Users starting', 'Overall conversion', 'Flag'],
        t.points.map((p) => [d(p.date), d(p.entries), d(p.value), flagged.has(p.date.value) ? '⚠ anomaly' : '']),
        [false, true, true, false],
      ),
    );
    if (t.forecast) {
      out.push(
        `### Forecast (${e(t.forecast.method)})`,
        table(
          ['Day', 'Forecast', 'Lower bound', 'Upper bound'],
          t.forecast.points.map((p) => [d(p.date), d(p.value), d(p.lower), d(p.upper)]),
          [false, true, true, true],
        ),
      );
      if (t.forecast.crossing) out.push(paragraphs(t.forecast.crossing.text));
    }
    out.push('### Anomalies');
    out.push(
      t.anomalies.length
        ? table(
            ['Day', 'Metric', 'Where', 'Observed', 'Expected', ...(ds ? ['Score'] : []), 'Severity'],
            t.anomalies.map((a) => [
              d(a.date),
              mdCell(`${a.metric} (${a.direction})`),
              mdCell([a.stage, a.segment].filter(Boolean).join(', ') || 'overall'),
              d(a.observed),
              d(a.expected),
              ...(ds ? [d(a.score)] : []),
              a.severity,
            ]),
            [false, false, false, true, true, true, false],
          )
        : 'No anomalies were flagged in the daily series.',
    );
  }

  if (has('insights') && m.insights.length) {
    out.push(
      '## Insights',
      m.insights
        .map((i) => `- **${e(i.title)}** (${i.severity}): ${e(i.text.text)}${i.confidence ? ` *Detector confidence ${e(i.confidence.display)}.*` : ''}`)
        .join('\n'),
    );
  }

  if (has('recommendations') && m.recommendations.length) {
    out.push('## Recommendations');
    for (const r of m.recommendations) {
      out.push(
        `### ${e(r.title)}`,
        `**Priority:** ${r.priority} · **Status:** ${e(r.status)} · **Effort:** ${e(r.effort)} · **Risk:** ${r.risk}`,
        `**Expected impact:** ${e(r.expected_impact.text)}`,
      );
      if (m.audience !== 'executive') out.push(paragraphs(r.rationale.text));
      if (r.impact_basis) out.push(`*Impact basis:* ${e(r.impact_basis.text)}`);
      if (r.action_items.length && m.audience !== 'executive') out.push(r.action_items.map((a) => `- [ ] ${e(a)}`).join('\n'));
    }
  }

  if (has('guardrails')) {
    out.push('## Guardrails and risks');
    out.push(
      m.guardrails.length
        ? m.guardrails.map((g) => `- **${e(g.metric)}** (${g.severity}, ${e(g.kind)}): ${e(g.message.text)} *Do:* ${e(g.recommendation)}`).join('\n')
        : 'No guardrail, trade-off or data-quality warning was raised.',
    );
  }

  if (has('action_items') && m.action_items.length) {
    out.push(
      '## Action items',
      table(
        ['Priority', 'Action', 'Suggested owner', 'From'],
        m.action_items.map((a) => [a.priority, mdCell(a.text), mdCell(a.owner), mdCell(a.from)]),
      ),
    );
  }

  if (has('methods') && (m.methods.length || m.caveats.length)) {
    out.push('## Methods and caveats', m.methods.map((x) => `- ${e(x)}`).join('\n'));
    if (m.caveats.length) out.push('### Caveats', m.caveats.map((x) => `- ${e(x)}`).join('\n'));
  }

  if (has('appendix')) {
    const a = m.appendix;
    out.push(
      '## Appendix: facts used and provenance',
      '<!-- iafa:meta -->',
      [
        `- **Data source:** ${e(a.data_source)}${a.dataset_id ? ` (${e(a.dataset_id)})` : ''}`,
        ...(a.funnel_id ? [`- **Saved funnel:** ${e(a.funnel_id)}`] : []),
        `- **Definition:** ${e(a.definition)}`,
        `- **Filters:** ${e(a.filters)}`,
        `- **Narrative:** ${e(a.provider === 'none' ? 'computed text (no language model)' : `${a.provider}${a.model ? ` · ${a.model}` : ''}`)}`,
        `- **Prompt version:** ${e(a.prompt_version ?? 'n/a')}`,
        `- **Computed fallbacks:** ${e(a.fallback_fields.length ? a.fallback_fields.join('; ') : 'none: all model text passed the grounding check')}`,
        `- **Generated:** ${e(a.generated_at.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}`,
      ].join('\n'),
      '<!-- /iafa:meta -->',
    );
    const listed = m.facts.filter((f) => !isSeriesFact(f.id));
    out.push(
      '### Facts',
      table(
        ['Fact id', 'Label', 'Value'],
        listed.map((f) => [`\`${f.id.replace(/`/g, '')}\``, mdCell(f.label), d(f)]),
        [false, false, true],
      ),
    );
    if (listed.length < m.facts.length) out.push(`*${e(SERIES_NOTE)}*`);
  }
  return out.join('\n\n') + '\n';
}
