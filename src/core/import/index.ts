export { importFiles, MAX_COLUMNS, previewAny, previewFile, resolveInputPath, SAMPLE_FILE, type ImportEnv, type ImportOutcome } from './importer';
export { ColumnStore, StoreCache, type StoreManifest, type AggregatedData, type Codes } from './store';
export { detect } from './detect';
export { parseCsvText } from './csv';
