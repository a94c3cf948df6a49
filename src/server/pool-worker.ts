import fs from 'node:fs';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { IafaError, type CallName } from '../shared/contract';
import { createEngine } from '../core/services';
import { setAppRoot } from '../core/paths';
import type { PoolReply, PoolRequest, PoolWorkerData } from './pool';
import { borrowedSecrets } from './pool-parent';

/**
 * One worker of `iafa serve`'s pool: its own engine (its own SQLite connection, in WAL mode, and
 * its own dataset cache) on the server's data folder. It runs one call at a time; the server has
 * already validated the input and applied the route limits, so calls here skip them.
 */
const data = workerData as PoolWorkerData;
lowerPriority(Number(data.env.IAFA_WORKER_NICE ?? 10));
if (data.appRoot) setAppRoot(data.appRoot);
const port = parentPort!;
const running = new Map<number, AbortController>();
const printing = new Map<number, { resolve: (pdf: Buffer) => void; reject: (e: Error) => void }>();
let nextPrint = 1;
const engine = createEngine({
  dataDir: data.dataDir,
  env: data.env,
  secrets: data.secrets ? borrowedSecrets(data.secrets) : undefined,
  printPdf: data.pdf
    ? (html, { paper }) =>
        new Promise<Buffer>((resolve, reject) => {
          const pid = nextPrint++;
          printing.set(pid, { resolve, reject });
          post({ type: 'pdf', pid, html, paper });
        })
    : undefined,
});

function post(msg: PoolReply): void {
  port.postMessage(msg);
}

port.on('message', (msg: PoolRequest) => {
  if (msg.type === 'cancel') {
    running.get(msg.id)?.abort();
    return;
  }
  if (msg.type === 'pdf-done') {
    const p = printing.get(msg.pid);
    printing.delete(msg.pid);
    if (msg.pdf) p?.resolve(Buffer.from(msg.pdf));
    else p?.reject(IafaError.fromPayload(msg.error ?? { kind: 'internal', message: 'The PDF was not printed.' }));
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

/**
 * On Linux a thread has its own nice value: this worker (and the threads it starts, which inherit
 * it) yields the CPU to the thread that answers HTTP, so health checks and cancels stay quick
 * when the cores are busy. Elsewhere, or if refused, it keeps the normal priority.
 */
function lowerPriority(nice: number): void {
  if (process.platform !== 'linux' || !Number.isInteger(nice) || nice <= 0) return;
  try {
    const tid = Number(/task\/(\d+)$/.exec(fs.readlinkSync('/proc/thread-self'))?.[1]);
    if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, Math.min(19, Math.max(os.getPriority(tid), nice)));
  } catch {
    // not permitted or no /proc: run at the normal priority
  }
}
