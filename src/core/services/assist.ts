import { commonEventPath } from '../funnel/common-path';
import { previewJoin } from '../import/join-preview';
import type { AppContext, HandlerGroup } from './context';
import { openDatasetStore } from './imports';

export function assistHandlers(app: AppContext): HandlerGroup<'datasets:join-preview' | 'datasets:suggest-funnel'> {
  return {
    'datasets:join-preview': ({ paths, key }) => previewJoin(paths, key),
    'datasets:suggest-funnel': ({ datasetId }) => commonEventPath(openDatasetStore(app, datasetId)),
  };
}
