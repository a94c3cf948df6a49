import type { Fact } from '../../shared/contract';
import { REPORT_CSS } from './css';
import { AUDIENCE_LABEL, isSeriesFact, SERIES_NOTE, type KeyMetric, type Prose, type ReportModel } from './model';
import { funnelSvg, segmentSvg, trendSvg } from './svg';
import { escapeHtml as e, isolatedNote, leftOutNote } from './text';

/**
 * One self-contained HTML file: inline CSS, inline SVG, no script, no external URL, and a CSP
 * that forbids loading anything should a future edit slip one in. Generation details (time,
 * model, versions) sit in `data-meta` blocks: they describe the run, not the data, and are the
 * only text the number-grounding check skips.
 */

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:";

const ARROW = { up: '▲', down: '▼', flat: '▶' } as const;

function para(p: Prose): string {
  const tag = p.source === 'model' ? ' data-source="model"' : '';
  // Model text is plain text: split into paragraphs on blank lines, never parsed as HTML.
  return p.text
    .split(/\n{2,}/)
    .map((t) => `<p${tag}>${e(t.trim())}</p>`)
    .join('');
}

function metricCard(m: KeyMetric): string {
  const arrow = m.direction ? `<span class="arrow tone-${m.tone}" aria-label="${m.direction}">${ARROW[m.direction]}</span> ` : '';
  const ctx = m.previous
    ? `<div class="ctx">${arrow}${m.change ? `<span class="tone-${m.tone}">${e(m.change.display)}</span> ` : ''}vs ${e(m.previous.display)} (${e(m.baseline_label)})</div>`
    : '<div class="ctx">no comparison period</div>';
  return `<div class="metric"><div class="label">${e(m.label)}</div><div class="value">${e(m.current.display)}</div>${ctx}${m.note ? `<div class="ctx">${e(m.note)}</div>` : ''}</div>`;
}

