import { useCallback, useEffect, useRef, useState } from 'react';
import type { CallInput, CallName, CallOutput } from '../../../shared/contract';
import { api } from './client';
import { latestOnly } from './latest';

export interface CallState<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `load` when `key` changes (or on reload). The request it replaces is aborted, and so is the
 * one running when the view goes away; an answer to an older key never overwrites a newer one.
 * `null` runs nothing (and stops what was running).
 */
export function useAsync<T>(load: ((signal: AbortSignal) => Promise<T>) | null, key: string): CallState<T> & { setData: (d: T | null) => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  const runner = useRef(latestOnly());
  const loader = useRef(load);
  loader.current = load;
  useEffect(() => {
    const fn = loader.current;
    if (!fn) {
      setLoading(false);
      return;
    }
    const r = runner.current;
    setLoading(true);
    r.start(fn, {
      data: (d) => {
        setData(d);
        setError(null);
      },
      error: setError,
      done: () => setLoading(false),
    });
    return () => r.stop();
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload, setData };
}

/** useAsync for one contract call; the input's content (not its identity) is the key. */
export function useCall<K extends CallName>(name: K, input: CallInput<K> | null): CallState<CallOutput<K>> {
  const { data, error, loading, reload } = useAsync(input === null ? null : (signal) => api(name, input, { signal }), `${name}|${JSON.stringify(input)}`);
  return { data, error, loading, reload };
}
