import { useCall } from '../api/hooks';
import { Empty, Panel } from '../components/ui';

export default function Experiments() {
  const { data } = useCall('datasets:list', {});
  const none = data !== null && data.datasets.length === 0;
  return (
    <Panel title="Experiments">
      <Empty>
        This workspace shows the experiment designer, analyzer and causal checks.{' '}
        {none ? <>Start by importing a file in <a href="#/data">Data</a>.</> : <>Pick a dataset in <a href="#/data">Data</a>.</>}
      </Empty>
    </Panel>
  );
}
