import fs from 'node:fs';
import path from 'node:path';
import { desc, eq } from 'drizzle-orm';
import { IafaError, ReportMetadata, reportDownloadPath, type ReportFormat, type StoredReport } from '../../shared/contract';
import { schema, type Db } from '../db';
import { newId, nowIso } from '../ids';
import { dataPaths } from '../paths';
import { fileSlug } from './text';

/**
 * Report files live in <data dir>/reports/<id>.<ext>; SQLite keeps the metadata and the path
 * relative to the data dir, so moving the data folder keeps every report downloadable.
 */

type Row = typeof schema.reports.$inferSelect;

export const EXT: Record<ReportFormat, string> = { html: 'html', markdown: 'md', pdf: 'pdf' };
export const MIME: Record<ReportFormat, string> = { html: 'text/html; charset=utf-8', markdown: 'text/markdown; charset=utf-8', pdf: 'application/pdf' };

function toStored(r: Row): StoredReport {
  const meta = ReportMetadata.safeParse(safeJson(r.metaJson));
  const format = r.format as ReportFormat;
  return {
    id: r.id,
    funnel_id: r.funnelId,
    dataset_id: r.datasetId,
    title: r.title,
    audience: r.audience as StoredReport['audience'],
    format,
    bytes: r.bytes,
    file_name: `${fileSlug(r.title)}.${EXT[format]}`,
    download_url: reportDownloadPath(r.id),
    metadata: meta.success ? meta.data : null,
    created_at: r.createdAt,
  };
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

export interface SaveReport {
  funnelId: string | null;
  datasetId: string | null;
  metadata: ReportMetadata;
  bytes: Buffer | string;
}

export function saveReport(db: Db, dataDir: string, r: SaveReport): StoredReport {
  const id = newId('rep');
  const dir = dataPaths(dataDir).reports;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${id}.${EXT[r.metadata.format]}`);
  fs.writeFileSync(file, r.bytes);
  // Foreign keys to a funnel/dataset are kept only when the row exists (an ad-hoc definition has no funnel).
  const funnelId = r.funnelId && db.select().from(schema.funnels).where(eq(schema.funnels.id, r.funnelId)).get() ? r.funnelId : null;
  const datasetId = r.datasetId && db.select().from(schema.datasets).where(eq(schema.datasets.id, r.datasetId)).get() ? r.datasetId : null;
  const row: Row = {
    id,
    funnelId,
    datasetId,
    title: r.metadata.title,
    audience: r.metadata.audience,
    format: r.metadata.format,
    path: path.relative(dataDir, file),
    bytes: fs.statSync(file).size,
    metaJson: JSON.stringify(r.metadata),
    createdAt: nowIso(),
  };
  db.insert(schema.reports).values(row).run();
  return toStored(row);
}

export function listReports(db: Db, filter: { funnelId?: string; datasetId?: string }): StoredReport[] {
  const q = db.select().from(schema.reports);
  const rows = (
    filter.funnelId ? q.where(eq(schema.reports.funnelId, filter.funnelId)) : filter.datasetId ? q.where(eq(schema.reports.datasetId, filter.datasetId)) : q
  )
    .orderBy(desc(schema.reports.createdAt))
    .all();
  return rows.map(toStored);
}

function getRow(db: Db, id: string): Row {
  const row = db.select().from(schema.reports).where(eq(schema.reports.id, id)).get();
  if (!row) throw new IafaError('not_found', `No report with id "${id}".`);
  return row;
}

/** The file behind a report, refusing any stored path that points outside the reports folder. */
export function reportFile(db: Db, dataDir: string, id: string): { file: string; report: StoredReport; mime: string } {
  const row = getRow(db, id);
  const root = path.resolve(dataPaths(dataDir).reports);
  const file = path.resolve(dataDir, row.path);
  if (!file.startsWith(root + path.sep) || !fs.existsSync(file)) throw new IafaError('not_found', `The file of report "${id}" is missing.`);
  const report = toStored(row);
  return { file, report, mime: MIME[report.format] };
}

export function deleteReport(db: Db, dataDir: string, id: string): void {
  const row = getRow(db, id);
  const root = path.resolve(dataPaths(dataDir).reports);
  const file = path.resolve(dataDir, row.path);
  if (file.startsWith(root + path.sep)) fs.rmSync(file, { force: true });
  db.delete(schema.reports).where(eq(schema.reports.id, id)).run();
}
