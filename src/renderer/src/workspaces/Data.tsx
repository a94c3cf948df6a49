import { useCall } from '../api/hooks';
import { Empty, ErrorNote, Panel } from '../components/ui';

export default function Data() {
  const { data, error, loading, reload } = useCall('datasets:list', {});
  return (
    <Panel title="Datasets" actions={<button onClick={reload} disabled={loading}>Refresh</button>}>
      <ErrorNote message={error} />
      {data && data.datasets.length === 0 && <Empty>No datasets yet. Import a CSV or JSON file to begin.</Empty>}
      {data && data.datasets.length > 0 && (
        <table className="table" data-testid="datasets-table">
          <thead><tr><th>Name</th><th>Kind</th><th className="num">Rows</th><th>Imported</th></tr></thead>
          <tbody>
            {data.datasets.map((d) => (
              <tr key={d.id}><td>{d.name}</td><td>{d.kind.replace('_', ' ')}</td><td className="num">{d.rowCount.toLocaleString()}</td><td>{d.createdAt.slice(0, 10)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
