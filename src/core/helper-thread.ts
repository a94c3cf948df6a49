import type { Worker } from 'node:worker_threads';

/**
 * A worker thread kept to share a large loop: the import keeps its first parse worker (already
 * started and loaded) for the chunk merge, and the local backend keeps its own for the funnel
 * pass (backends/local/pass-thread.ts). The loop is cut into blocks; the calling thread posts
 * the job, and both take blocks from a shared counter until none is left, then the caller
 * blocks until the helper's last block is done: the work stays synchronous for the caller, and
 * each block touches its own part of the (shared) arrays. A helper that has not started yet is
 * not waited for, and one that fails has its unfinished blocks done by the caller: the helper
 * only ever makes things faster.
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
   * Runs `run(0)` .. `run(blocks - 1)`, this thread and the helper each taking the next block
   * until none is left; `job` (its message) tells the helper how to run a block (takeBlocks on
   * its side). `first`, work of this thread's own, runs before it takes any block. Every block
   * is done when this returns; true when the helper took part. `redo` false: a block cannot be
   * run twice (it works in place), so a helper failing in one is an error rather than redone.
   */
  runBlocks(job: HelperJob | null, blocks: number, run: (block: number) => void, first?: () => void, redo?: boolean): boolean;
}

// The shared words of a runBlocks job: the next block to take, the helper's state, then one
// word per block that the helper sets once it has finished that block.
const NEXT = 0;
const STATE = 1;
const FINISHED = 2;
const POSTED = 0;
const WORKING = 1;
const DONE = 2;
const FAILED = 3;
const GAVE_UP = 4;

/**
 * The helper's side of runBlocks: blocks from the shared counter until none is left. Nothing
 * when the caller already took them all before this thread got to the job (it does not wait).
 */
export function takeBlocks(sync: Int32Array, blocks: number, run: (block: number) => void): void {
  if (Atomics.compareExchange(sync, STATE, POSTED, WORKING) !== POSTED) return;
  let state = DONE;
  try {
    for (let b = Atomics.add(sync, NEXT, 1); b < blocks; b = Atomics.add(sync, NEXT, 1)) {
      run(b);
      Atomics.store(sync, FINISHED + b, 1);
    }
  } catch {
    state = FAILED;
  }
  Atomics.store(sync, STATE, state);
  Atomics.notify(sync, STATE);
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

  // A fixed half each left the caller waiting: the helper's half of the first funnel after an
  // import ran ~40 ms longer (its code not yet optimized). Taking blocks from one counter, both
  // threads finish within a block of each other, and a helper that has not started yet (still
  // loading, or busy) is simply not waited for.
  runBlocks(job: HelperJob | null, blocks: number, run: (block: number) => void, first?: () => void, redo = true): boolean {
    const w = job ? this.helper : null;
    if (!w) {
      first?.();
      for (let b = 0; b < blocks; b++) run(b);
      return false;
    }
    const sync = new Int32Array(new SharedArrayBuffer((FINISHED + blocks) * 4));
    const mine = new Uint8Array(blocks);
    w.postMessage({ ...job, blocks, sync });
    first?.();
    for (let b = Atomics.add(sync, NEXT, 1); b < blocks; b = Atomics.add(sync, NEXT, 1)) {
      run(b);
      mine[b] = 1;
    }
    if (Atomics.compareExchange(sync, STATE, POSTED, GAVE_UP) === POSTED) return false;
    try {
      Atomics.wait(sync, STATE, WORKING, WAIT_MS);
    } catch {
      // A thread that may not block (a browser-like main thread): the helper is dropped below
      // unless it is done by now.
    }
    if (Atomics.load(sync, STATE) === DONE) return true;
    // Failed, stuck or not waited for: the blocks it took and has not finished are done here (a
    // block writes the same values whoever runs it), and a helper that did not finish is dropped.
    this.drop(w);
    for (let b = 0; b < blocks; b++) {
      if (mine[b] || Atomics.load(sync, FINISHED + b) === 1) continue;
      if (!redo) throw new Error(`internal: the helper thread stopped in the middle of a ${job!.type} job`);
      run(b);
    }
    return false;
  }
}

/** The import's helper: its first parse worker, kept for the chunk merge. */
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

export function runBlocks(job: HelperJob | null, blocks: number, run: (block: number) => void, o: { first?: () => void; redo?: boolean } = {}): boolean {
  return importHelper.runBlocks(job, blocks, run, o.first, o.redo);
}
