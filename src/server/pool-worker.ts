import { parentPort, workerData } from 'node:worker_threads';
import { IafaError, type CallName } from '../shared/contract';
import { createEngine } from '../core/services';
import type { PoolReply, PoolRequest, PoolWorkerData } from './pool';

/**
 * One worker of `iafa serve`'s pool: its own engine (its own SQLite connection, in WAL mode, and
 * its own dataset cache) on the server's data folder. It runs one call at a time; the server has
 * already validated the input and applied the route limits, so calls here skip them.
 */
const data = workerData as PoolWorkerData;
const engine = createEngine({ dataDir: data.dataDir, env: data.env });
const port = parentPort!;
const running = new Map<number, AbortController>();

function post(msg: PoolReply): void {
  port.postMessage(msg);
}

port.on('message', (msg: PoolRequest) => {
  if (msg.type === 'cancel') {
    running.get(msg.id)?.abort();
    return;
  }
  const controller = new AbortController();
  running.set(msg.id, controller);
  engine
    .dispatch(msg.name as CallName, msg.input, {
      unlimited: true,
      signal: controller.signal,
      onProgress: (event) => post({ type: 'progress', id: msg.id, event }),
    })
    .then(
      (output) => post({ type: 'result', id: msg.id, output }),
      (err) => post({ type: 'error', id: msg.id, error: IafaError.from(err).toPayload() }),
    )
    .finally(() => running.delete(msg.id));
});

post({ type: 'ready' });
