import { useCall } from '../api/hooks';
import { Empty, Panel } from '../components/ui';

export default function Reports() {
  const { data } = useCall('datasets:list', {});
  const none = data !== null && data.datasets.length === 0;
  return (
    <Panel title="Reports">
      <Empty>
        This workspace shows reports for data scientists, executives and product managers.{' '}
        {none ? <>Start by importing a file in <a href="#/data">Data</a>.</> : <>Pick a dataset in <a href="#/data">Data</a>.</>}
      </Empty>
    </Panel>
  );
}
