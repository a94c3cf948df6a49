import type { Worker } from 'node:worker_threads';

/**
 * One worker thread kept after an import (the import's first parse worker, already started and
 * loaded) to take half of the large loops that follow: the chunk merge's copies and the funnel
 * pass. The calling thread hands it a job, does its own half, then blocks on a shared flag until
 * the helper is done: the work stays synchronous for the caller, and each thread touches its
 * own half of the (shared) arrays. Any failure or delay and the caller does the helper's half
 * itself: the helper only ever makes things faster.
 */

/** A job's message; its arrays must live in SharedArrayBuffers (copies would defeat the purpose). */
export interface HelperJob {
  type: string;
  [key: string]: unknown;
}

const WAIT_MS = 60_000;

/** Below this many rows, work is not split with the helper: posting the job costs more. (Tests lower it.) */
export const splitLimits = { minRows: 1 << 20 };
let helper: Worker | null = null;

/** Keeps `w` (an idle worker that understands helper jobs) unless a helper is already kept; false if not kept. */
export function adoptHelper(w: Worker): boolean {
  if (helper) return false;
  helper = w;
  // An idle helper must not keep the process alive (the CLI exits when its work is done).
  w.unref();
  w.once('exit', () => {
    if (helper === w) helper = null;
  });
  w.once('error', () => dropHelper(w));
  return true;
}

function dropHelper(w: Worker): void {
  if (helper === w) helper = null;
  void w.terminate();
}

/**
 * How to start a helper when none is kept (set by the import module, which owns the worker
 * script): a reopened large dataset wants one too, or its funnels would run on one thread.
 */
let starter: (() => Worker | null) | null = null;

export function setHelperStarter(start: () => Worker | null): void {
  starter = start;
}

/** Starts and keeps a helper if there is none (it boots in the background; jobs wait in its queue). */
export function wantHelper(): void {
  if (helper || !starter) return;
  const w = starter();
  if (w) adoptHelper(w);
}

export function hasHelper(): boolean {
  return helper !== null;
}

/** Whether work on `rows` rows over these arrays goes to the helper: it exists, and the work is large and in shared memory. */
export function canSplit(rows: number, ...arrays: ArrayBufferView[]): boolean {
  return helper !== null && rows >= splitLimits.minRows && arrays.every((a) => a.buffer instanceof SharedArrayBuffer);
}

/**
 * Runs `mine` here and `job` (the other part) on the helper. Without a job, or when the helper
 * fails or does not answer (it is then dropped), `theirs` runs here instead: either way both
 * parts are done when this returns. True when the helper did its part.
 */
export function runSplit(job: HelperJob | null, mine: () => void, theirs: () => void): boolean {
  const w = job ? helper : null;
  if (!w) {
    mine();
    theirs();
    return false;
  }
  const flag = new Int32Array(new SharedArrayBuffer(4));
  w.postMessage({ ...job, flag });
  mine();
  let waited: string;
  try {
    waited = Atomics.wait(flag, 0, 0, WAIT_MS);
  } catch {
    // A thread that may not block (a browser-like main thread): no helper here, ever. This
    // thread redoes the helper's part; if the helper is still at it, both write the same values.
    waited = 'cannot-wait';
  }
  if (waited === 'timed-out' || waited === 'cannot-wait' || Atomics.load(flag, 0) !== 1) {
    dropHelper(w);
    theirs();
    return false;
  }
  return true;
}

/** The helper's side: runs a job and sets its flag (1 done, 2 failed), waking the caller. */
export function finishJob(flag: Int32Array, run: () => void): void {
  let status = 1;
  try {
    run();
  } catch {
    status = 2;
  }
  Atomics.store(flag, 0, status);
  Atomics.notify(flag, 0);
}
