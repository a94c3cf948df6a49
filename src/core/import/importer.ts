import fs from 'node:fs';
import path from 'node:path';
import {
  IafaError,
  type ColumnInfo,
  type DatasetKind,
  type ImportInput,
  type ImportMapping,
  type ImportPreview,
  type ImportWarning,
  type ProgressEvent,
} from '../../shared/contract';
import { newId } from '../ids';
import { appPaths, dataPaths } from '../paths';
import { claimStaging, releaseStaging } from '../staging';
import { addAggregatedTable, aggregatedFromSeed, emptyAggregated } from './aggregated';
import { detect, type Detection } from './detect';
import { EventLogBuilder } from './event-builder';
import { kernelCanRead } from './parse-chunk-wasm';
import { parallelWorkers, prestartWorkers, readCsvChunks, reserveWorkers } from './read-parallel';
import { readCsvEvents, readCsvTable } from './read-csv';
import { mb, openSource, type Source } from './source';
import { ColumnStore, type InMemoryColumns, type StoreManifest } from './store';
import { writeTableColumns } from './table-builder';
import { WarningLog } from './warnings';
import { importNested, nestedSourceFor, previewNested } from './json/nested-import';

export const SAMPLE_FILE = 'pinterest_events.csv';

export interface ImportEnv {
  dataDir: string;
  budgetBytes: number;
  signal: AbortSignal;
  progress: (ev: ProgressEvent) => void;
  /** Files at least this big are parsed in worker threads. */
  parallelMinBytes?: number;
  /**
   * How a CSV event log is read: 'wasm' (the default: the WebAssembly reader where it can,
   * in worker threads for large files), 'js' (the same in JavaScript) or 'scanner' (the
   * sequential RFC 4180 reader, which quoted files always take). Tests compare the three.
   */
  reader?: 'wasm' | 'js' | 'scanner';
  /** How many worker threads (default: one per core, up to 4). */
  workers?: number;
  /** Files with more columns are refused (default MAX_COLUMNS; IAFA_MAX_COLUMNS). */
  maxColumns?: number;
  /** Plain NDJSON exports in worker threads too (the app's default; IAFA_IMPORT_JSON_PARALLEL=0 turns it off); see docs/data-formats.md. */
  jsonParallel?: boolean;
  /**
   * Called once the file's rows are read (a CSV's ranges before their merge, a nested export's
   * before its files are written): the moment to start what the dataset's first funnel will want
   * (its helper thread). Started with the import, that thread competed with the parse workers'
   * own start for the cores.
   */
  onRowsRead?: () => void;
}

/**
 * Files with more columns than this are refused: every column is a dictionary, a code array and
 * two stored files, and funnel data wider than this is a spreadsheet export to trim first.
 */
export const MAX_COLUMNS = 2000;
/** What one column costs an import besides its rows: dictionaries, builders, detection, files. */
const BYTES_PER_COLUMN = 32 << 10;

// Below this a file is read on the calling thread: starting workers (~50 ms) would cost more.
const PARALLEL_MIN_BYTES = 8 << 20;

export interface ImportOutcome {
  id: string;
  dir: string;
  kind: DatasetKind;
  format: string;
  sourceName: string;
  sourceBytes: number;
  rowCount: number;
  userCount: number | null;
  columns: ColumnInfo[];
  mapping: Record<string, unknown>;
  warnings: ImportWarning[];
  events: { name: string; count: number }[];
  timeRange: { start: string; end: string } | null;
  /** An event log's store, open with the columns the import still holds in memory. */
  store: ColumnStore | null;
}

export function resolveInputPath(p: string): string {
  return p === 'sample' ? path.join(appPaths.samples(), SAMPLE_FILE) : path.resolve(p);
}

/** previewFile, and the nested readers' preview for the files they take. */
export async function previewAny(
  input: { path: string; kind?: DatasetKind; mapping?: ImportMapping },
  budgetBytes: number,
  maxColumns = MAX_COLUMNS,
): Promise<ImportPreview> {
  const nested = input.kind && input.kind !== 'event_log' ? null : await previewNested(input, resolveInputPath(input.path), budgetBytes);
  if (nested) checkColumnCount(nested.columns.length, maxColumns);
  return nested ?? previewFile(input, budgetBytes, maxColumns);
}

