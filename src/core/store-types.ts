/**
 * The shape of an imported dataset's columns, shared by the module that writes them
 * (import/) and the one that reads them (funnel/), so neither imports the other. The local
 * backend (backends/local) joins the two: it opens what import/ stored and runs funnel/ on it.
 *
 * On-disk layout of a dataset folder:
 *   manifest.json        kind, row count, columns, aggregated data (small)
 *   time.f64             event time, epoch ms, rows sorted by (user, time)
 *   user_start.u32       row offset of each user (users+1 entries): rows are grouped by user
 *   users.json           user ids by code
 *   c<i>.codes           dictionary codes of column i (1, 2 or 4 bytes each)
 *   c<i>.json            the dictionary: distinct values by code, code 0 = empty; or, for an
 *                        id-like column (more than 65,536 values), c<i>.ids, the values' bytes
 *                        back to back, and c<i>.lens, their lengths (1, 2 or 4 bytes each)
 */
export type Codes = Uint8Array | Uint16Array | Uint32Array;

export interface StoredColumn {
  name: string;
  role: string;
  width: 1 | 2 | 4;
  file: string;
  dictFile: string;
  /** With a dictFile of bytes (c<i>.ids): the file of the values' lengths, and their width. */
  lensFile?: string;
  lensWidth?: 1 | 2 | 4;
  /** With `repeats`, at most this many: the count of stored values, some of which may be equal. */
  distinct: number;
  /** The dictionary may hold a value twice (an id-like column stored unhashed): folded when read. */
  repeats?: boolean;
}

export interface AggregatedData {
  stages: string[];
  dateColumn: string | null;
  segmentColumns: string[];
  rows: { date: string | null; segments: string[]; counts: (number | null)[] }[];
  /** The seed JSON's own per-segment stage counts, used when breaking down by that column. */
  preset?: { by: string; values: Record<string, number[]> };
}

export interface StoreManifest {
  version: 1;
  kind: 'event_log' | 'aggregated' | 'user_table';
  rows: number;
  users: number;
  timeMin: number | null;
  timeMax: number | null;
  eventColumn: string | null;
  columns: StoredColumn[];
  aggregated?: AggregatedData;
}

export interface LoadedColumn {
  codes: Codes;
  dict: string[];
  /** Code of each value, built on first use for filters. */
  index(): Map<string, number>;
}

/** What the funnel engine reads of an opened dataset (import/store.ts's ColumnStore is one). */
export interface ColumnSource {
  readonly manifest: StoreManifest;
  readonly time: Float64Array;
  readonly userStart: Uint32Array;
  has(name: string): boolean;
  resolve(name: string): string;
  column(name: string): LoadedColumn;
}
