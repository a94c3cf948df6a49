import { z } from 'zod';
import { call } from './call';
import { AnalyzeInput } from './experiments';
import { GroundingReport } from './facts';
import { ColumnFilters, FunnelDefinition, IsoDay, orderedRange } from './funnels';
import { Audience } from './insights';
import { ProviderName } from './settings';

/**
 * Decision-ready reports (the seed's /report): assembled only from engine outputs (funnel, fact
 * sheet, deterministic analyst, experiment read-out), rendered to one self-contained HTML file,
 * GitHub Markdown or PDF, stored under the data folder and listed from SQLite.
 */

export const ReportFormat = z.enum(['html', 'markdown', 'pdf']);
export type ReportFormat = z.infer<typeof ReportFormat>;

export const ReportSection = z.enum([
  'summary',
  'key_metrics',
  'funnel',
  'segments',
  'trend',
  'insights',
  'recommendations',
  'guardrails',
  'experiment',
  'action_items',
  'methods',
  'appendix',
]);
export type ReportSection = z.infer<typeof ReportSection>;
export const REPORT_SECTIONS = ReportSection.options;

/** Sections each audience gets by default: executives get the short version, data scientists everything. */
export const DEFAULT_REPORT_SECTIONS: Record<Audience, ReportSection[]> = {
  executive: ['summary', 'key_metrics', 'funnel', 'trend', 'recommendations', 'guardrails', 'experiment', 'action_items', 'appendix'],
  product_manager: [
    'summary',
    'key_metrics',
    'funnel',
    'segments',
    'trend',
    'insights',
    'recommendations',
    'guardrails',
    'experiment',
    'action_items',
    'appendix',
  ],
  data_scientist: [...REPORT_SECTIONS],
};

const Day = IsoDay;

export const ReportsGenerateInput = z
  .object({
    funnelId: z.string().min(1).max(200).optional(),
    datasetId: z.string().min(1).max(200).optional(),
    definition: FunnelDefinition.optional(),
    start_date: Day.optional(),
    end_date: Day.optional(),
    segment_filters: ColumnFilters.optional(),
    segment_by: z.string().nullable().optional(),
    /** A stored experiment analysis (Experiments workspace) or an analysis to run now: adds the read-out. */
    experimentId: z.string().min(1).max(200).optional(),
    experiment: AnalyzeInput.optional(),
    audience: Audience.default('executive'),
    format: ReportFormat.default('html'),
    /** Sections to include; omitted = every section that suits the audience. */
    sections: z.array(ReportSection).optional(),
    /** The seed's switches, kept for compatibility: false removes the matching sections. */
    include_recommendations: z.boolean().optional(),
    include_charts: z.boolean().optional(),
    /** Narrative provider; "none" keeps the computed text. Omitted = settings. */
    provider: ProviderName.optional(),
    model: z.string().max(4096).optional(),
    /** Bypass the narrative cache (a fresh model answer). */
    refresh: z.boolean().optional(),
    title: z.string().trim().min(1).max(200).optional(),
    /** Paper size for PDF; omitted = settings.reports.paper. */
    paper: z.enum(['A4', 'Letter']).optional(),
    /** false = preview only: rendered and returned, but no file or row is stored. */
    save: z.boolean().default(true),
  })
  .refine((v) => Boolean(v.funnelId) || (Boolean(v.datasetId) && Boolean(v.definition)) || Boolean(v.experiment) || Boolean(v.experimentId), {
    message: 'give funnelId, or datasetId and definition, or an experiment',
  })
  .refine(...orderedRange('start_date', 'end_date'));
export type ReportsGenerateInput = z.input<typeof ReportsGenerateInput>;
export type ReportsGenerateParsed = z.output<typeof ReportsGenerateInput>;

export const ReportMetadata = z.object({
  title: z.string(),
  generated_at: z.string(),
  format: ReportFormat,
  word_count: z.number().int().nonnegative(),
  audience: Audience,
  paper: z.enum(['A4', 'Letter']),
  sections: z.array(ReportSection),
  /** Who wrote the prose: "none" = computed text only. */
  provider: z.string(),
  model: z.string().nullable(),
  prompt_version: z.string().nullable(),
  /** Parts of the prose that fell back to the computed text (grounding failures or no model). */
  fallback_fields: z.array(z.string()),
  fact_count: z.number().int().nonnegative(),
});
export type ReportMetadata = z.infer<typeof ReportMetadata>;

export const ReportOutput = z.object({
  id: z.string().nullable(),
  /** HTML or Markdown text; for PDF a short note (the bytes are behind download_url). */
  report_content: z.string(),
  report_metadata: ReportMetadata,
  download_url: z.string().nullable(),
  /** Always present so every shell can preview (sandboxed iframe) and print (Electron printToPDF). */
  html: z.string(),
  /** Always present for "Copy as Markdown". */
  markdown: z.string(),
  grounding: GroundingReport,
});
export type ReportOutput = z.infer<typeof ReportOutput>;

export const StoredReport = z.object({
  id: z.string(),
  funnel_id: z.string().nullable(),
  dataset_id: z.string().nullable(),
  title: z.string(),
  audience: Audience,
  format: ReportFormat,
  bytes: z.number().int().nonnegative(),
  file_name: z.string(),
  download_url: z.string(),
  metadata: ReportMetadata.nullable(),
  created_at: z.string(),
});
export type StoredReport = z.infer<typeof StoredReport>;

export const reportsGenerate = call({
  name: 'reports:generate',
  summary: 'Render a decision-ready report (HTML, Markdown or PDF) for an audience, store it and return it with a download URL.',
  http: { method: 'POST', path: '/api/v1/reports', aliases: ['/api/v1/analytics/:funnelId/report'] },
  input: ReportsGenerateInput,
  output: ReportOutput,
  streams: true,
});

export const reportsList = call({
  name: 'reports:list',
  summary: 'Stored reports, newest first.',
  http: { method: 'GET', path: '/api/v1/reports' },
  input: z.object({ funnelId: z.string().optional(), datasetId: z.string().optional() }).strict(),
  output: z.object({ reports: z.array(StoredReport) }),
});

export const reportsDelete = call({
  name: 'reports:delete',
  summary: 'Delete a stored report and its file.',
  http: { method: 'DELETE', path: '/api/v1/reports/:id' },
  input: z.object({ id: z.string().min(1).max(200) }),
  output: z.object({ deleted: z.literal(true) }),
});

/** The stored bytes for shells without HTTP (Electron's save dialog); text as UTF-8, PDF as base64. */
export const reportsContent = call({
  name: 'reports:content',
  summary: 'The stored file of a report (text, or base64 for PDF), for saving from the desktop app.',
  http: { method: 'GET', path: '/api/v1/reports/:id/content' },
  input: z.object({ id: z.string().min(1).max(200) }),
  output: z.object({ id: z.string(), file_name: z.string(), format: ReportFormat, encoding: z.enum(['utf8', 'base64']), data: z.string() }),
});

export function reportDownloadPath(id: string): string {
  return `/api/v1/reports/${encodeURIComponent(id)}/download`;
}
