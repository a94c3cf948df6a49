import { useCall } from '../api/hooks';
import { DatasetList } from '../features/data/DatasetList';
import { ImportPanel } from '../features/data/ImportPanel';
import { WarehousePanel } from '../features/data/WarehousePanel';
import { setSelection } from '../state/selection';

export default function Data() {
  const list = useCall('datasets:list', {});
  const datasets = list.data?.datasets ?? null;
  return (
    <div className="stack">
      <ImportPanel
        firstLaunch={datasets !== null && datasets.length === 0}
        onImported={(ds) => {
          // A fresh import becomes what every workspace looks at.
          setSelection({ datasetId: ds.id, funnelId: null, definition: null });
          list.reload();
        }}
      />
      <DatasetList datasets={datasets} loading={list.loading} error={list.error} reload={list.reload} />
      <WarehousePanel />
    </div>
  );
}
