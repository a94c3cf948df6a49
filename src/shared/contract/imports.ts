import { z } from 'zod';
import { call } from './call';
import { ColumnInfo, Dataset, DatasetKind } from './datasets';
import { noProtoKey } from './funnels';

/**
 * How a file's columns map to roles. Every field is optional: detection fills the gaps, and an
 * explicit value always wins over what detection guessed.
 */
export const ImportMapping = z.object({
  /** Event logs: the column naming the user, the event time and the event name. */
  user: z.string().optional(),
  time: z.string().optional(),
  event: z.string().optional(),
  /** A file without an event column (e.g. Olist's leads) gives every row this event name. */
  eventName: z.string().optional(),
  timeFormat: z.enum(['auto', 'iso', 'unix_s', 'unix_ms', 'unix_us', 'date', 'weekday_month_day']).optional(),
  /** Nested exports: where `user` is empty, this field names the user (Amplitude's device_id, Segment's anonymousId). */
  userFallback: z.string().optional(),
  /** Nested exports: the tool whose export this is (detected; decides page-call naming, skipped calls, de-duplication). */
  tool: z.enum(['mixpanel', 'amplitude', 'segment', 'ga4', 'json']).optional(),
  /** Nested exports: a field whose repeats (with the same user, event and time) are exact duplicates, dropped and counted (Mixpanel's $insert_id). */
  dedupe: z.string().optional(),
  /** Year for dates written without one ("Sat, Oct 11"); inferred from weekdays when absent. */
  year: z.number().int().min(1900).max(2200).optional(),
  /** Aggregated exports: a date column, long form (stage + count) or wide form (stage columns in order). */
  date: z.string().optional(),
  stage: z.string().optional(),
  count: z.string().optional(),
  stages: z.array(z.string()).optional(),
  /** User tables: the variant column. */
  variant: z.string().optional(),
  /** Extra columns with one value for the whole file, e.g. { variant: 'control' } for one-file-per-variant exports. */
  constants: z.custom<Record<string, string>>(noProtoKey, 'a constant column cannot be named "__proto__"').pipe(z.record(z.string(), z.string())).optional(),
  delimiter: z.enum([',', ';', '\t']).optional(),
});
export type ImportMapping = z.infer<typeof ImportMapping>;

const FileRef = z.object({ path: z.string().min(1).max(4096), mapping: ImportMapping.optional() });

export const ImportInput = z.object({
  /** A file path, or the word `sample` for the shipped Pinterest-style sample. */
  path: z.string().min(1).max(4096),
  name: z.string().trim().min(1).max(200).optional(),
  kind: DatasetKind.optional(),
  mapping: ImportMapping.optional(),
  /**
   * More files stored into the same dataset, each with its own mapping: a two-file funnel (leads
   * + closed deals joined on a shared id) or one aggregated file per variant.
   */
  also: z.array(FileRef).max(20).optional(),
});
export type ImportInput = z.infer<typeof ImportInput>;

/** How a nested export was read: the container, the tool that wrote it and why each field was chosen. */
export const SourceShape = z.object({
  container: z.enum(['plain', 'gzip', 'zip', 'parquet']),
  /** Files read inside a zip archive. */
  members: z.array(z.string()).optional(),
  tool: z.enum(['mixpanel', 'amplitude', 'segment', 'ga4', 'json']),
  /** "Mixpanel export", "GA4 BigQuery export", ... */
  label: z.string(),
  confidence: z.number().min(0).max(1),
  userReason: z.string(),
  timeUnit: z.string(),
});
export type SourceShape = z.infer<typeof SourceShape>;

export const ImportPreview = z.object({
  format: z.enum(['csv', 'json', 'ndjson', 'seed_json', 'parquet']),
  /** Set for exports read through the nested-JSON path (any container, Parquet, JSON-property CSV). */
  shape: SourceShape.optional(),
  delimiter: z.string().nullable(),
  sizeBytes: z.number().int().nonnegative(),
  header: z.array(z.string()),
  /** The first rows as text, for the editable preview table. */
  rows: z.array(z.array(z.string())),
  columns: z.array(ColumnInfo),
  kind: DatasetKind,
  /** 0..1: how sure detection is; the UI asks for confirmation below ~0.7. */
  confidence: z.number().min(0).max(1),
  mapping: ImportMapping,
  /** Human-readable reasons and doubts (e.g. an inferred year). */
  notes: z.array(z.string()),
});
export type ImportPreview = z.infer<typeof ImportPreview>;

export const datasetsImport = call({
  name: 'datasets:import',
  summary: 'Import a CSV, JSON, NDJSON or funnel_metrics file (or the sample) into a stored dataset.',
  http: { method: 'POST', path: '/api/v1/datasets/import' },
  input: ImportInput,
  output: Dataset,
  streams: true,
});

export const datasetsPreview = call({
  name: 'datasets:preview',
  summary: 'First rows of a file with the detected kind, confidence and column mapping; stores nothing.',
  http: { method: 'POST', path: '/api/v1/datasets/preview' },
  input: z.object({ path: z.string().min(1).max(4096), kind: DatasetKind.optional(), mapping: ImportMapping.optional() }),
  output: ImportPreview,
});
