import fs from 'node:fs';
import type { ExperimentAnalysis, FunnelResult, InsightsReport } from '../../../src/shared/contract';
import type { Engine } from '../../../src/core/services';
import { analyzeFunnel } from '../../../src/core/insights';
import { parseCsv } from '../../../src/core/experiments/table';
import { prepareUserTable } from '../../../src/core/experiments/prepare-table';
import { analyzePrepared } from '../../../src/core/experiments/analyze';
import { buildReportModel, type BuildInput } from '../../../src/core/reports';
import type { Audience } from '../../../src/shared/contract/insights';
import { sharedData } from '../../helpers/shared';

export const TAOBAO = sharedData('taobao_userbehavior_head.csv');
export const COOKIE_CATS = sharedData('cookie_cats.csv');
export const AUDIENCES: Audience[] = ['executive', 'product_manager', 'data_scientist'];
export const FIXED_NOW = '2026-01-15T10:30:00.000Z';

/** The Taobao funnel pv → cart → buy through the real import and funnel engines, and the real analyst. */
export async function taobaoInputs(engine: Engine): Promise<{ funnel: FunnelResult; insights: InsightsReport; datasetId: string }> {
  const ds = await engine.dispatch('datasets:import', { path: TAOBAO, name: 'Taobao user behavior (head)' });
  const funnel = await engine.dispatch('funnels:compute', {
    datasetId: ds.id,
    definition: { steps: [{ event: 'pv' }, { event: 'cart' }, { event: 'buy' }], window: '7d' },
  });
  return { funnel, insights: analyzeFunnel(funnel, { audience: 'data_scientist' }), datasetId: ds.id };
}

/** Cookie Cats: gate_30 vs gate_40 on 1-day and 7-day retention, through the experiments engine. */
export function cookieCatsAnalysis(): ExperimentAnalysis {
  const table = parseCsv(fs.readFileSync(COOKIE_CATS, 'utf8'));
  const prepared = prepareUserTable(table, { variantColumn: 'version', control: 'gate_30', treatment: 'gate_40', metrics: ['retention_7', 'retention_1'] });
  return analyzePrepared(prepared, { now: () => new Date(FIXED_NOW) });
}

export function taobaoModel(
  audience: Audience,
  inputs: { funnel: FunnelResult; insights: InsightsReport; datasetId: string },
  extra: Partial<BuildInput> = {},
) {
  return buildReportModel({
    audience,
    generated_at: FIXED_NOW,
    funnel: inputs.funnel,
    insights: inputs.insights,
    experiment: null,
    narration: null,
    source: { dataset_name: 'Taobao user behavior (head)', dataset_id: inputs.datasetId, funnel_id: null, funnel_name: null },
    ...extra,
  });
}

export function cookieModel(audience: Audience, analysis: ExperimentAnalysis) {
  return buildReportModel({
    audience,
    generated_at: FIXED_NOW,
    funnel: null,
    insights: null,
    experiment: analysis,
    narration: null,
    source: { dataset_name: 'Cookie Cats A/B test', dataset_id: null, funnel_id: null, funnel_name: 'Cookie Cats: gate_30 vs gate_40' },
  });
}