export function previewFile(
  input: { path: string; kind?: DatasetKind; mapping?: ImportMapping },
  budgetBytes: number,
  maxColumns = MAX_COLUMNS,
): ImportPreview {
  const src = openSource(resolveInputPath(input.path), { budgetBytes, delimiter: input.mapping?.delimiter });
  checkColumns(src, maxColumns);
  if (src.format === 'seed_json') {
    const agg = aggregatedFromSeed(src.seed);
    return {
      format: 'seed_json',
      delimiter: null,
      sizeBytes: src.size,
      header: ['stage', 'users'],
      rows: agg.stages.map((s, i) => [s, String(agg.rows[0].counts[i] ?? '')]),
      columns: [
        { name: 'stage', role: 'stage', type: 'string' },
        { name: 'users', role: 'count', type: 'number' },
      ],
      kind: 'aggregated',
      confidence: 1,
      mapping: { stage: 'stage', count: 'users' },
      notes: ['The funnel_metrics JSON format: stage counts are used as they are.'],
    };
  }
  const d = detect(src.header, src.rows, input);
  return {
    format: src.format,
    delimiter: src.format === 'csv' ? src.delim : null,
    sizeBytes: src.size,
    header: src.header,
    rows: src.rows.slice(0, 20),
    columns: d.columns,
    kind: d.kind,
    confidence: d.confidence,
    mapping: d.mapping,
    notes: d.notes,
  };
}

/**
 * After a file's preview, the worker threads its import would read it with are started (and kept
 * a minute, read-parallel.ts reserveWorkers), while the user looks at the preview: the import
 * then starts on loaded threads. Event logs in CSV or plain NDJSON only (the files read in
 * parallel); none for a small file. Resolves once they have loaded.
 */
export function reserveImportThreads(preview: ImportPreview, env: Pick<ImportEnv, 'parallelMinBytes' | 'workers'>): Promise<void> {
  const parallel =
    preview.kind === 'event_log' && (preview.format === 'csv' || preview.format === 'ndjson') && (preview.shape?.container ?? 'plain') === 'plain';
  if (!parallel) return Promise.resolve();
  return reserveWorkers(preview.sizeBytes, env.parallelMinBytes ?? PARALLEL_MIN_BYTES, env.workers).ready;
}

/** The size of the file to import (0 when it cannot be read: openSource then says why). */
function firstFileSize(p: string): number {
  try {
    return fs.statSync(resolveInputPath(p)).size;
  } catch {
    return 0;
  }
}

/**
 * Builds the dataset's columnar store in tmp/<id> and renames it into datasets/<id> only when
 * complete, so an error or a cancel leaves nothing behind and never touches other datasets.
 * The caller inserts the database row after the rename (and removes the folder if that fails).
 */
