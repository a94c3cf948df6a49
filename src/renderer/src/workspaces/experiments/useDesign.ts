import { useEffect, useRef, useState } from 'react';
import type { DesignInput, DesignResult } from '../../../../shared/contract/experiments';
import { api, errorMessage } from '../../api/client';

/**
 * Live design: the input is sent to the engine 250 ms after the user stops typing; an answer to an
 * older input is dropped (and its request aborted), so the numbers on screen always belong to the
 * numbers in the boxes. The last good result stays visible (marked stale) while a new one runs.
 */
export function useLiveDesign(input: DesignInput | null, delayMs = 250): { result: DesignResult | null; error: string | null; pending: boolean } {
  const [result, setResult] = useState<DesignResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const key = input === null ? null : JSON.stringify(input);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    if (key === null) {
      setPending(false);
      return;
    }
    setPending(true);
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api('experiment:design', JSON.parse(key) as DesignInput, { signal: controller.signal })
        .then(
          (r) => {
            if (mine === seq.current) {
              setResult(r);
              setError(null);
            }
          },
          (e) => {
            if (mine === seq.current && !controller.signal.aborted) setError(errorMessage(e));
          },
        )
        .finally(() => {
          if (mine === seq.current) setPending(false);
        });
    }, delayMs);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key, delayMs]);
  return { result, error, pending };
}
