import fs from 'node:fs';
import path from 'node:path';
import { IafaError, type ColumnInfo, type ImportInput, type ImportMapping, type ImportPreview, type ImportWarning } from '../../../shared/contract';
import { newId } from '../../ids';
import { dataPaths } from '../../paths';
import { EventLogBuilder } from '../event-builder';
import { prestartWorkers } from '../read-parallel';
import type { ImportEnv, ImportOutcome } from '../importer';
import { openSource, statFile } from '../source';
import { ColumnStore, type StoreManifest } from '../store';
import { WarningLog } from '../warnings';
import { shortNames } from '../column-names';
import type { SampleRecord } from '../shapes/shapes';
import { unitLabel } from '../shapes/shapes';
import { openNested, readNested, shapeInfo, type NestedSource } from './nested';
import { kernelCanReadJson } from './ndjson-kernel';
import { claimStaging, releaseStaging } from '../../staging';

/** A property with (nearly) one value per event in the sample is an id, not a segment. */
const HIGH_CARDINALITY_SHARE = 0.9;

/** Warnings the nested path adds to the CSV ones (a row noted, not skipped as bad). */
class NestedWarnings extends WarningLog {
  override list(): ImportWarning[] {
    return super.list().map((w) => {
      if (w.reason === 'not_an_event')
        return {
          ...w,
          message: `${w.count.toLocaleString('en-US')} identify, group or alias call${w.count === 1 ? '' : 's'} skipped: they describe users, not events.`,
        };
      if (w.reason === 'duplicate_event')
        return {
          ...w,
          message: `${w.count.toLocaleString('en-US')} exact duplicate event${w.count === 1 ? '' : 's'} dropped (same $insert_id, user, event and time).`,
        };
      return w;
    });
  }
}

function plainTextHasBrace(p: string): boolean {
  const fd = fs.openSync(p, 'r');
  try {
    const b = Buffer.alloc(65536);
    const n = fs.readSync(fd, b, 0, b.length, 0);
    const head = b.subarray(0, n);
    const magic = head[0] === 0x1f || head[0] === 0x50;
    return magic || head.includes(123);
  } finally {
    fs.closeSync(fd);
  }
}

/** Opens the file for the nested path when it belongs there (see openNested); null otherwise. */
export async function nestedSourceFor(p: string, budget: number, mapping?: ImportMapping): Promise<NestedSource | null> {
  const size = statFile(p);
  // A plain CSV or flat JSON without a single '{' in its first 64 KB: the flat readers, at once.
  if (!plainTextHasBrace(p)) return null;
  try {
    return await openNested(p, size, budget, mapping ?? {});
  } catch (err) {
    // For a plain JSON file with a syntax error, the flat reader's message names line and column.
    if (err instanceof IafaError && (err.details as { reason?: string } | undefined)?.reason === 'malformed_json') {
      try {
        openSource(p, { budgetBytes: budget });
      } catch (e2) {
        if (e2 instanceof IafaError && (e2.details as { reason?: string } | undefined)?.reason === 'malformed_json') throw e2;
      }
    }
    throw err;
  }
}

function columnsOf(src: NestedSource, m: ImportMapping): ColumnInfo[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of src.sample)
    for (const k of r.keys())
      if (!seen.has(k)) {
        seen.add(k);
        names.push(k);
      }
  const short = shortNames(names);
  return names.map((name) => {
    const vals = src.sample.map((r) => r.get(name)).filter((v): v is string => v !== undefined);
    const distinct = new Set(vals).size;
    const role = name === m.user ? 'user' : name === m.time ? 'time' : name === m.event ? 'event' : name === m.userFallback ? 'user_fallback' : 'segment';
    const numeric = vals.length > 0 && vals.every((v) => /^-?\d+(\.\d+)?$/.test(v));
    return {
      name,
      role,
      type: role === 'time' ? 'timestamp' : numeric ? 'number' : vals.length && vals.every((v) => v === 'true' || v === 'false') ? 'boolean' : 'string',
      distinct,
      sample: [...new Set(vals)].slice(0, 5),
      ...(short.get(name) ? { short: short.get(name) } : {}),
      ...(role === 'segment' && vals.length >= 20 && distinct >= HIGH_CARDINALITY_SHARE * vals.length ? { highCardinality: true } : {}),
    };
  });
}

export async function previewNested(input: { path: string; mapping?: ImportMapping }, p: string, budget: number): Promise<ImportPreview | null> {
  const src = await nestedSourceFor(p, budget, input.mapping);
  if (!src) return null;
  const m = src.shape.mapping;
  const columns = columnsOf(src, m);
  const header = columns.map((c) => c.name);
  const rows = src.sample.slice(0, 20).map((r: SampleRecord) => header.map((h) => r.get(h) ?? ''));
  const notes = [...src.notes, `Time: "${m.time}" in ${unitLabel(m.timeFormat)}.`];
  return {
    format: src.format,
    delimiter: src.format === 'csv' ? (src.delim ?? ',') : null,
    sizeBytes: src.size,
    header,
    rows,
    columns,
    kind: 'event_log',
    confidence: src.shape.confidence,
    mapping: m,
    notes,
    shape: shapeInfo(src),
  };
}

