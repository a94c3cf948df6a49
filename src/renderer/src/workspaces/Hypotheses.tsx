import { useCall } from '../api/hooks';
import { Empty, Panel } from '../components/ui';

export default function Hypotheses() {
  const { data } = useCall('datasets:list', {});
  const none = data !== null && data.datasets.length === 0;
  return (
    <Panel title="Hypotheses">
      <Empty>
        This workspace shows testable hypotheses with the evidence behind them.{' '}
        {none ? <>Start by importing a file in <a href="#/data">Data</a>.</> : <>Pick a dataset in <a href="#/data">Data</a>.</>}
      </Empty>
    </Panel>
  );
}
