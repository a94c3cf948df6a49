import {
  IafaError,
  isCallName,
  type CallName,
  type CallOutput,
  type ExperimentAnalysis,
  type FunnelDefinition,
  type FunnelResult,
  type InsightsReport,
  type ProgressEvent,
  type ReportOutput,
  type ReportSection,
  type ReportsGenerateParsed,
} from '../../shared/contract';
import { buildReportModel, type ReportNarration, type ReportSource } from './build';
import { groundReport } from './grounding';
import { renderHtml } from './html';
import { renderMarkdown } from './markdown';
import { DEFAULT_SECTIONS, type Prose, type ReportModel } from './model';
import { htmlToPdf, type Paper } from './pdf';
import { wordCount } from './text';

/**
 * The report pipeline: funnel → analyst → (experiment) → narrative → model → format. It talks to
 * the other engines only through `dispatch` (validated contract calls), so it depends on their
 * public shapes, not their internals, and runs the same under IPC, HTTP and the CLI.
 */

export type Dispatch = <K extends CallName>(
  name: K,
  input: unknown,
  opts: { signal: AbortSignal; onProgress?: (ev: ProgressEvent) => void },
) => Promise<CallOutput<K>>;

export interface GenerateDeps {
  dispatch: Dispatch;
  signal: AbortSignal;
  progress: (ev: ProgressEvent) => void;
  env: NodeJS.ProcessEnv;
  paper: Paper;
  /** Dataset and funnel names for the title and the appendix. */
  describe(datasetId: string | null, funnelId: string | null): { dataset_name: string; funnel_name: string | null };
  /** The saved funnel's definition, when the request names a funnel. */
  funnelDefinition(funnelId: string): { datasetId: string; definition: FunnelDefinition };
  storedExperiment(id: string): ExperimentAnalysis;
  /** The shell's PDF printer (Electron: webContents.printToPDF); default: headless Chromium. */
  printPdf?: PdfPrinter;
  now?: () => string;
}

export type PdfPrinter = (html: string, opts: { paper: Paper; signal: AbortSignal }) => Promise<Buffer>;

export interface Generated {
  model: ReportModel;
  html: string;
  markdown: string;
  pdf: Buffer | null;
  output: Omit<ReportOutput, 'id' | 'download_url'>;
}

function withScope(def: FunnelDefinition, input: ReportsGenerateParsed): FunnelDefinition {
  const out = { ...def, include: { ...def.include } };
  if (input.start_date) out.from = input.start_date;
  if (input.end_date) out.to = input.end_date;
  for (const [k, v] of Object.entries(input.segment_filters ?? {})) out.include[k] = v;
  if (input.segment_by !== undefined) out.breakdown = input.segment_by ?? undefined;
  return out;
}

function sectionsFor(input: ReportsGenerateParsed): ReportSection[] {
  let s = input.sections?.length ? [...input.sections] : [...DEFAULT_SECTIONS[input.audience]];
  if (input.include_recommendations === false) s = s.filter((x) => x !== 'recommendations' && x !== 'action_items');
  if (input.include_charts === false) s = s.filter((x) => x !== 'funnel' && x !== 'segments' && x !== 'trend');
  return s;
}

/** Ask the LLM layer for the summary; any failure leaves the computed text in place (and says so). */
async function narrate(deps: GenerateDeps, input: ReportsGenerateParsed, draft: ReportModel): Promise<ReportNarration | null> {
  if (input.provider === 'none' || !isCallName('llm:narrate')) return null;
  const deterministic = {
    executive_summary: draft.summary
      .map((p) => p.text)
      .join('\n\n')
      .slice(0, 900),
    key_points: (draft.insights.length ? draft.insights.map((i) => i.text) : draft.summary)
      .slice(0, 5)
      .map((p) => ({ text: p.text.slice(0, 400), fact_ids: p.fact_ids.slice(0, 8) })),
    risks: draft.guardrails.slice(0, 3).map((g) => ({ text: g.message.text.slice(0, 400), fact_ids: g.message.fact_ids.slice(0, 8) })),
    fact_ids: [...new Set(draft.summary.flatMap((p) => p.fact_ids))].slice(0, 8),
  };
  try {
    const out = await deps.dispatch(
      'llm:narrate',
      {
        task: 'report',
        facts: { facts: draft.facts, generated_at: draft.appendix.generated_at },
        deterministic,
        context: { audience: input.audience, title: draft.title },
        decision: draft.experiment?.decision ?? null,
        scope: {
          funnel_id: input.funnelId ?? null,
          date_range: draft.period ? { start: draft.period.start.display, end: draft.period.end.display } : null,
          filters: input.segment_filters ?? {},
          segment_by: input.segment_by ?? null,
        },
        options: { provider: input.provider, model: input.model, refresh: input.refresh },
      },
      { signal: deps.signal, onProgress: (ev) => deps.progress({ ...ev, phase: `narrative: ${ev.phase}` }) },
    );
    const gen = out.generation;
    // Only the executive summary is used from the narrative, so only its fallback matters here.
    const used = out.grounding.fallback_fields.filter((f) => f.startsWith('executive_summary'));
    const fellBack = gen.provider === 'none' || used.length > 0;
    const text = typeof out.narrative.executive_summary === 'string' ? out.narrative.executive_summary : '';
    const first: Prose[] =
      fellBack || !text
        ? []
        : text
            .split(/\n{2,}/)
            .filter(Boolean)
            .slice(0, 2)
            .map((t) => ({ text: t, fact_ids: deterministic.fact_ids, source: 'model' as const }));
    // The model's paragraphs lead; buildReportModel completes the summary around them.
    const paragraphs = first.length ? first : draft.summary;
    const fallback = [...used.map((f) => `${f} (failed the number check)`), ...(gen.banner ? [gen.banner] : [])];
    if (!first.length && !fallback.length) fallback.push('summary (computed text: the model text was not used)');
    return {
      paragraphs,
      provider: gen.provider,
      model: gen.provider === 'none' ? null : gen.model,
      prompt_version: gen.prompt_version,
      fallback_fields: fallback,
    };
  } catch (err) {
    if (deps.signal.aborted) throw err;
    const e = IafaError.from(err);
    return {
      paragraphs: draft.summary,
      provider: 'none',
      model: null,
      prompt_version: null,
      fallback_fields: [`summary (computed text: ${e.message.slice(0, 160)})`],
    };
  }
}

