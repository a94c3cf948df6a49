import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { IafaError, type ErrorPayload } from '../shared/contract';
import type { SecretStore, SecretStoreKind } from '../core/secrets';

/**
 * What a pool worker borrows from the thread that started it. The desktop app keeps its secrets
 * under Electron's safeStorage and prints PDFs with its own Chromium: neither exists in a worker
 * thread (no electron there), so the worker asks the main thread. `iafa serve` lends nothing: its
 * workers open the same OS secret store and headless Chromium themselves.
 */
export interface ParentServices {
  secrets?: SecretStore;
  printPdf?: (html: string, opts: { paper: 'A4' | 'Letter'; signal: AbortSignal }) => Promise<Buffer>;
}

/** Sent to the worker in its workerData (the port is transferred). */
export interface SecretLink {
  kind: SecretStoreKind;
  warning: string | null;
  port: MessagePort;
  /** One Int32: 0 while a request waits, 1 once its answer is on the port. */
  flag: SharedArrayBuffer;
}

type SecretRequest = { op: 'get'; name: string } | { op: 'set'; name: string; value: string };
type SecretReply = { value: string } | { error: ErrorPayload };

/**
 * The main thread's side: answers a worker's secret lookups. Lookups are synchronous for the
 * worker (SecretStore.get is), so the answer goes on the port and then wakes the waiting worker.
 */
export function lendSecrets(store: SecretStore): { link: SecretLink; close(): void } {
  const { port1, port2 } = new MessageChannel();
  const flag = new SharedArrayBuffer(4);
  const cell = new Int32Array(flag);
  port1.on('message', (msg: SecretRequest) => {
    let reply: SecretReply;
    try {
      if (msg.op === 'set') store.set(msg.name, msg.value);
      reply = { value: msg.op === 'get' ? store.get(msg.name) : '' };
    } catch (e) {
      reply = { error: IafaError.from(e).toPayload() };
    }
    port1.postMessage(reply);
    Atomics.store(cell, 0, 1);
    Atomics.notify(cell, 0);
  });
  // The pool's workers keep the process alive, not this port.
  port1.unref();
  return { link: { kind: store.kind, warning: store.warning, port: port2, flag }, close: () => port1.close() };
}

/** The worker's side: a SecretStore that asks the main thread, blocking this worker (never the main thread) for the answer. */
export function borrowedSecrets(link: SecretLink): SecretStore {
  const cell = new Int32Array(link.flag);
  const ask = (msg: SecretRequest): string => {
    Atomics.store(cell, 0, 0);
    link.port.postMessage(msg);
    if (Atomics.wait(cell, 0, 0, 10_000) === 'timed-out') throw new IafaError('internal', 'The app did not answer a secret lookup within 10 s.');
    const reply = receiveMessageOnPort(link.port)?.message as SecretReply | undefined;
    if (!reply) throw new IafaError('internal', 'A secret lookup got no answer from the app.');
    if ('error' in reply) throw IafaError.fromPayload(reply.error);
    return reply.value;
  };
  return {
    kind: link.kind,
    warning: link.warning,
    get: (name) => ask({ op: 'get', name }),
    set: (name, value) => void ask({ op: 'set', name, value }),
  };
}
