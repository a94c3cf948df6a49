import { useEffect } from 'react';
import { useCall } from '../api/hooks';
import { LLM_CHANGED } from '../workspaces/settings/events';

/** Always visible: where a prompt would go right now. Re-read whenever Settings changes the provider. */
export function PrivacyIndicator() {
  const { data, reload } = useCall('llm:status', {});
  useEffect(() => {
    window.addEventListener(LLM_CHANGED, reload);
    return () => window.removeEventListener(LLM_CHANGED, reload);
  }, [reload]);
  if (!data) return <div className="privacy muted">Checking model…</div>;
  return (
    <div className={`privacy ${data.dataLeavesDevice ? 'remote' : 'local'}`} data-testid="privacy-indicator" role="status">
      <strong>{data.dataLeavesDevice ? 'Data leaves this device' : 'Data stays on this device'}</strong>
      <span>Model: {data.active === 'none' ? 'none (computed analysis)' : data.active}</span>
    </div>
  );
}