export async function importFiles(input: ImportInput, env: ImportEnv): Promise<ImportOutcome> {
  // Nested exports (any tool's JSON, gzip, zip, Parquet, JSON-property CSV) have their own readers.
  const nested =
    input.also?.length || (input.kind && input.kind !== 'event_log')
      ? null
      : await nestedSourceFor(resolveInputPath(input.path), env.budgetBytes, input.mapping);
  if (nested) {
    checkColumnCount(new Set(nested.sample.flatMap((r) => [...r.keys()])).size, env.maxColumns ?? MAX_COLUMNS);
    return importNested(nested, input, env);
  }
  const paths = dataPaths(env.dataDir);
  const id = newId('ds');
  const tmp = path.join(paths.tmp, id);
  fs.mkdirSync(tmp, { recursive: true });
  claimStaging(tmp);
  let builder: EventLogBuilder | null = null;
  // Worker threads take ~60 ms to start: for a large single file they start now, while the
  // file is opened and its columns detected, in case it is a CSV event log (else they go).
  const workers =
    input.also?.length || env.reader === 'scanner' ? [] : prestartWorkers(firstFileSize(input.path), env.parallelMinBytes ?? PARALLEL_MIN_BYTES, env.workers);
  try {
    const files = [{ path: input.path, mapping: input.mapping }, ...(input.also ?? [])];
    const sources = files.map((f) => openSource(resolveInputPath(f.path), { budgetBytes: env.budgetBytes, delimiter: f.mapping?.delimiter }));
    for (const s of sources) checkColumns(s, env.maxColumns ?? MAX_COLUMNS);
    const first = sources[0];
    const firstDet = first.format === 'seed_json' ? null : detect(first.header, first.rows, { kind: input.kind, mapping: input.mapping });
    const kind: DatasetKind = first.format === 'seed_json' ? 'aggregated' : (input.kind ?? firstDet!.kind);
    const dets = sources.map((s, i) =>
      s.format === 'seed_json' ? null : i === 0 && firstDet ? firstDet : detect(s.header, s.rows, { kind, mapping: files[i].mapping }),
    );
    const totalBytes = sources.reduce((a, s) => a + s.size, 0);
    let bytesBefore = 0;
    const report = (phase: string, rows: number, bytes: number) =>
      env.progress({ phase, rows, bytes, totalBytes, fraction: totalBytes ? Math.min(1, bytes / totalBytes) : undefined });

    let manifest: StoreManifest;
    let warnings: ImportWarning[];
    let events: { name: string; count: number }[] = [];
    let columns: ColumnInfo[];
    let loaded: InMemoryColumns | null = null;
    if (kind === 'event_log') {
      const b = (builder = new EventLogBuilder());
      if (sources.length === 1) b.stagingDir = tmp;
      for (let i = 0; i < sources.length; i++) {
        const s = sources[i];
        const det = dets[i];
        if (s.format === 'seed_json' || !det)
          throw new IafaError('validation', `${s.path} is a funnel_metrics summary, not an event log.`, { reason: 'wrong_kind' });
        const plan = b.plan(s.header, det.mapping);
        if (s.format === 'csv') {
          const reader = env.reader ?? 'wasm';
          const chunked = reader !== 'scanner' && !s.bareCr;
          const kernel =
            reader === 'wasm' && kernelCanRead({ file: s.path, start: 0, end: s.size, delim: s.delim, header: s.header, mapping: det.mapping }, plan);
          checkBudget(s, env.budgetBytes, chunked ? (kernel ? ROW_BYTES.kernel : ROW_BYTES.js) : ROW_BYTES.sequential);
          const progress = {
            signal: env.signal,
            report: (rows: number, bytes: number) => report('parse', rows, bytesBefore + bytes),
            rowsRead: env.onRowsRead,
          };
          const pool = i === 0 && workers.length ? workers.splice(0) : parallelWorkers(s.size, env.parallelMinBytes ?? PARALLEL_MIN_BYTES, env.workers);
          const done = chunked && (await readCsvChunks(s, det.mapping, b, pool, progress, reader));
          // Quote characters: the sequential reader, which holds more per row, reads it after all.
          if (!done && chunked) checkBudget(s, env.budgetBytes, ROW_BYTES.sequential);
          if (!done) {
            await readCsvEvents(s, b, plan, progress);
            env.onRowsRead?.();
          }
        } else {
          s.rows.forEach((r, k) => addStringRow(b, plan, r, s.lines[k]));
        }
        b.endFile();
        bytesBefore += s.size;
      }
      const w = b.warnings;
      assertMostlyGood(b.rows, w);
      if (env.signal.aborted) throw new IafaError('cancelled', 'The import was cancelled.');
      report('sort', b.rows, totalBytes);
      ({ manifest, events, loaded } = await b.write(tmp, env.signal));
      warnings = w.list();
      columns = columnInfos(manifest, dets[0], { user: dets[0]?.mapping.user ?? 'user', time: dets[0]?.mapping.time ?? 'time' });
    } else if (kind === 'aggregated') {
      const agg = emptyAggregated();
      const w = new WarningLog();
      let rows = 0;
      sources.forEach((s, i) => {
        if (s.format === 'seed_json') {
          const seed = aggregatedFromSeed(s.seed);
          Object.assign(agg, seed);
          rows += 1;
          return;
        }
        const t = s.format === 'csv' ? (checkBudget(s, env.budgetBytes, ROW_BYTES.table), readCsvTable(s, w)) : s;
        rows += t.rows.length;
        addAggregatedTable(agg, t, dets[i]!.mapping, w);
      });
      assertMostlyGood(rows - w.total, w);
      manifest = { version: 1, kind, rows: agg.rows.length, users: 0, timeMin: null, timeMax: null, eventColumn: null, columns: [], aggregated: agg };
      warnings = w.list();
      events = agg.stages.map((name, s) => ({ name, count: agg.rows.reduce((a, r) => a + (r.counts[s] ?? 0), 0) }));
      const over = events.find((e) => e.count > Number.MAX_SAFE_INTEGER);
      if (over)
        throw new IafaError(
          'validation',
          `The counts of stage "${over.name}" add up to more than ${Number.MAX_SAFE_INTEGER.toLocaleString('en-US')} users, which cannot be counted exactly.`,
          { reason: 'bad_count', stage: over.name },
        );
      const dates = agg.rows
        .map((r) => r.date)
        .filter((d): d is string => Boolean(d))
        .sort();
      if (dates.length) {
        manifest.timeMin = Date.parse(dates[0] + 'T00:00:00Z');
        manifest.timeMax = Date.parse(dates[dates.length - 1] + 'T00:00:00Z');
      }
      columns = [
        ...(agg.dateColumn ? [{ name: agg.dateColumn, role: 'date', type: 'date' as const }] : []),
        ...agg.segmentColumns.map((name) => ({
          name,
          role: 'segment',
          type: 'string' as const,
          distinct: new Set(agg.rows.map((r) => r.segments[agg.segmentColumns.indexOf(name)])).size,
        })),
        ...agg.stages.map((name) => ({ name, role: 'count', type: 'number' as const })),
      ];
    } else {
      const s = sources[0];
      if (s.format === 'seed_json' || sources.length > 1)
        throw new IafaError('validation', 'A user-level table is imported from one CSV or JSON file.', { reason: 'wrong_kind' });
      const w = new WarningLog();
      const t = s.format === 'csv' ? (checkBudget(s, env.budgetBytes, ROW_BYTES.table), readCsvTable(s, w)) : s;
      const det = dets[0]!;
      assertAnalysable(det);
      const roles = new Map(det.columns.map((c) => [c.name, c.role]));
      const stored = writeTableColumns(tmp, t.header, t.rows, roles);
      manifest = { version: 1, kind, rows: t.rows.length, users: t.rows.length, timeMin: null, timeMax: null, eventColumn: null, columns: stored };
      warnings = w.list();
      const distinct = new Map(stored.map((x) => [x.name, x.distinct]));
      columns = det.columns.map((c) => ({ ...c, distinct: Math.max(0, (distinct.get(c.name) ?? 1) - 1) }));
      events = det.columns.filter((c) => c.role === 'metric').map((c) => ({ name: c.name, count: t.rows.length }));
    }
    fs.writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify(manifest));
    if (env.signal.aborted) throw new IafaError('cancelled', 'The import was cancelled.');
    // Whatever can still throw runs before the rename: after it, the dataset is in place.
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    const timeRange = manifest.timeMin !== null && manifest.timeMax !== null ? { start: iso(manifest.timeMin)!, end: iso(manifest.timeMax)! } : null;
    const dir = path.join(paths.datasets, id);
    fs.mkdirSync(paths.datasets, { recursive: true });
    releaseStaging(tmp);
    fs.renameSync(tmp, dir);
    report('done', manifest.rows, totalBytes);
    const mapping: Record<string, unknown> = { ...(dets[0]?.mapping ?? {}) };
    if (input.also?.length) mapping.also = input.also.map((f, i) => ({ path: path.basename(f.path), mapping: dets[i + 1]?.mapping ?? f.mapping ?? {} }));
    return {
      id,
      dir,
      kind,
      format: first.format,
      sourceName: sources.map((s) => path.basename(s.path)).join(' + '),
      sourceBytes: totalBytes,
      rowCount: manifest.rows,
      userCount: kind === 'aggregated' ? null : Math.max(0, manifest.users - (kind === 'event_log' ? 1 : 0)),
      columns,
      mapping,
      warnings,
      events,
      timeRange,
      store: loaded ? ColumnStore.fromMemory(dir, manifest, loaded) : null,
    };
  } catch (err) {
    // A file still being written would race the removal.
    await builder?.settled();
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    // Started but not used (not a CSV event log, after all).
    for (const w of workers) void w.terminate();
  }
}

