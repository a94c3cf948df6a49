import { useEffect } from 'react';
import { LLM_CHANGED } from '../workspaces/settings/events';
import { useCall } from './hooks';

/**
 * Whether a language model is active (null while unknown). Labels say "AI" only when one is:
 * without a model every text is the computed analysis, and calling it AI would mislead.
 */
export function useModelActive(): boolean | null {
  const { data, reload } = useCall('llm:status', {});
  useEffect(() => {
    window.addEventListener(LLM_CHANGED, reload);
    return () => window.removeEventListener(LLM_CHANGED, reload);
  }, [reload]);
  return data ? data.active !== 'none' : null;
}
