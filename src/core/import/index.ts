export { importFiles, MAX_COLUMNS, previewAny, previewFile, reserveImportThreads, type ImportEnv } from './importer';
export { ColumnStore } from './store';
