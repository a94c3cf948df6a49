import { eq } from 'drizzle-orm';
import fs from 'node:fs';
import path from 'node:path';
import { IafaError, type Fact } from '../../shared/contract';
import { readSettings } from './settings';
import type { AnalyzeParsed, DesignParsed, TableInput } from '../../shared/contract/experiments';
import { schema } from '../db';
import {
  analyzeFromAggregates,
  causalFromAggregates,
  designExperiment,
  parseCsv,
  runAnalysis,
  runCausal,
  type AggregateSource,
  type LoadedTables,
  type Table,
} from '../experiments';
import { isClickHouseUrl } from '../backends/clickhouse';
import type { DatasetBackend } from '../backends/types';
import { newId, nowIso } from '../ids';
import type { AppContext, HandlerGroup } from './context';
import { getDatasetRow } from './datasets';
import { getFunnel } from './funnels';
import { isWarehouseSource, withWarehouse } from './warehouse-datasets';
import { datasetFunnel, localBackendFor } from './backend-for';

/** Reads a CSV from this machine (CLI paths are relative to the working directory). */
export function readCsvFile(file: string): Table {
  const p = path.resolve(file);
  if (!fs.existsSync(p)) throw new IafaError('not_found', `No file at ${p}.`);
  return parseCsv(fs.readFileSync(p, 'utf8'));
}

function tableFrom(app: AppContext, datasetId: string | undefined, file: string | undefined, inline: TableInput | undefined): Table | undefined {
  if (inline) return inline;
  if (file) return readCsvFile(file);
  if (datasetId) return localBackendFor(app, datasetId).cells();
  return undefined;
}

/**
 * Event log + funnel + variant property: the funnel engine runs once per arm (filtered on the
 * variant column) and each stage becomes a metric.
 */
async function stagesFromEventLog(app: AppContext, input: AnalyzeParsed, signal: AbortSignal): Promise<AnalyzeParsed['stages']> {
  const datasetId = input.datasetId as string;
  if (!input.funnelId) throw new IafaError('validation', 'An event log needs a funnel (funnelId) whose stages become the metrics.');
  if (!input.variant_column || !input.control || !input.treatment)
    throw new IafaError('validation', 'An event log needs variant_column, control and treatment.');
  const def = getFunnel(app, input.funnelId).definition;
  const arm = (v: string) => datasetFunnel(app, datasetId, { ...def, include: { ...def.include, [input.variant_column as string]: [v] } }, signal);
  const c = await arm(input.control);
  const t = await arm(input.treatment);
  return { names: c.stages.map((s) => s.stage_name), control: c.stages.map((s) => s.users), treatment: t.stages.map((s) => s.users) };
}

function splitByVariant(
  t: Table,
  column: string | undefined,
  control: string | undefined,
  treatment: string | undefined,
): { control: Table; treatment: Table } | null {
  const v = column ? t.columns[column] : undefined;
  if (!v || !control || !treatment) return null;
  const arm = (value: string): Table => {
    const rows = v.flatMap((x, i) => (String(x) === value ? [i] : []));
    if (rows.length === 0) throw new IafaError('validation', `No rows have ${column} = "${value}" (values: ${[...new Set(v.map(String))].join(', ')}).`);
    return {
      columns: Object.fromEntries(
        Object.entries(t.columns)
          .filter(([k]) => k !== column)
          .map(([k, col]) => [k, rows.map((i) => col[i])]),
      ),
    };
  };
  return { control: arm(control), treatment: arm(treatment) };
}

export async function loadExperimentTables(app: AppContext, raw: AnalyzeParsed, signal: AbortSignal): Promise<{ loaded: LoadedTables; input: AnalyzeParsed }> {
  // The seed's funnel-scoped route (/analytics/:funnelId/experiment/...) names only the funnel: use its dataset.
  const noSource = !raw.datasetId && !raw.file && !raw.table && !raw.stages && !raw.control_datasetId && !raw.control_file && !raw.control_table;
  const input = noSource && raw.funnelId ? { ...raw, datasetId: getFunnel(app, raw.funnelId).datasetId } : raw;
  if (input.datasetId && !input.table && !input.file && getDatasetRow(app, input.datasetId).kind === 'event_log') {
    return { loaded: {}, input: { ...input, stages: await stagesFromEventLog(app, input, signal) } };
  }
  const table = tableFrom(app, input.datasetId, input.file, input.table);
  // One aggregated dataset holding both arms (a control + treatment pair imported together, with
  // a variant column): its rows split into the two exports the aggregated analysis compares.
  if (table && input.datasetId && !input.table && !input.file && getDatasetRow(app, input.datasetId).kind === 'aggregated') {
    const pair = splitByVariant(table, input.variant_column, input.control, input.treatment);
    if (pair) return { loaded: pair, input: { ...input, datasetId: undefined, control_datasetId: input.datasetId, variant_column: undefined } };
  }
  if (table) return { loaded: { table }, input };
  const control = tableFrom(app, input.control_datasetId, input.control_file, input.control_table);
  const treatment = tableFrom(app, input.treatment_datasetId, input.treatment_file, input.treatment_table);
  return { loaded: { control, treatment }, input };
}

