export { importFiles, MAX_COLUMNS, previewAny, previewFile, type ImportEnv } from './importer';
export { ColumnStore } from './store';