function checkColumns(s: Source, max: number): void {
  checkColumnCount(s.header.length, max);
}

function checkColumnCount(n: number, max: number): void {
  if (n <= max) return;
  throw new IafaError(
    'validation',
    `The file has ${n.toLocaleString('en-US')} columns; IAFA imports at most ${max.toLocaleString('en-US')} (set IAFA_MAX_COLUMNS to raise it). ` +
      'Keep the user, time and event columns and the properties to filter or break down by, and drop the rest before importing.',
    { reason: 'too_many_columns', columns: n, limit: max },
  );
}

/**
 * What an import holds per row at its peak, by how the file is read, for `cols` columns
 * (measured with the scale bench, `BENCH_ONLY=scale`; see docs/ARCHITECTURE.md, "Memory").
 */
const ROW_BYTES = {
  /** The sequential reader: 4-byte codes per column that grow by doubling, then the sort's permutation and copies. */
  sequential: (cols: number) => (32 + 4 * cols) * 1.5,
  /**
   * Ranges in worker threads through the WebAssembly kernel: times, user codes and 1-2 byte
   * codes per column in the workers (sorted in place), plus the merged columns.
   */
  kernel: (cols: number) => 40 + 4 * cols,
  /** Ranges read in JavaScript: 4-byte codes per column in the worker, gathered once more for the merge. */
  js: (cols: number) => 16 + 10 * cols,
  /** A user table or aggregated funnel: its rows as strings. */
  table: (cols: number) => (32 + 12 * cols) * 1.5,
};

