import { IafaError } from '../../../shared/contract';
import type { Table } from '../../experiments';
import type { ColumnStore } from '../../import/store';

/**
 * An imported user table or aggregated export as columns of cells (empty cells → null), for the
 * read-outs that take a whole table (aggregated exports, a control/treatment pair of files).
 * An event log's rows are never handed out: its analyses go through the funnel.
 */
export function storeCells(store: ColumnStore): Table {
  const m = store.manifest;
  const columns: Record<string, (string | number | null)[]> = {};
  if (m.kind === 'user_table') {
    for (const c of m.columns) {
      const col = store.column(c.name);
      const values = new Array<string | null>(col.codes.length);
      for (let i = 0; i < col.codes.length; i++) {
        const v = col.dict[col.codes[i]];
        values[i] = v === undefined || v === '' ? null : v;
      }
      columns[c.name] = values;
    }
    return { columns };
  }
  if (m.kind === 'aggregated' && m.aggregated) {
    const a = m.aggregated;
    if (a.dateColumn) columns[a.dateColumn] = a.rows.map((r) => r.date);
    a.segmentColumns.forEach((s, j) => (columns[s] = a.rows.map((r) => r.segments[j] ?? null)));
    a.stages.forEach((s, k) => (columns[s] = a.rows.map((r) => r.counts[k] ?? null)));
    return { columns };
  }
  throw new IafaError(
    'validation',
    'This dataset is an event log: analyze it with a funnel (funnelId) and the variant property (variant_column, control, treatment).',
  );
}
