import type { Worker } from 'node:worker_threads';

/**
 * A worker thread kept to take half of a large loop: the import keeps its first parse worker
 * (already started and loaded) for the chunk merge's copies, and the local backend keeps its
 * own for the funnel pass (backends/local/pass-thread.ts). The calling thread hands it a job,
 * does its own half, then blocks on a shared flag until the helper is done: the work stays
 * synchronous for the caller, and each thread touches its own half of the (shared) arrays. Any
 * failure or delay and the caller does the helper's half itself: the helper only ever makes
 * things faster.
 */

/** A job's message; its arrays must live in SharedArrayBuffers (copies would defeat the purpose). */
export interface HelperJob {
  type: string;
  [key: string]: unknown;
}

const WAIT_MS = 60_000;

/** Below this many rows, work is not split with a helper: posting the job costs more. (Tests lower it.) */
export const splitLimits = { minRows: 1 << 20 };

/** Who may take half of a large loop: a kept helper thread, or nobody (then everything runs here). */
export interface Splitter {
  /** Whether work on `rows` rows over these arrays goes to the helper: it exists, and the work is large and in shared memory. */
  canSplit(rows: number, ...arrays: ArrayBufferView[]): boolean;
  /**
   * Runs `mine` here and `job` (the other part) on the helper. Without a job, or when the helper
   * fails or does not answer (it is then dropped), `theirs` runs here instead: either way both
   * parts are done when this returns. True when the helper did its part.
   */
  runSplit(job: HelperJob | null, mine: () => void, theirs: () => void): boolean;
}

/** One kept helper thread. The import keeps one (below); the local backend keeps its own for funnel passes. */
export class HelperThread implements Splitter {
  private helper: Worker | null = null;

  /** Keeps `w` (an idle worker that understands helper jobs) unless a helper is already kept; false if not kept. */
  adopt(w: Worker): boolean {
    if (this.helper) return false;
    this.helper = w;
    // An idle helper must not keep the process alive (the CLI exits when its work is done).
    w.unref();
    w.once('exit', () => {
      if (this.helper === w) this.helper = null;
    });
    w.once('error', () => this.drop(w));
    return true;
  }

  private drop(w: Worker): void {
    if (this.helper === w) this.helper = null;
    void w.terminate();
  }

  has(): boolean {
    return this.helper !== null;
  }

  canSplit(rows: number, ...arrays: ArrayBufferView[]): boolean {
    return this.helper !== null && rows >= splitLimits.minRows && arrays.every((a) => a.buffer instanceof SharedArrayBuffer);
  }

  runSplit(job: HelperJob | null, mine: () => void, theirs: () => void): boolean {
    const w = job ? this.helper : null;
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
      this.drop(w);
      theirs();
      return false;
    }
    return true;
  }
}

/** The import's helper: its first parse worker, kept for the chunk merge's copies. */
const importHelper = new HelperThread();

export function adoptHelper(w: Worker): boolean {
  return importHelper.adopt(w);
}

export function hasHelper(): boolean {
  return importHelper.has();
}

export function canSplit(rows: number, ...arrays: ArrayBufferView[]): boolean {
  return importHelper.canSplit(rows, ...arrays);
}

export function runSplit(job: HelperJob | null, mine: () => void, theirs: () => void): boolean {
  return importHelper.runSplit(job, mine, theirs);
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
