import { IafaError } from '../../../shared/contract';
import type { ColumnStore } from '../../import/store';
import type { CallOptions, ExperimentAggregateSpec, ExperimentAggregates } from '../types';

/**
 * Per-variant aggregates of an imported user table. Written on branch h-exp; this placeholder
 * only keeps the local backend's signature in place until that branch is merged.
 */
export function storeExperimentAggregates(store: ColumnStore, spec: ExperimentAggregateSpec, o?: CallOptions): Promise<ExperimentAggregates> {
  void store;
  void spec;
  void o;
  return Promise.reject(new IafaError('internal', 'Experiment aggregates over an imported dataset are not implemented on this branch (they come with branch h-exp).', { reason: 'unsupported' }));
}
