import { commonEventPath } from '../funnel/common-path';
import { previewJoin } from '../import/join-preview';
import type { AppContext, HandlerGroup } from './context';
import { openDatasetStore } from './imports';
import { warehouseSuggestion } from './warehouse-datasets';

export function assistHandlers(app: AppContext): HandlerGroup<'datasets:join-preview' | 'datasets:suggest-funnel'> {
  return {
    'datasets:join-preview': ({ paths, key }) => previewJoin(paths, key),
    'datasets:suggest-funnel': async ({ datasetId }, ctx) => (await warehouseSuggestion(app, datasetId, ctx.signal)) ?? commonEventPath(openDatasetStore(app, datasetId)),
  };
}
