import { useCall } from '../api/hooks';
import { Empty, Panel } from '../components/ui';

export default function Ask() {
  const { data } = useCall('datasets:list', {});
  const none = data !== null && data.datasets.length === 0;
  return (
    <Panel title="Ask">
      <Empty>
        This workspace shows questions about your data, answered from computed facts.{' '}
        {none ? <>Start by importing a file in <a href="#/data">Data</a>.</> : <>Pick a dataset in <a href="#/data">Data</a>.</>}
      </Empty>
    </Panel>
  );
}
