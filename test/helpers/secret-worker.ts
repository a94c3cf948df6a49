import { parentPort, workerData } from 'node:worker_threads';
import { borrowedSecrets, type SecretLink } from '../../src/server/pool-parent';

// A worker thread that reads and writes secrets through the store its parent lent it.
const store = borrowedSecrets((workerData as { link: SecretLink }).link);
const before = store.get('openai-api-key');
store.set('warehouse-ds-1', 'pw-from-worker');
let error = '';
try {
  store.get('unreadable');
} catch (e) {
  error = (e as Error).message;
}
parentPort!.postMessage({ kind: store.kind, before, error });
