import { useCall } from '../api/hooks';
import { Empty, Panel } from '../components/ui';

export default function Insights() {
  const { data } = useCall('datasets:list', {});
  const none = data !== null && data.datasets.length === 0;
  return (
    <Panel title="Insights">
      <Empty>
        This workspace shows ranked findings, prioritized recommendations and guardrail warnings.{' '}
        {none ? <>Start by importing a file in <a href="#/data">Data</a>.</> : <>Pick a dataset in <a href="#/data">Data</a>.</>}
      </Empty>
    </Panel>
  );
}
