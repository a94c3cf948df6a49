/** Public API of the report module: build a model from engine outputs, render it, print it. */
export { buildReportModel, type BuildInput } from './build';
export { renderHtml } from './html';
export { renderMarkdown } from './markdown';
export { htmlToPdf } from './pdf';
export { groundReport, groundText, reportHtmlText, reportMarkdownText } from './grounding';
export type { ReportModel } from './model';
export { generateReport, type Dispatch, type PdfPrinter } from './generate';
export { saveReport, listReports, deleteReport, reportFile } from './store';
