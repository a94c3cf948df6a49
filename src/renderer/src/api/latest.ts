import { errorMessage } from './client';

interface LatestHandlers<T> {
  data(value: T): void;
  error(message: string): void;
  /** The newest request settled (not called for a replaced one). */
  done(): void;
}

/**
 * One request at a time for one view: starting a request aborts the one it replaces (its signal
 * reaches the transport: fetch abort over HTTP, iafa:cancel over IPC), and only the newest may
 * report, so a slow answer to an older input never overwrites a newer one. Plain TypeScript, so
 * the rule is tested without React.
 */
export function latestOnly(): { start<T>(load: (signal: AbortSignal) => Promise<T>, on: LatestHandlers<T>): void; stop(): void } {
  let current: AbortController | null = null;
  return {
    start(load, on) {
      current?.abort();
      const mine = new AbortController();
      current = mine;
      const isMine = () => current === mine;
      let loading: Promise<unknown>;
      try {
        loading = load(mine.signal);
      } catch (e) {
        loading = Promise.reject(e);
      }
      loading
        .then(
          (d) => isMine() && on.data(d as Parameters<typeof on.data>[0]),
          (e) => isMine() && on.error(errorMessage(e)),
        )
        .finally(() => {
          if (!isMine()) return;
          current = null;
          on.done();
        });
    },
    stop() {
      current?.abort();
      current = null;
    },
  };
}
