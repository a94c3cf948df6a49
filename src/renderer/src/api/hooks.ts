import { useCallback, useEffect, useRef, useState } from 'react';
import type { CallInput, CallName, CallOutput } from '../../../shared/contract';
import { api, errorMessage } from './client';

export interface CallState<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/** Runs a call when its input changes; stale answers from an earlier input are dropped. */
export function useCall<K extends CallName>(name: K, input: CallInput<K> | null): CallState<CallOutput<K>> {
  const [data, setData] = useState<CallOutput<K> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(input);
  const seq = useRef(0);
  useEffect(() => {
    if (input === null) return;
    const mine = ++seq.current;
    setLoading(true);
    api(name, input).then(
      (d) => mine === seq.current && (setData(d), setError(null)),
      (e) => mine === seq.current && setError(errorMessage(e)),
    ).finally(() => mine === seq.current && setLoading(false));
    // `key` stands for `input`: the effect re-runs when the input's content changes, not its identity.
  }, [name, key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}