export async function generateReport(input: ReportsGenerateParsed, deps: GenerateDeps): Promise<Generated> {
  const step = (phase: string, fraction: number, message?: string) => deps.progress({ phase, fraction, message });
  let funnel: FunnelResult | null = null;
  let insights: InsightsReport | null = null;
  let datasetId = input.datasetId ?? null;
  let definition = input.definition ?? null;
  if (input.funnelId) ({ datasetId, definition } = deps.funnelDefinition(input.funnelId));
  if (datasetId && definition) {
    definition = withScope(definition, input);
    step('funnel', 0.05, 'computing the funnel');
    funnel = await deps.dispatch('funnels:compute', { datasetId, definition }, { signal: deps.signal });
    step('analysis', 0.3, 'running the analyst');
    try {
      insights = await deps.dispatch(
        'analytics:recommendations',
        { funnelId: input.funnelId, datasetId, definition, audience: input.audience },
        { signal: deps.signal },
      );
    } catch (err) {
      // The report still renders from the funnel alone; the appendix says the analysis was missing.
      if (deps.signal.aborted) throw err;
      step('analysis', 0.4, `analysis unavailable: ${IafaError.from(err).message.slice(0, 160)}`);
    }
  }
  let experiment: ExperimentAnalysis | null = null;
  if (input.experimentId) experiment = deps.storedExperiment(input.experimentId);
  else if (input.experiment) {
    step('experiment', 0.5, 'analyzing the experiment');
    experiment = await deps.dispatch('experiment:analyze', { ...input.experiment, save: false }, { signal: deps.signal });
  }
  const names = deps.describe(datasetId ?? input.experiment?.datasetId ?? null, input.funnelId ?? null);
  const source: ReportSource = { dataset_name: names.dataset_name, dataset_id: datasetId, funnel_id: input.funnelId ?? null, funnel_name: names.funnel_name };
  const generated_at = deps.now?.() ?? new Date().toISOString();
  const base = { audience: input.audience, sections: sectionsFor(input), title: input.title, generated_at, source, funnel, insights, experiment };
  const draft = buildReportModel({ ...base, narration: null });
  step('narrative', 0.6, input.provider === 'none' ? 'computed text' : 'asking the model for the summary');
  const narration = await narrate(deps, input, draft);
  const model = narration ? buildReportModel({ ...base, narration }) : draft;
  if (!insights && funnel) model.appendix.fallback_fields.push('analysis (insights, recommendations, guardrails) was unavailable');

  step('render', 0.8, `rendering ${input.format}`);
  const html = renderHtml(model);
  const markdown = renderMarkdown(model);
  const allFacts = [...(insights?.facts ?? []), ...(experiment?.facts ?? []), ...model.facts];
  const grounding = groundReport(model, html, allFacts);
  let pdf: Buffer | null = null;
  if (input.format === 'pdf') {
    step('pdf', 0.85, deps.printPdf ? 'printing' : 'printing with headless Chromium');
    const paper = input.paper ?? deps.paper;
    pdf = deps.printPdf ? await deps.printPdf(html, { paper, signal: deps.signal }) : await htmlToPdf(html, { paper, signal: deps.signal, env: deps.env });
  }
  const content = input.format === 'html' ? html : input.format === 'markdown' ? markdown : '';
  return {
    model,
    html,
    markdown,
    pdf,
    output: {
      report_content: content,
      report_metadata: {
        title: model.title,
        generated_at,
        format: input.format,
        word_count: wordCount(markdown),
        audience: input.audience,
        paper: input.paper ?? deps.paper,
        sections: model.sections,
        provider: model.appendix.provider,
        model: model.appendix.model,
        prompt_version: model.appendix.prompt_version,
        fallback_fields: model.appendix.fallback_fields,
        fact_count: model.facts.length,
      },
      html,
      markdown,
      grounding,
    },
  };
}
