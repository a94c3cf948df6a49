import { useState } from 'react';
import { DEFAULT_REPORT_SECTIONS, REPORT_SECTIONS, type CallInput, type ReportFormat, type ReportOutput, type ReportSection } from '../../../shared/contract';
import type { Audience } from '../../../shared/contract/insights';
import { api, errorMessage, shellKind } from '../api/client';
import { useCall } from '../api/hooks';
import { Badge, Empty, ErrorNote, Panel } from '../components/ui';
import { useAnalysisTarget } from '../state/useFunnelView';
import { ReportPreview } from './reports/ReportPreview';
import { StoredReports } from './reports/StoredReports';
import { saveGenerated } from './reports/save';
import './reports/reports.css';

const AUDIENCES: { id: Audience; label: string }[] = [
  { id: 'executive', label: 'Executive: business impact first, short' },
  { id: 'product_manager', label: 'Product manager: actions, owners, next steps' },
  { id: 'data_scientist', label: 'Data scientist: methods, CIs, p-values, caveats' },
];
const FORMATS: { id: ReportFormat; label: string }[] = [
  { id: 'html', label: 'HTML' },
  { id: 'markdown', label: 'Markdown' },
  { id: 'pdf', label: 'PDF' },
];
const SECTION_LABEL: Record<ReportSection, string> = {
  summary: 'Executive summary',
  key_metrics: 'Key metrics',
  funnel: 'Funnel chart',
  segments: 'Segments',
  trend: 'Daily trend and forecast',
  insights: 'Insights',
  recommendations: 'Recommendations',
  guardrails: 'Guardrails and risks',
  experiment: 'Experiment read-out',
  action_items: 'Action items',
  methods: 'Methods and caveats',
  appendix: 'Appendix of facts',
};
const DEFAULTS = DEFAULT_REPORT_SECTIONS;

export default function Reports() {
  const target = useAnalysisTarget();
  const list = useCall('reports:list', {});
  const [audience, setAudience] = useState<Audience>('executive');
  const [format, setFormat] = useState<ReportFormat>('html');
  const [sections, setSections] = useState<ReportSection[]>(DEFAULTS.executive);
  const [provider, setProvider] = useState<'settings' | 'none'>('settings');
  const [preview, setPreview] = useState<ReportOutput | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const request = (save: boolean, fmt: ReportFormat): CallInput<'reports:generate'> | null =>
    target && { ...target, audience, format: fmt, sections, save, ...(provider === 'none' ? { provider: 'none' as const } : {}) };

  async function run(label: string, fn: () => Promise<void>) {
    setBusy(label);
    setError(null);
    setNote(null);
    try {
      await fn();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  }
  const onProgress = (ev: { phase: string; message?: string }) => setBusy(`${ev.phase}${ev.message ? `: ${ev.message}` : ''}`);

  const doPreview = () =>
    run('Preparing the preview…', async () => {
      const input = request(false, 'html');
      if (input) setPreview(await api('reports:generate', input, { onProgress }));
    });
  const doSave = () =>
    run('Generating…', async () => {
      const input = request(true, format);
      if (!input) return;
      // In Electron the main process gives the engine its printer, so a PDF never needs a fallback here.
      const out: ReportOutput = await api('reports:generate', input, { onProgress });
      setPreview(out);
      list.reload();
      setNote(await saveGenerated(out, format));
    });
  const doCopy = () =>
    run('Copying…', async () => {
      const md =
        preview?.markdown ?? (request(false, 'markdown') ? (await api('reports:generate', request(false, 'markdown')!, { onProgress })).markdown : null);
      if (!md) return;
      await navigator.clipboard.writeText(md);
      setNote('Copied the report as Markdown.');
    });

  const toggle = (s: ReportSection) =>
    setSections((cur) => (cur.includes(s) ? cur.filter((x) => x !== s) : REPORT_SECTIONS.filter((x) => x === s || cur.includes(x))));

  return (
    <div className="stack">
      <Panel title="Generate a report" id="report-form">
        {!target && (
          <Empty>
            Build or pick a funnel on the <a href="#/dashboard">Dashboard</a> first; the report describes that funnel.
          </Empty>
        )}
        <div className="report-form">
          <label className="field">
            <span>Audience</span>
            <select
              value={audience}
              data-testid="report-audience"
              onChange={(e) => {
                const a = e.target.value as Audience;
                setAudience(a);
                setSections(DEFAULTS[a]);
              }}
            >
              {AUDIENCES.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.label}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Format</span>
            <select value={format} data-testid="report-format" onChange={(e) => setFormat(e.target.value as ReportFormat)}>
              {FORMATS.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.label}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Narrative</span>
            <select value={provider} data-testid="report-provider" onChange={(e) => setProvider(e.target.value as 'settings' | 'none')}>
              <option value="settings">Model from Settings (checked against the facts)</option>
              <option value="none">Computed text only</option>
            </select>
          </label>
        </div>
        <fieldset className="report-sections" data-testid="report-sections">
          <legend>Sections</legend>
          {REPORT_SECTIONS.map((s) => (
            <label key={s} className="field checkbox">
              <input type="checkbox" checked={sections.includes(s)} onChange={() => toggle(s)} />
              {SECTION_LABEL[s]}
            </label>
          ))}
        </fieldset>
        <div className="report-actions">
          <button onClick={doPreview} disabled={!target || busy !== null} data-testid="report-preview">
            Preview
          </button>
          <button className="primary" onClick={doSave} disabled={!target || busy !== null} data-testid="report-save">
            {shellKind() === 'electron' ? 'Save…' : 'Save and download'}
          </button>
          <button onClick={doCopy} disabled={!target || busy !== null} data-testid="report-copy">
            Copy as Markdown
          </button>
          {busy && (
            <span className="loading" role="status">
              {busy}
            </span>
          )}
        </div>
        <ErrorNote message={error} />
        {note && (
          <div className="note info" role="status" data-testid="report-note">
            {note}
          </div>
        )}
      </Panel>
      {preview && (
        <Panel
          title="Preview"
          id="report-preview"
          actions={
            <>
              <Badge tone={preview.grounding.passed ? 'good' : 'warn'}>{preview.grounding.passed ? 'every number is a fact' : 'some numbers unverified'}</Badge>
              <span className="muted small">
                {preview.report_metadata.word_count} words · {preview.report_metadata.provider === 'none' ? 'computed text' : preview.report_metadata.provider}
              </span>
            </>
          }
        >
          {preview.report_metadata.fallback_fields.length > 0 && (
            <p className="muted small" data-testid="report-fallbacks">
              Computed text used for: {preview.report_metadata.fallback_fields.join('; ')}
            </p>
          )}
          <ReportPreview html={preview.html} title={preview.report_metadata.title} />
        </Panel>
      )}
      <StoredReports list={list} />
    </div>
  );
}
