/**
 * The report's own HTML in a sandboxed iframe: `sandbox=""` gives it a unique origin with scripts,
 * forms, popups and navigation all off, so even a report that somehow carried markup could not
 * reach the app, its token or the API. srcdoc keeps it off the network.
 */
export function ReportPreview({ html, title }: { html: string; title: string }) {
  return <iframe className="report-frame" sandbox="" srcDoc={html} title={`Report preview: ${title}`} data-testid="report-frame" />;
}