/**
 * The import of a nested export: the same builder, store and atomic rename as importFiles, fed by
 * the nested readers. Nothing exists under datasets/ until the whole file has been read.
 */
export async function importNested(src: NestedSource, input: ImportInput, env: ImportEnv): Promise<ImportOutcome> {
  const paths = dataPaths(env.dataDir);
  const id = newId('ds');
  const tmp = path.join(paths.tmp, id);
  fs.mkdirSync(tmp, { recursive: true });
  // The staging folder names its owner, so a crash's leftovers are swept at the next start.
  claimStaging(tmp);
  const b = new EventLogBuilder();
  // One dataset from one source: the merge may start writing the files it has finished.
  b.stagingDir = tmp;
  b.warnings = new NestedWarnings();
  const m = src.shape.mapping;
  try {
    if (!m.user || !m.time || !m.event)
      throw new IafaError(
        'validation',
        `Choose the ${!m.user ? 'user' : !m.time ? 'time' : 'event'} field: none was found in the records (fields: ${columnsOf(src, m)
          .map((c) => c.name)
          .slice(0, 30)
          .join(', ')}).`,
        { reason: 'missing_column' },
      );
    const report = (rows: number) => env.progress({ phase: 'parse', rows, bytes: 0, totalBytes: src.size });
    // NDJSON goes through the WebAssembly kernel where it can read the records
    // (json/ndjson-kernel.ts). A plain file gets worker threads when the caller allows them
    // (jsonParallel, the app's default), one newline-aligned range each, merged as CSV ranges are.
    const kernel = (env.reader ?? 'wasm') === 'wasm' && src.format === 'ndjson' && kernelCanReadJson(m, src.jsonColumns ?? []);
    const parallel = src.container === 'plain' && src.format === 'ndjson' && env.jsonParallel === true && env.reader !== 'scanner';
    const workers = parallel ? prestartWorkers(src.size, env.parallelMinBytes ?? 8 << 20, env.workers) : [];
    await readNested(src, b, m, { signal: env.signal, report, workers, kernel });
    env.onRowsRead?.();
    b.endFile();
    const w = b.warnings;
    if (b.rows === 0 && w.total === 0) throw new IafaError('validation', 'The file has no events.', { reason: 'empty_file' });
    if (w.total > b.rows) {
      const top = w.top()!;
      throw new IafaError(
        'validation',
        `Most events could not be read (${w.total.toLocaleString('en-US')} of ${(w.total + b.rows).toLocaleString('en-US')}): ${top.message} Check the mapping of user, time and event.`,
        { reason: 'most_rows_bad', warnings: w.list() },
      );
    }
    if (env.signal.aborted) throw new IafaError('cancelled', 'The import was cancelled.');
    env.progress({ phase: 'sort', rows: b.rows, bytes: src.size, totalBytes: src.size });
    const { manifest, events, loaded } = await b.write(tmp, env.signal);
    fs.writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify(manifest));
    if (env.signal.aborted) throw new IafaError('cancelled', 'The import was cancelled.');
    // Whatever can still throw runs before the rename: after it, the dataset is in place.
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    const timeRange = manifest.timeMin !== null && manifest.timeMax !== null ? { start: iso(manifest.timeMin)!, end: iso(manifest.timeMax)! } : null;
    const columns = storedColumns(manifest, src, m);
    const dir = path.join(paths.datasets, id);
    fs.mkdirSync(paths.datasets, { recursive: true });
    releaseStaging(tmp);
    fs.renameSync(tmp, dir);
    env.progress({ phase: 'done', rows: manifest.rows, bytes: src.size, totalBytes: src.size });
    return {
      id,
      dir,
      kind: 'event_log',
      format: src.container === 'plain' || src.container === 'parquet' ? src.format : `${src.format}+${src.container}`,
      sourceName: path.basename(src.path),
      sourceBytes: src.size,
      rowCount: manifest.rows,
      userCount: Math.max(0, manifest.users - 1),
      columns,
      mapping: { ...m, ...(input.mapping ?? {}) },
      warnings: w.list(),
      events,
      timeRange,
      store: ColumnStore.fromMemory(dir, manifest, loaded),
    };
  } catch (err) {
    await b.settled();
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

function storedColumns(man: StoreManifest, src: NestedSource, m: ImportMapping): ColumnInfo[] {
  const sampled = new Map(columnsOf(src, m).map((c) => [c.name, c]));
  const short = shortNames(man.columns.map((c) => c.name));
  return [
    { name: m.user!, role: 'user', type: 'string', distinct: Math.max(0, man.users - 1) },
    { name: m.time!, role: 'time', type: 'timestamp' },
    ...man.columns.map((c) => {
      const s = sampled.get(c.name);
      const distinct = c.distinct - 1;
      return {
        name: c.name,
        role: c.role,
        type: s?.type === 'number' ? ('number' as const) : ('string' as const),
        distinct,
        sample: s?.sample,
        ...(short.get(c.name) ? { short: short.get(c.name) } : {}),
        ...(c.role === 'segment' && distinct > 100 && (distinct >= 0.5 * man.rows || distinct >= man.users - 1) ? { highCardinality: true } : {}),
      };
    }),
  ];
}
