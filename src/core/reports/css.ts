/**
 * The report's only stylesheet, inlined into the file. System fonts only (no webfont fetches);
 * print rules keep a chart, a card or a table row on one page and headings with what follows.
 */
export const REPORT_CSS = `
:root { --fg:#111827; --muted:#6b7280; --line:#e5e7eb; --accent:#1d4ed8; --good:#15803d; --bad:#b91c1c; --warn:#b45309; --bg-soft:#f8fafc; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--fg); font: 14px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; background: #fff; }
main.report { max-width: 820px; margin: 0 auto; padding: 32px 28px 48px; }
header.cover { border-bottom: 3px solid var(--accent); padding-bottom: 14px; margin-bottom: 18px; }
header.cover h1 { font-size: 26px; line-height: 1.25; margin: 0 0 6px; overflow-wrap: anywhere; }
header.cover .sub { color: var(--muted); margin: 0; }
header.cover .period { margin: 6px 0 0; font-weight: 600; }
.pill { display: inline-block; border: 1px solid var(--line); border-radius: 999px; padding: 1px 9px; font-size: 12px; color: var(--muted); margin-right: 6px; }
h2 { font-size: 19px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); break-after: avoid; page-break-after: avoid; }
h3 { font-size: 15px; margin: 16px 0 6px; break-after: avoid; page-break-after: avoid; }
p { margin: 0 0 10px; overflow-wrap: anywhere; }
.summary p { font-size: 15px; }
.metrics { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 10px; }
.metric { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: var(--bg-soft); break-inside: avoid; page-break-inside: avoid; }
.metric .label { color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
.metric .value { font-size: 22px; font-weight: 700; }
.metric .ctx { font-size: 12px; color: var(--muted); }
.arrow { font-weight: 700; }
.tone-good { color: var(--good); } .tone-bad { color: var(--bad); } .tone-neutral { color: var(--muted); }
figure { margin: 8px 0 14px; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 12px; margin-top: 4px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 14px; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
th { background: var(--bg-soft); font-weight: 600; white-space: nowrap; overflow-wrap: normal; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
.card { border: 1px solid var(--line); border-left: 4px solid var(--accent); border-radius: 6px; padding: 10px 12px; margin: 0 0 10px; break-inside: avoid; page-break-inside: avoid; }
.card.sev-High { border-left-color: var(--bad); } .card.sev-Medium { border-left-color: var(--warn); } .card.sev-Low { border-left-color: var(--muted); }
.card h3 { margin: 0 0 4px; }
.card ul { margin: 4px 0 0 18px; padding: 0; }
.badge { display: inline-block; white-space: nowrap; font-size: 11px; font-weight: 600; border-radius: 4px; padding: 0 6px; margin-right: 4px; border: 1px solid currentColor; }
.badge.High { color: var(--bad); } .badge.Medium { color: var(--warn); } .badge.Low { color: var(--muted); }
.badge.status { color: var(--accent); }
.decision { font-size: 18px; font-weight: 700; }
.decision.SHIP { color: var(--good); } .decision.ROLLBACK { color: var(--bad); } .decision.ITERATE { color: var(--warn); }
.muted { color: var(--muted); }
.small { font-size: 12px; }
.meta dt { font-weight: 600; float: left; clear: left; width: 150px; }
.meta dd { margin: 0 0 4px 160px; overflow-wrap: anywhere; }
footer.end { margin-top: 28px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@media print {
  main.report { max-width: none; padding: 0; }
  h2 { margin-top: 18px; }
  a { color: inherit; text-decoration: none; }
  section.appendix { break-before: page; page-break-before: always; }
}
`;