function table(head: string[], rows: string[][], numeric: boolean[] = []): string {
  const th = head.map((h, i) => `<th${numeric[i] ? ' class="num"' : ''}>${e(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${numeric[i] ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

const d = (f: Fact | null | undefined) => (f ? e(f.display) : '—');
/** A severity or priority badge (the level is one of the model's fixed words, never data). */
const badge = (level: string) => `<span class="badge ${level}">${level}</span>`;

function section(id: string, title: string, body: string, cls = ''): string {
  return body ? `<section id="${id}" class="${cls || id}"><h2>${e(title)}</h2>${body}</section>` : '';
}

export function renderHtml(m: ReportModel): string {
  const has = (s: ReportModel['sections'][number]) => m.sections.includes(s);
  const ds = m.audience === 'data_scientist';
  const out: string[] = [];

  const isolated = m.period?.isolated?.length ? ` <span class="muted small">(${isolatedNote(m.period.isolated.map((f) => f.display))})</span>` : '';
  const previous = m.previous_period
    ? ` <span class="muted small">(compared with ${e(m.previous_period.start.display)} to ${e(m.previous_period.end.display)})</span>`
    : '';
  const period = m.period ? `<p class="period">${e(m.period.start.display)} to ${e(m.period.end.display)}${isolated}${previous}</p>` : '';
  out.push(
    `<header class="cover"><h1>${e(m.title)}</h1><p class="sub"><span class="pill">${e(AUDIENCE_LABEL[m.audience])} report</span>${e(m.subtitle)}</p>${period}</header>`,
  );

  if (has('summary')) out.push(section('summary', 'Executive summary', m.summary.map(para).join('')));
  if (has('key_metrics') && m.key_metrics.length)
    out.push(section('key-metrics', 'Key metrics', `<div class="metrics">${m.key_metrics.map(metricCard).join('')}</div>`));

  if (has('experiment') && m.experiment) {
    const x = m.experiment;
    const rows = x.metrics.map((r) => [
      e(r.metric) + (r.role === 'primary' ? ' <span class="muted small">(primary)</span>' : ''),
      d(r.control),
      d(r.treatment),
      d(r.difference),
      ...(ds ? [`${d(r.ci_low)} to ${d(r.ci_high)}`] : []),
      d(r.p_value),
      r.significant ? 'yes' : 'no',
    ]);
    const head = ['Metric', x.control_label, x.treatment_label, 'Difference', ...(ds ? ['Confidence interval'] : []), 'p-value', 'Significant'];
    const srm = x.srm
      ? `<p class="small">Sample ratio check: ${d(x.srm.control_n)} vs ${d(x.srm.treatment_n)} units, ${d(x.srm.p_value)}: ${x.srm.passed ? 'passed' : '<strong class="tone-bad">failed</strong>'}.</p>`
      : '';
    const steps = x.next_steps.length ? `<h3>Next steps</h3><ul>${x.next_steps.map((s) => `<li>${e(s)}</li>`).join('')}</ul>` : '';
    out.push(
      section(
        'experiment',
        'Experiment read-out',
        `<div class="card"><div class="decision ${e(x.decision)}">Decision: ${e(x.decision)}</div><p class="small">Confidence: ${e(x.confidence)}</p>${para(x.rationale)}</div>${table(
          head,
          rows,
          head.map((_, i) => i > 0 && i < head.length - 1),
        )}${srm}${steps}`,
      ),
    );
  }

  if (has('funnel') && m.funnel.length) {
    const chart = `<figure>${funnelSvg(m.funnel)}<figcaption>Users reaching each stage${m.funnel.some((r) => r.previous_users) ? '; the thin grey bar is the previous period' : ''}.</figcaption></figure>`;
    const rows = m.funnel.map((r) => [
      e(r.name),
      d(r.users),
      d(r.conversion),
      d(r.step),
      d(r.drop),
      ...(m.funnel.some((x) => x.previous_users) ? [d(r.previous_users)] : []),
    ]);
    const head = [
      'Stage',
      'Users',
      'Of entrants',
      'Step conversion',
      'Drop-off',
      ...(m.funnel.some((x) => x.previous_users) ? ['Users, previous period'] : []),
    ];
    out.push(
      section(
        'funnel',
        'Funnel',
        chart +
          (m.audience === 'executive'
            ? ''
            : table(
                head,
                rows,
                head.map((_, i) => i > 0),
              )),
      ),
    );
  }

  if (has('segments') && m.segments) {
    const s = m.segments;
    out.push(
      section(
        'segments',
        `Segments by ${s.by}`,
        `<figure>${segmentSvg(s.by, s.rows)}<figcaption>Overall conversion by ${e(s.by)} (largest segments first).</figcaption></figure>`,
      ),
    );
  }

  if (has('trend') && m.trend) {
    const t = m.trend;
    const fc = t.forecast;
    const crossing = fc?.crossing ? para(fc.crossing) : '';
    const anomalies = t.anomalies.length
      ? table(
          ['Day', 'Metric', 'Where', 'Observed', 'Expected', ...(ds ? ['Score'] : []), 'Severity'],
          t.anomalies.map((a) => [
            d(a.date),
            e(`${a.metric} (${a.direction})`),
            e([a.stage, a.segment].filter(Boolean).join(', ') || 'overall'),
            d(a.observed),
            d(a.expected),
            ...(ds ? [d(a.score)] : []),
            `<span class="badge ${a.severity}">${a.severity}</span>`,
          ]),
          [false, false, false, true, true, true, false],
        )
      : '<p class="muted">No anomalies were flagged in the daily series.</p>';
    const hints = ds
      ? t.anomalies
          .filter((a) => a.hints.length)
          .map((a) => `<p class="small"><strong>${d(a.date)}:</strong> ${e(a.hints.join(' '))}</p>`)
          .join('')
      : '';
    out.push(
      section(
        'trend',
        'Daily trend, anomalies and forecast',
        `<figure>${trendSvg(t)}<figcaption>${e(t.metric_label)}${fc ? `; dashed line and band: ${e(fc.method)}` : ''}.${leftOutNote(t, e)}</figcaption></figure>${crossing}<h3>Anomalies</h3>${anomalies}${hints}`,
      ),
    );
  }

  if (has('insights') && m.insights.length) {
    out.push(
      section(
        'insights',
        'Insights',
        m.insights
          .map((i) => {
            const confidence = i.confidence ? `<p class="small muted">${e(i.kind)} · detector confidence ${d(i.confidence)}</p>` : '';
            return `<div class="card sev-${i.severity}"><h3>${badge(i.severity)}${e(i.title)}</h3>${para(i.text)}${confidence}</div>`;
          })
          .join(''),
      ),
    );
  }

  if (has('recommendations') && m.recommendations.length) {
    out.push(
      section(
        'recommendations',
        'Recommendations',
        m.recommendations
          .map((r) => {
            const actions = r.action_items.length && m.audience !== 'executive' ? `<ul>${r.action_items.map((a) => `<li>${e(a)}</li>`).join('')}</ul>` : '';
            const basis = r.impact_basis ? `<p class="small muted">Impact basis: ${e(r.impact_basis.text)}</p>` : '';
            const head = `<h3>${badge(r.priority)}<span class="badge status">${e(r.status)}</span>${e(r.title)}</h3>`;
            const rationale = m.audience === 'executive' ? '' : `<p>${e(r.rationale.text)}</p>`;
            const effort = `<p class="small muted">Effort: ${e(r.effort)} · Risk: ${r.risk}</p>`;
            return `<div class="card sev-${r.priority}">${head}<p><strong>Expected impact:</strong> ${e(r.expected_impact.text)}</p>${rationale}${basis}${actions}${effort}</div>`;
          })
          .join(''),
      ),
    );
  }

  if (has('guardrails')) {
    const body = m.guardrails.length
      ? m.guardrails
          .map((g) => {
            const head = `<h3>${badge(g.severity)}${e(g.metric)} <span class="muted small">(${e(g.kind)})</span></h3>`;
            return `<div class="card sev-${g.severity}">${head}${para(g.message)}<p class="small"><strong>Do:</strong> ${e(g.recommendation)}</p></div>`;
          })
          .join('')
      : '<p class="muted">No guardrail, trade-off or data-quality warning was raised.</p>';
    out.push(section('guardrails', 'Guardrails and risks', body));
  }

  if (has('action_items') && m.action_items.length) {
    out.push(
      section(
        'action-items',
        'Action items',
        table(
          ['Priority', 'Action', 'Suggested owner', 'From'],
          m.action_items.map((a) => [`<span class="badge ${a.priority}">${a.priority}</span>`, e(a.text), e(a.owner), e(a.from)]),
        ),
      ),
    );
  }

  if (has('methods') && (m.methods.length || m.caveats.length)) {
    out.push(
      section(
        'methods',
        'Methods and caveats',
        `<ul>${m.methods.map((x) => `<li>${e(x)}</li>`).join('')}</ul>${m.caveats.length ? `<h3>Caveats</h3><ul>${m.caveats.map((x) => `<li>${e(x)}</li>`).join('')}</ul>` : ''}`,
      ),
    );
  }

  if (has('appendix')) out.push(appendix(m));
  out.push(
    '<footer class="end">Generated by IAFA on this computer from the data named above; every figure in this report is listed in the appendix with its id.</footer>',
  );

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="generator" content="IAFA"><title>${e(m.title)}</title><style>${REPORT_CSS}</style></head>
<body><main class="report">${out.join('\n')}</main></body></html>
`;
}

function appendix(m: ReportModel): string {
  const a = m.appendix;
  const meta = `<dl class="meta small" data-meta="generation">
<dt>Data source</dt><dd>${e(a.data_source)}${a.dataset_id ? ` (${e(a.dataset_id)})` : ''}</dd>
${a.funnel_id ? `<dt>Saved funnel</dt><dd>${e(a.funnel_id)}</dd>` : ''}
<dt>Definition</dt><dd>${e(a.definition)}</dd>
<dt>Filters</dt><dd>${e(a.filters)}</dd>
<dt>Narrative</dt><dd>${e(a.provider === 'none' ? 'computed text (no language model)' : `${a.provider}${a.model ? ` · ${a.model}` : ''}`)}</dd>
<dt>Prompt version</dt><dd>${e(a.prompt_version ?? 'n/a')}</dd>
<dt>Computed fallbacks</dt><dd>${e(a.fallback_fields.length ? a.fallback_fields.join('; ') : 'none: all model text passed the grounding check')}</dd>
<dt>Generated</dt><dd>${e(a.generated_at.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}</dd>
</dl>`;
  const listed = m.facts.filter((f) => !isSeriesFact(f.id));
  const rows = listed.map((f) => [`<code>${e(f.id)}</code>`, e(f.label), e(f.display)]);
  const series = listed.length < m.facts.length ? `<p class="small muted">${e(SERIES_NOTE)}</p>` : '';
  return section(
    'appendix',
    'Appendix: facts used and provenance',
    `${meta}<h3>Facts</h3>${table(['Fact id', 'Label', 'Value'], rows, [false, false, true])}${series}`,
    'appendix',
  );
}
