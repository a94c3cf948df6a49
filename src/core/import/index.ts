export { importFiles, MAX_COLUMNS, previewAny, previewFile, type ImportEnv } from './importer';
export { ColumnStore, StoreCache, type AggregatedData, type Codes } from './store';
