import { FunnelResult, type FunnelDefinition, type ImportMapping } from '../shared/contract';
import { ClickHouseBackend, isClickHouseUrl } from '../core/backends/clickhouse';
import type { CliRuntime } from './framework';

/**
 * A `clickhouse://` (or `clickhouses://`) source in place of a file for `iafa funnel`: the funnel
 * runs in ClickHouse and only aggregates come back. The result is checked against the same output
 * schema as the engine's call, so the JSON has the same shape and key order as for a file.
 * (`experiment analyze` takes the URL through its service: services/experiments.ts.)
 */
export { isClickHouseUrl };

async function withBackend<T>(rt: CliRuntime, url: string, mapping: ImportMapping, run: (b: ClickHouseBackend) => Promise<T>): Promise<T> {
  const backend = new ClickHouseBackend(url, { mapping, env: rt.io.env });
  try {
    rt.io.stderr(`Querying ${backend.label} (aggregates only come back).\n`);
    return await run(backend);
  } finally {
    await backend.close();
  }
}

export async function warehouseFunnel(rt: CliRuntime, url: string, mapping: ImportMapping, def: FunnelDefinition): Promise<FunnelResult> {
  const r = await withBackend(rt, url, mapping, (b) => b.funnel(def, { signal: rt.signal }));
  return FunnelResult.parse(r);
}
