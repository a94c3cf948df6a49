import { Empty, Panel } from '../components/ui';
import { InsightsPanel } from '../features/insights/InsightsPanel';
import { useAnalysisTarget } from '../state/useFunnelView';

export default function Insights() {
  const target = useAnalysisTarget();
  if (!target) {
    return (
      <Panel title="Insights">
        <Empty>
          Insights follow the funnel you are looking at: build and compute one on the <a href="#/dashboard">Dashboard</a> first.
        </Empty>
      </Panel>
    );
  }
  return <InsightsPanel target={target} />;
}
