import { useCall } from '../api/hooks';
import { Empty, Panel } from '../components/ui';

export default function Dashboard() {
  const { data } = useCall('datasets:list', {});
  const none = data !== null && data.datasets.length === 0;
  return (
    <Panel title="Dashboard">
      <Empty>
        This workspace shows the funnel chart, segment comparison and daily trend of a dataset.{' '}
        {none ? <>Start by importing a file in <a href="#/data">Data</a>.</> : <>Pick a dataset in <a href="#/data">Data</a>.</>}
      </Empty>
    </Panel>
  );
}
