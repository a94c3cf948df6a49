import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { schema } from '../db';
import { nowIso } from '../ids';
import { importFiles, MAX_COLUMNS, previewAny, reserveImportThreads } from '../import';
import { localDatasets } from './backend-for';
import type { AppContext, HandlerGroup } from './context';
import { toDataset } from './datasets';

/** The size of the file to import (0 when it is not a plain file: the sample, a folder, a typo reported by the import). */
function fileBytes(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** IAFA_IMPORT_MEMORY_MB caps what one import may hold in memory; default half the RAM, at most 8 GB. */
export function importBudgetBytes(env: NodeJS.ProcessEnv): number {
  const mbEnv = Number(env.IAFA_IMPORT_MEMORY_MB);
  if (Number.isFinite(mbEnv) && mbEnv > 0) return mbEnv * 1048576;
  return Math.min(os.totalmem() / 2, 8 * 1024 ** 3);
}

/** IAFA_IMPORT_PARALLEL_MIN_MB: files at least this big are read by worker threads (default: the importer's). */
function parallelMinBytes(env: NodeJS.ProcessEnv): number | undefined {
  const minMb = Number(env.IAFA_IMPORT_PARALLEL_MIN_MB);
  return Number.isFinite(minMb) && env.IAFA_IMPORT_PARALLEL_MIN_MB ? minMb * 1048576 : undefined;
}

/** IAFA_MAX_COLUMNS: files with more columns are refused (default MAX_COLUMNS). */
export function importMaxColumns(env: NodeJS.ProcessEnv): number {
  const n = Number(env.IAFA_MAX_COLUMNS);
  return Number.isInteger(n) && n > 0 ? n : MAX_COLUMNS;
}

export function importHandlers(app: AppContext): HandlerGroup<'datasets:import' | 'datasets:preview'> {
  return {
    'datasets:preview': async (input) => {
      const preview = await previewAny(input, importBudgetBytes(app.env), importMaxColumns(app.env));
      // Its import usually follows: the threads that will read it, and the funnel helper its first
      // funnel will want, start while the preview is read (none for a small file).
      void reserveImportThreads(preview, { parallelMinBytes: parallelMinBytes(app.env) });
      if (preview.kind === 'event_log') localDatasets(app).prepareImport(preview.sizeBytes);
      return preview;
    },
    'datasets:import': async (input, ctx) => {
      const bytes = fileBytes(input.path);
      const out = await importFiles(input, {
        dataDir: app.dataDir,
        budgetBytes: importBudgetBytes(app.env),
        maxColumns: importMaxColumns(app.env),
        signal: ctx.signal,
        progress: ctx.progress,
        parallelMinBytes: parallelMinBytes(app.env),
        jsonParallel: app.env.IAFA_IMPORT_JSON_PARALLEL !== '0',
        onRowsRead: () => localDatasets(app).prepareImport(bytes),
      });
      const name =
        input.name ??
        (input.path === 'sample' ? 'Pinterest sample' : path.basename(input.path).replace(/(\.(csv|tsv|txt|json|ndjson|jsonl|parquet))?(\.(gz|zip))?$/i, ''));
      const row = {
        id: out.id,
        name,
        kind: out.kind,
        format: out.format,
        sourceName: out.sourceName,
        sourceBytes: out.sourceBytes,
        rowCount: out.rowCount,
        userCount: out.userCount,
        columnsJson: JSON.stringify(out.columns),
        mappingJson: JSON.stringify(out.mapping),
        warningsJson: JSON.stringify(out.warnings),
        eventsJson: JSON.stringify(out.events),
        timeStart: out.timeRange?.start ?? null,
        timeEnd: out.timeRange?.end ?? null,
        storePath: out.id,
        createdAt: nowIso(),
      };
      let dataset: ReturnType<typeof toDataset>;
      try {
        if (ctx.signal.aborted) throw new Error('cancelled');
        // Checked before the insert: a row the contract cannot read back would break every
        // later datasets:list, so such an import must leave nothing behind.
        dataset = toDataset(row);
        app.db.insert(schema.datasets).values(row).run();
      } catch (err) {
        fs.rmSync(out.dir, { recursive: true, force: true });
        throw err;
      }
      // The first funnel (the Dashboard opens one right away) reads nothing back from disk.
      if (out.store) localDatasets(app).adopt(out.id, out.store);
      return dataset;
    },
  };
}
