import { IafaError, type AnalyticsInput, FunnelDefinition, FunnelResult, InsightsReport } from '../../shared/contract';
import { isClickHouseUrl } from '../backends/clickhouse';
import { analyzeFunnel } from '../insights';
import type { AppContext } from './context';
import { openWarehouse } from './warehouse-datasets';

/** Segments whose own daily series are computed, as in analyzeFor (services/insights.ts). */
const MAX_SEGMENT_SERIES = 6;

/**
 * analyzeFor (services/insights.ts) for a clickhouse:// source or a saved warehouse dataset (given as datasetId): the funnel and the top segments'
 * daily series are computed in ClickHouse, then the same deterministic analyst runs here on
 * those aggregates.
 */
export async function analyzeWarehouse(app: AppContext, input: AnalyticsInput, resolved: { funnelId: string | null; datasetId: string; definition: FunnelDefinition; scope: string }, signal: AbortSignal): Promise<InsightsReport> {
  const { funnelId, datasetId, definition, scope } = resolved;
  const backend = openWarehouse(app, datasetId);
  if (!backend) throw new IafaError('internal', `${datasetId} is not a warehouse source.`);
  try {
    let result: FunnelResult = await backend.funnel(definition, { signal });
    if (!input.include_historical) result = { ...result, previous_period: null };
    const segmentDaily: Record<string, FunnelResult['daily']> = {};
    if (definition.breakdown && result.segment_breakdown && result.daily.length >= 7) {
      const top = Object.entries(result.segment_breakdown).sort((a, b) => b[1].total_users - a[1].total_users).slice(0, MAX_SEGMENT_SERIES);
      for (const [name] of top) {
        const def = { ...definition, breakdown: undefined, include: { ...definition.include, [definition.breakdown]: [name] } };
        segmentDaily[name] = (await backend.funnel(def, { signal })).daily;
      }
    }
    return analyzeFunnel(isClickHouseUrl(datasetId) ? result : { ...result, dataset_id: datasetId }, {
      segmentDaily,
      dataWarnings: [],
      audience: input.audience,
      funnelId,
      scope,
      ...(input.forecast_threshold !== undefined ? { forecastThreshold: input.forecast_threshold } : {}),
    });
  } finally {
    await backend.close();
  }
}
