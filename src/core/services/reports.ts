import fs from 'node:fs';
import { eq } from 'drizzle-orm';
import { ExperimentAnalysis, IafaError } from '../../shared/contract';
import { isClickHouseUrl } from '../backends/clickhouse';
import { schema } from '../db';
import { deleteReport, generateReport, listReports, reportFile, saveReport, type Dispatch, type PdfPrinter } from '../reports';
import type { AppContext, HandlerGroup } from './context';
import { getFunnel } from './funnels';
import { readSettings } from './settings';

/**
 * reports:* calls. The pipeline reaches the funnel, analyst, experiment and LLM engines through
 * `dispatch` (validated contract calls), so this file only wires storage and settings.
 */
export function reportHandlers(
  app: AppContext,
  dispatch: Dispatch,
  printPdf?: PdfPrinter,
): HandlerGroup<'reports:generate' | 'reports:list' | 'reports:delete' | 'reports:content'> {
  return {
    'reports:generate': async (input, ctx) => {
      const settings = readSettings(app);
      const g = await generateReport(input, {
        dispatch,
        signal: ctx.signal,
        progress: ctx.progress,
        env: app.env,
        paper: settings.reports.paper,
        printPdf,
        describe: (datasetId, funnelId) => {
          const ds = datasetId ? app.db.select().from(schema.datasets).where(eq(schema.datasets.id, datasetId)).get() : undefined;
          const fn = funnelId ? app.db.select().from(schema.funnels).where(eq(schema.funnels.id, funnelId)).get() : undefined;
          const warehouse = datasetId && isClickHouseUrl(datasetId) ? datasetId.replace(/\?.*$/, '') : null;
          return { dataset_name: ds?.name ?? ds?.sourceName ?? warehouse ?? 'ad-hoc data', funnel_name: fn?.name ?? null };
        },
        funnelDefinition: (funnelId) => {
          const f = getFunnel(app, funnelId);
          return { datasetId: f.datasetId, definition: f.definition };
        },
        storedExperiment: (id) => {
          const row = app.db.select().from(schema.experiments).where(eq(schema.experiments.id, id)).get();
          if (!row) throw new IafaError('not_found', `No experiment with id "${id}".`);
          const parsed = ExperimentAnalysis.safeParse(row.analysisJson ? JSON.parse(row.analysisJson) : null);
          if (!parsed.success) throw new IafaError('validation', `Experiment "${id}" has no analysis yet: analyze it in the Experiments workspace first.`);
          return parsed.data;
        },
      });
      const base = { ...g.output, id: null, download_url: null };
      if (!input.save) return base;
      ctx.progress({ phase: 'save', fraction: 0.95, message: 'storing the report' });
      const stored = saveReport(app.db, app.dataDir, {
        funnelId: input.funnelId ?? null,
        datasetId: g.model.appendix.dataset_id,
        metadata: g.output.report_metadata,
        bytes: g.pdf ?? (input.format === 'markdown' ? g.markdown : g.html),
      });
      const content =
        input.format === 'pdf'
          ? `PDF report "${stored.title}" (${stored.bytes} bytes) is ready: download it from ${stored.download_url}`
          : g.output.report_content;
      return { ...base, report_content: content, id: stored.id, download_url: stored.download_url };
    },
    'reports:list': (filter) => ({ reports: listReports(app.db, filter) }),
    'reports:content': ({ id }) => {
      const { file, report } = reportFile(app.db, app.dataDir, id);
      const bytes = fs.readFileSync(file);
      const binary = report.format === 'pdf';
      return {
        id,
        file_name: report.file_name,
        format: report.format,
        encoding: binary ? ('base64' as const) : ('utf8' as const),
        data: bytes.toString(binary ? 'base64' : 'utf8'),
      };
    },
    'reports:delete': ({ id }) => {
      deleteReport(app.db, app.dataDir, id);
      return { deleted: true as const };
    },
  };
}
