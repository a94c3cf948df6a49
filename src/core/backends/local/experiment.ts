import { IafaError } from '../../../shared/contract';
import { tableExperimentAggregates, type Table } from '../../experiments';
import type { ColumnStore } from '../../import';
import type { CallOptions, ExperimentAggregateSpec, ExperimentAggregates } from '../types';

/**
 * DatasetBackend.experimentAggregates on the local column store: the columns the spec names are
 * read from their dictionaries (empty cells → null, as the CSV reader gives them) and the same
 * per-variant sufficient statistics a warehouse computes in SQL are computed here, in row order,
 * two-pass (tableExperimentAggregates). Only those statistics leave this function.
 */
export async function storeExperimentAggregates(store: ColumnStore, spec: ExperimentAggregateSpec, o: CallOptions = {}): Promise<ExperimentAggregates> {
  const m = store.manifest;
  if (m.kind !== 'user_table') {
    throw new IafaError(
      'validation',
      `Experiment aggregates need a user-level table (one row per unit); this dataset is ${m.kind === 'event_log' ? 'an event log: analyze it with a funnel and the variant property' : 'an aggregated export'}.`,
    );
  }
  o.signal?.throwIfAborted();
  o.onProgress?.(0, 'reading columns');
  const names = new Set([
    spec.variantColumn,
    ...spec.metrics,
    ...(spec.joints ?? []).flat(),
    ...(spec.segmentBy ?? []),
    ...(spec.balanceBy ?? []),
    ...(spec.stageColumns ?? []),
    ...(spec.dateColumn ? [spec.dateColumn] : []),
  ]);
  const columns: Table['columns'] = {};
  // Every column is named, in the table's order (a message listing the columns lists them all);
  // only the ones the spec uses are read.
  for (const { name } of m.columns) {
    if (!names.has(name)) {
      columns[name] = [];
      continue;
    }
    const col = store.column(name);
    const values = new Array<string | null>(col.codes.length);
    for (let i = 0; i < col.codes.length; i++) {
      const v = col.dict[col.codes[i]];
      values[i] = v === undefined || v === '' ? null : v;
    }
    columns[name] = values;
  }
  o.signal?.throwIfAborted();
  const out = tableExperimentAggregates({ columns }, spec);
  o.onProgress?.(1);
  return out;
}