/** Refuses, before any work, a file whose rows and columns would not fit the memory budget. */
function checkBudget(s: Source & { format: 'csv' }, budget: number, rowBytes: (cols: number) => number): void {
  const estRows = s.size / s.bytesPerRow;
  const cols = s.header.length;
  const need = estRows * rowBytes(cols) + cols * BYTES_PER_COLUMN * 1.5;
  if (need > budget) {
    const size = `${mb(s.size)} with about ${Math.round(estRows).toLocaleString('en-US')} rows and ${cols.toLocaleString('en-US')} columns`;
    throw new IafaError(
      'validation',
      `The file is too large for the memory budget: ${size} needs ~${mb(need)}, the budget is ${mb(budget)} (set IAFA_IMPORT_MEMORY_MB to raise it).`,
      { reason: 'over_budget', bytes: s.size, budget },
    );
  }
}

/**
 * A user table is only worth storing with something to compare or count: a variant column or a
 * numeric / yes-no metric. Without one, the file (an HTML page, a script, a list of ids) is not
 * data IAFA can analyse, and saying what is missing beats storing a one-column table.
 */
function assertAnalysable(det: Detection): void {
  if (det.columns.some((c) => c.role === 'metric' || c.role === 'variant')) return;
  const names = det.columns.slice(0, 8).map((c) => `"${c.name.length > 40 ? c.name.slice(0, 40) + '…' : c.name}"`);
  const more = det.columns.length > 8 ? `, and ${det.columns.length - 8} more` : '';
  throw new IafaError(
    'validation',
    'Nothing IAFA can analyse in this file: no user, time and event columns (an event log), no stage counts (an aggregated funnel), ' +
      'and no variant or numeric / yes-no metric column beside the user id (a user table). ' +
      `Columns found: ${names.join(', ') || 'none'}${more}. If it is one of these, set the kind and the column mapping; ` +
      'rows with a user and a time but no event column (a list of leads, say) import as an event log with one event name for every row ' +
      '(mapping.eventName, --event-name).',
    { reason: 'nothing_to_analyse', columns: det.columns.length },
  );
}

function assertMostlyGood(good: number, w: WarningLog): void {
  if (good === 0 && w.total === 0) throw new IafaError('validation', 'The file has no data rows.', { reason: 'empty_file' });
  if (w.total > good) {
    const top = w.top()!;
    throw new IafaError(
      'validation',
      `Most rows could not be read (${w.total.toLocaleString('en-US')} of ${(w.total + good).toLocaleString('en-US')}): ${top.message} Check the column mapping.`,
      { reason: 'most_rows_bad', warnings: w.list() },
    );
  }
}

function addStringRow(b: EventLogBuilder, plan: ReturnType<EventLogBuilder['plan']>, r: string[], line: number): void {
  const parts = r.map((v) => Buffer.from(v.trim(), 'utf8'));
  const fs2 = new Int32Array(parts.length);
  const fe = new Int32Array(parts.length);
  let o = 0;
  parts.forEach((p, i) => {
    fs2[i] = o;
    o += p.length;
    fe[i] = o;
  });
  b.addRow(plan, Buffer.concat(parts), fs2, fe, parts.length, line);
}

function columnInfos(m: StoreManifest, det: Detection | null, names: { user: string; time: string }): ColumnInfo[] {
  const detected = new Map((det?.columns ?? []).map((c) => [c.name, c]));
  return [
    { name: names.user, role: 'user', type: 'string', distinct: Math.max(0, m.users - 1) },
    { name: names.time, role: 'time', type: 'timestamp' },
    ...m.columns.map((c) => ({
      name: c.name,
      role: c.role,
      type: detected.get(c.name)?.type === 'number' ? ('number' as const) : ('string' as const),
      distinct: c.distinct - 1,
      sample: detected.get(c.name)?.sample,
    })),
  ];
}
