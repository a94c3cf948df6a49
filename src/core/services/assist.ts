import { previewJoin } from '../import/join-preview';
import { LocalBackend } from '../backends/local';
import { withBackend } from './backend-for';
import type { AppContext, HandlerGroup } from './context';
import { warehouseSuggestion } from './warehouse-datasets';

export function assistHandlers(app: AppContext): HandlerGroup<'datasets:join-preview' | 'datasets:suggest-funnel'> {
  return {
    'datasets:join-preview': ({ paths, key }) => previewJoin(paths, key),
    'datasets:suggest-funnel': ({ datasetId }, ctx) =>
      withBackend(app, datasetId, (b) =>
        b instanceof LocalBackend ? b.commonEventPath({ signal: ctx.signal }) : warehouseSuggestion(app, datasetId, b, ctx.signal),
      ),
  };
}
