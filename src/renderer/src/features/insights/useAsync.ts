import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../../api/client';

/** Like useCall, for a loader function; `key` says when the inputs changed. Stale answers are dropped. */
export function useAsync<T>(load: (() => Promise<T>) | null, key: string) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  const loader = useRef(load);
  loader.current = load;
  useEffect(() => {
    const fn = loader.current;
    if (!fn) return;
    const mine = ++seq.current;
    setLoading(true);
    fn().then(
      (d) => { if (mine === seq.current) { setData(d); setError(null); } },
      (e) => { if (mine === seq.current) setError(errorMessage(e)); },
    ).finally(() => { if (mine === seq.current) setLoading(false); });
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload, setData };
}
