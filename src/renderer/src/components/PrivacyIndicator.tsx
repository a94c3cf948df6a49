import { useCall } from '../api/hooks';

/** Always visible: where a prompt would go right now. */
export function PrivacyIndicator() {
  const { data } = useCall('llm:status', {});
  if (!data) return <div className="privacy muted">Checking model…</div>;
  return (
    <div className={`privacy ${data.dataLeavesDevice ? 'remote' : 'local'}`} data-testid="privacy-indicator" role="status">
      <strong>{data.dataLeavesDevice ? 'Data leaves this device' : 'Data stays on this device'}</strong>
      <span>Model: {data.active === 'none' ? 'none (computed analysis)' : data.active}</span>
    </div>
  );
}