/**
 * A backend as the source of a user-table read-out: its column names and its per-variant
 * aggregates. Only DatasetBackend's methods are used, so any backend reads an experiment out.
 */
async function backendSource(backend: Pick<DatasetBackend, 'describe' | 'experimentAggregates'>, signal: AbortSignal): Promise<AggregateSource> {
  const schema = await backend.describe({ signal });
  return { columns: schema.columns.map((c) => c.name), aggregates: (spec) => backend.experimentAggregates(spec, { signal }) };
}

/**
 * An imported user table read out from the column store's aggregates (the same per-variant
 * statistics a warehouse returns), when the request names only that dataset: no file, no inline
 * table, a variant column. Other shapes (aggregated exports, event logs, files) keep their paths.
 */
function localAggregateBackend(app: AppContext, input: AnalyzeParsed): DatasetBackend | null {
  if (!input.datasetId || input.file || input.table || input.stages || !input.variant_column) return null;
  if (getDatasetRow(app, input.datasetId).kind !== 'user_table') return null;
  return localBackendFor(app, input.datasetId);
}

/**
 * The read-out (analyze or causal) of a user table on a backend: a warehouse table (a clickhouse://
 * URL or a saved warehouse dataset) or an imported user table; null for every other input.
 */
async function fromAggregates<T>(
  app: AppContext,
  input: AnalyzeParsed,
  signal: AbortSignal,
  run: (src: AggregateSource, provenance: Fact['provenance']) => Promise<T>,
): Promise<T | null> {
  const warehouse = [input.file, input.datasetId].find((x) => x !== undefined && isWarehouseSource(app, x));
  if (warehouse) {
    // A warehouse table is read out on the server: only per-variant aggregates come back.
    return withWarehouse(app, warehouse, async (b) =>
      run(await backendSource(b, signal), {
        ...(isClickHouseUrl(warehouse) ? {} : { datasetId: warehouse }),
        note: `${b.kind}: ${b.conn.target.database}.${b.conn.target.table}`,
      }),
    );
  }
  const local = localAggregateBackend(app, input);
  return local ? run(await backendSource(local, signal), provenance(input)) : null;
}

type JsonField = 'designJson' | 'analysisJson' | 'causalJson';

/** Upserts the experiment row; references to a funnel or dataset are kept only when they exist. */
function saveExperiment(
  app: AppContext,
  o: { id?: string; name: string; hypothesis?: string; funnelId?: string; datasetId?: string; field: JsonField; json: unknown },
): string {
  const exists = (table: typeof schema.funnels | typeof schema.datasets, id?: string) =>
    id ? Boolean(app.db.select({ id: table.id }).from(table).where(eq(table.id, id)).get()) : false;
  const funnelId = exists(schema.funnels, o.funnelId) ? o.funnelId : null;
  const datasetId = exists(schema.datasets, o.datasetId) ? o.datasetId : null;
  const now = nowIso();
  const status = o.field === 'designJson' ? 'designed' : 'analyzed';
  const current = o.id ? app.db.select().from(schema.experiments).where(eq(schema.experiments.id, o.id)).get() : undefined;
  if (current) {
    app.db
      .update(schema.experiments)
      .set({ [o.field]: JSON.stringify(o.json), status, updatedAt: now, ...(funnelId ? { funnelId } : {}), ...(datasetId ? { datasetId } : {}) })
      .where(eq(schema.experiments.id, current.id))
      .run();
    return current.id;
  }
  const id = o.id ?? newId('exp');
  app.db
    .insert(schema.experiments)
    .values({
      id,
      funnelId,
      datasetId,
      name: o.name,
      hypothesis: o.hypothesis ?? null,
      [o.field]: JSON.stringify(o.json),
      status,
      createdAt: now,
      updatedAt: now,
    })
    .run();
  return id;
}

