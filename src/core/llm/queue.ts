import { cancelled } from './errors';

interface Waiter {
  start: () => void;
  onPosition: (n: number) => void;
  signal: AbortSignal;
  cancel: () => void;
}

/**
 * One generation at a time per model: a local model answers one prompt at a time anyway, and two
 * concurrent prompts on a laptop make both slow. Waiters hear their position as it changes.
 */
export class ModelQueue {
  private busy = new Set<string>();
  private waiting = new Map<string, Waiter[]>();

  position(key: string): number {
    return (this.waiting.get(key)?.length ?? 0) + (this.busy.has(key) ? 1 : 0);
  }

  async run<T>(key: string, signal: AbortSignal, onPosition: (n: number) => void, fn: () => Promise<T>): Promise<T> {
    if (signal.aborted) throw cancelled();
    if (this.busy.has(key)) await this.wait(key, signal, onPosition);
    this.busy.add(key);
    try {
      return await fn();
    } finally {
      this.busy.delete(key);
      const list = this.waiting.get(key) ?? [];
      const next = list.shift();
      list.forEach((w, i) => w.onPosition(i + 1));
      if (list.length === 0) this.waiting.delete(key);
      next?.start();
    }
  }

  private wait(key: string, signal: AbortSignal, onPosition: (n: number) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const list = this.waiting.get(key) ?? [];
      const w: Waiter = {
        signal,
        onPosition,
        start: () => {
          signal.removeEventListener('abort', w.cancel);
          resolve();
        },
        cancel: () => {
          const l = this.waiting.get(key) ?? [];
          const i = l.indexOf(w);
          if (i >= 0) {
            l.splice(i, 1);
            // Only those behind the one who left move up.
            l.slice(i).forEach((x, j) => x.onPosition(i + j + 1));
          }
          reject(cancelled());
        },
      };
      list.push(w);
      this.waiting.set(key, list);
      signal.addEventListener('abort', w.cancel, { once: true });
      onPosition(list.length);
    });
  }
}

/** Process-wide: the Electron main process, the server and the CLI each run one engine. */
export const modelQueue = new ModelQueue();
