import { IafaError, type FunnelDefinition, type FunnelResult, type SuggestedFunnel } from '../../../shared/contract';
import { commonEventPath } from '../../funnel/common-path';
import { computeFunnel } from '../../funnel';
import { StoreCache, type ColumnStore } from '../../import/store';
import type { BackendSchema, CallOptions, DatasetBackend, EventCount, ExperimentAggregateSpec, ExperimentAggregates, PropertyInfo, ValueCount } from '../types';
import { describeStore, storeEvents, storeProperties, storePropertyValues, type RoleNames } from './columns';
import { storeExperimentAggregates } from './experiment';
import { storeCells } from './table';
import type { Table } from '../../experiments';
import { splitLimits } from '../../helper-thread';
import { funnelThreads, startFunnelThread } from './pass-thread';

export { hasFunnelThread } from './pass-thread';

/** An event row of a CSV takes at least this many bytes (user, time, event and delimiters). */
const MIN_BYTES_PER_ROW = 16;

/**
 * An imported dataset (the column store under <data dir>/datasets/<id>) as a DatasetBackend.
 * The store is opened through a shared cache (LocalDatasets), so a backend is a cheap handle:
 * make one per call and close it. The computing is synchronous on this thread (and the funnel
 * helper thread, for large funnels on a fresh import); each method first yields one turn of the
 * event loop, so a cancel that arrived meanwhile is seen, then checks its signal.
 */
export class LocalBackend implements DatasetBackend {
  readonly kind = 'local';
  private closed = false;

  constructor(
    readonly datasetId: string,
    private readonly open: () => ColumnStore,
    private readonly names: RoleNames = {},
  ) {}

  get label(): string {
    return `dataset ${this.datasetId}`;
  }

  /** The opened store (the bench and this backend's helpers; services use the methods). */
  store(): ColumnStore {
    if (this.closed) throw new IafaError('internal', `The backend of dataset ${this.datasetId} is closed.`);
    return this.open();
  }

  private async ready(o: CallOptions, note: string): Promise<ColumnStore> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (o.signal?.aborted) throw new IafaError('cancelled', 'The operation was cancelled.');
    const store = this.store();
    o.onProgress?.(0, note);
    return store;
  }

  private done<T>(o: CallOptions, value: T): T {
    o.onProgress?.(1);
    return value;
  }

  async describe(o: CallOptions = {}): Promise<BackendSchema> {
    return this.done(o, describeStore(await this.ready(o, 'reading the manifest'), this.names));
  }

  async funnel(def: FunnelDefinition, o: CallOptions = {}): Promise<FunnelResult> {
    const store = await this.ready(o, 'computing the funnel');
    return this.done(o, computeFunnel(store, def, this.datasetId, funnelThreads(store)));
  }

  async events(o: CallOptions & { limit?: number } = {}): Promise<EventCount[]> {
    return this.done(o, storeEvents(await this.ready(o, 'counting events'), o.limit ?? 1000));
  }

  async properties(o: CallOptions = {}): Promise<PropertyInfo[]> {
    return this.done(o, storeProperties(await this.ready(o, 'counting values')));
  }

  async propertyValues(column: string, o: CallOptions & { limit?: number } = {}): Promise<ValueCount[]> {
    return this.done(o, storePropertyValues(await this.ready(o, 'counting values'), column, o.limit ?? 100));
  }

  async experimentAggregates(spec: ExperimentAggregateSpec, o: CallOptions = {}): Promise<ExperimentAggregates> {
    return storeExperimentAggregates(await this.ready(o, 'aggregating the variants'), spec, o);
  }

  /** A user table's or aggregated export's cells (storeCells), for the read-outs that take a table. */
  cells(): Table {
    return storeCells(this.store());
  }

  /** The most common event path, as a first funnel (datasets:suggest-funnel). */
  async commonEventPath(o: CallOptions = {}): Promise<SuggestedFunnel> {
    return this.done(o, commonEventPath(await this.ready(o, 'finding the common path')));
  }

  async close(): Promise<void> {
    // The store stays in the shared cache for the next call; this handle is done.
    this.closed = true;
  }
}

/** The imported datasets of one data folder: a few kept open (LRU), so re-filtering skips the disk. */
export class LocalDatasets {
  private readonly cache: StoreCache;

  constructor(maxOpen = 4) {
    this.cache = new StoreCache(maxOpen);
  }

  /** A backend over the dataset stored in `dir`, opened on its first call. */
  backend(datasetId: string, dir: string, names: RoleNames = {}): LocalBackend {
    return new LocalBackend(
      datasetId,
      () => {
        const store = this.cache.get(datasetId, dir);
        // A reopened large event log reads its columns into shared memory (ColumnStore.open):
        // its funnels split their pass like a fresh import's, so the helper boots now.
        if (store.manifest.kind === 'event_log' && store.manifest.rows >= splitLimits.minRows) startFunnelThread();
        return store;
      },
      names,
    );
  }

  /**
   * A file of `bytes` has had its rows read (ImportEnv.onRowsRead): when it is large enough for
   * its funnels to be split, the funnel helper thread is started now, behind the merge and the
   * writes, since a thread takes about 60 ms to start and the first funnel follows the import
   * at once. (Started with the import, it slowed the parse workers' own start.)
   */
  prepareImport(bytes: number): void {
    if (bytes >= splitLimits.minRows * MIN_BYTES_PER_ROW) startFunnelThread();
  }

  /**
   * An import hands over the columns it still has in memory: the first funnel reads nothing back
   * from disk. A large one (in shared memory) gets the funnel helper thread started now, so the
   * first funnel does not wait for it.
   */
  adopt(datasetId: string, store: ColumnStore): void {
    this.cache.put(datasetId, store);
    if (store.manifest.kind === 'event_log' && store.time.buffer instanceof SharedArrayBuffer) startFunnelThread();
  }
}
