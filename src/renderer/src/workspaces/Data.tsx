import { useCall } from '../api/hooks';
import { DatasetList } from '../features/data/DatasetList';
import { ImportPanel } from '../features/data/ImportPanel';
import { landDataset } from '../features/data/landing';
import { WarehousePanel } from '../features/data/WarehousePanel';

export default function Data() {
  const list = useCall('datasets:list', {});
  const datasets = list.data?.datasets ?? null;
  return (
    <div className="stack">
      <ImportPanel
        firstLaunch={datasets !== null && datasets.length === 0}
        onImported={async (ds, { sample }) => {
          // A fresh import becomes what every workspace looks at, opened where it can be used.
          const landing = await landDataset(ds);
          list.reload();
          // "Try with sample data" ends on the analysis itself: the funnel, segments and insights.
          if (sample) window.location.hash = landing.href;
          return landing;
        }}
      />
      <DatasetList datasets={datasets} loading={list.loading} error={list.error} reload={list.reload} />
      <WarehousePanel
        onSaved={async (ds) => {
          // A saved warehouse table lands like an import: selected, with its suggested funnel.
          const landing = await landDataset(ds);
          list.reload();
          return landing;
        }}
      />
    </div>
  );
}