function provenance(input: { datasetId?: string; funnelId?: string; file?: string; control_file?: string }): Fact['provenance'] {
  const note = input.file ?? input.control_file;
  return {
    ...(input.datasetId ? { datasetId: input.datasetId } : {}),
    ...(input.funnelId ? { funnelId: input.funnelId } : {}),
    ...(note ? { note: `file: ${path.basename(note)}` } : {}),
  };
}

function metricLabel(input: AnalyzeParsed): string {
  const m = input.metrics[0];
  const name = m === undefined ? 'experiment' : typeof m === 'string' ? m : (m.name ?? `${m.numerator}/${m.denominator}`);
  return `${name}: ${input.treatment ?? 'treatment'} vs ${input.control ?? 'control'}`;
}

/** Design from a saved funnel: its overall conversion is the baseline when none is given. */
async function withFunnelBaseline(app: AppContext, input: DesignParsed, signal: AbortSignal): Promise<DesignParsed> {
  if (!input.funnelId || input.metric_type !== 'rate' || input.baseline_rate !== undefined || input.current_metrics?.overall_conversion_rate !== undefined)
    return input;
  const f = getFunnel(app, input.funnelId);
  const r = await datasetFunnel(app, f.datasetId, f.definition, signal);
  return {
    ...input,
    current_metrics: { ...input.current_metrics, overall_conversion_rate: r.overall_conversion_rate },
    primary_metric: input.primary_metric ?? `${f.name}: overall conversion`,
  };
}

export function experimentHandlers(app: AppContext): HandlerGroup<'experiment:design' | 'experiment:analyze' | 'experiment:causal'> {
  return {
    'experiment:design': async (raw, ctx) => {
      const input = await withFunnelBaseline(app, raw, ctx.signal);
      // The id is decided first so the stored JSON and the returned one carry the same id.
      const id = input.save ? (input.experiment_id ?? newId('exp')) : (input.experiment_id ?? null);
      const res = designExperiment(input, { experimentId: id, provenance: input.funnelId ? { funnelId: input.funnelId } : {} });
      if (input.save) {
        saveExperiment(app, {
          id: id as string,
          name: input.name ?? input.hypothesis?.slice(0, 200) ?? `Design: ${res.experiment_design.primary_metric.name}`,
          hypothesis: input.hypothesis,
          funnelId: input.funnelId,
          field: 'designJson',
          json: res,
        });
      }
      return res;
    },
    'experiment:analyze': async (raw, ctx) => {
      const id = raw.save ? (raw.experiment_id ?? newId('exp')) : (raw.experiment_id ?? null);
      const engine = raw.engine ?? readSettings(app).experiments.engine;
      const viaBackend = await fromAggregates(app, raw, ctx.signal, (src, prov) =>
        analyzeFromAggregates(src, { ...raw, engine }, { experimentId: id, provenance: prov }),
      );
      let input = raw;
      let res = viaBackend;
      if (!res) {
        const loaded = await loadExperimentTables(app, raw, ctx.signal);
        input = loaded.input;
        res = runAnalysis({ ...input, engine: input.engine ?? engine }, loaded.loaded, { experimentId: id, provenance: provenance(input) });
      }
      if (input.save)
        saveExperiment(app, {
          id: id as string,
          name: input.name ?? metricLabel(input),
          funnelId: input.funnelId,
          datasetId: input.datasetId ?? input.control_datasetId,
          field: 'analysisJson',
          json: res,
        });
      return res;
    },
    'experiment:causal': async (raw, ctx) => {
      const id = raw.save ? (raw.experiment_id ?? newId('exp')) : (raw.experiment_id ?? null);
      const engine = raw.engine ?? readSettings(app).experiments.engine;
      // Balance, temporal and segment checks from per-variant aggregates where the backend has them.
      const viaBackend = await fromAggregates(app, raw, ctx.signal, (src, prov) =>
        causalFromAggregates(src, { ...raw, engine }, { experimentId: id, provenance: prov }),
      );
      let input: typeof raw = raw;
      let res = viaBackend;
      if (!res) {
        const loaded = await loadExperimentTables(app, raw, ctx.signal);
        input = { ...raw, ...loaded.input };
        res = runCausal({ ...input, engine: input.engine ?? engine }, loaded.loaded, { experimentId: id, provenance: provenance(input) });
      }
      if (raw.save)
        saveExperiment(app, {
          id: id as string,
          name: raw.name ?? metricLabel(input),
          funnelId: raw.funnelId,
          datasetId: raw.datasetId ?? raw.control_datasetId,
          field: 'causalJson',
          json: res,
        });
      return res;
    },
  };
}
