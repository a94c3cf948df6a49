/** Public API of the report module: build a model from engine outputs, render it, print it. */
export { buildReportModel, type BuildInput, type ReportNarration, type ReportSource } from './build';
export { renderHtml } from './html';
export { renderMarkdown } from './markdown';
export { htmlToPdf, launchHeadless, findChromium, PDF_FOOTER, PDF_MARGIN, type Paper } from './pdf';
export { groundReport, groundText, reportHtmlText, reportMarkdownText, reportNames } from './grounding';
export { wordCount, fileSlug, escapeHtml } from './text';
export { AUDIENCE_LABEL, DEFAULT_SECTIONS, type ReportModel } from './model';
export { generateReport, type Dispatch, type GenerateDeps, type Generated, type PdfPrinter } from './generate';
export { saveReport, listReports, deleteReport, reportFile, EXT as REPORT_EXT, MIME as REPORT_MIME } from './store';
