import { useCallback, useRef, useState } from 'react';
import { errorMessage } from '../../api/client';

/** A button-triggered call: one at a time, the previous one aborted when a new one starts. */
export function useRun<I, O>(fn: (input: I, signal: AbortSignal) => Promise<O>) {
  const [data, setData] = useState<O | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const current = useRef<AbortController | null>(null);
  const run = useCallback(
    async (input: I) => {
      current.current?.abort();
      const c = new AbortController();
      current.current = c;
      setBusy(true);
      setError(null);
      try {
        const out = await fn(input, c.signal);
        if (current.current === c) setData(out);
      } catch (e) {
        if (current.current === c && !c.signal.aborted) setError(errorMessage(e));
      } finally {
        if (current.current === c) setBusy(false);
      }
    },
    [fn],
  );
  return { data, error, busy, run };
}
