import { useEffect, useRef, useState } from 'react';
import type { CausalInput, CausalResult } from '../../../../shared/contract/experiments';
import { api } from '../../api/client';
import { useCall } from '../../api/hooks';
import { ErrorNote, Panel } from '../../components/ui';
import { downloadText } from '../../lib/download';
import { metricColumns, toAnalyzeInput, type AnalysisConfig } from './analysisConfig';
import { AnalysisSetup } from './AnalysisSetup';
import { causalMarkdown } from './analysisExport';
import { CausalView } from './CausalView';
import { clip, Explain } from './Explain';
import { useRun } from './useRun';

type Impact = 'none' | 'possible' | 'confirmed';
interface FactorRow {
  description: string;
  impact: Impact;
}

const runCausal = (input: CausalInput, signal: AbortSignal) => api('experiment:causal', input, { signal });

export function Causal({ config, onConfig }: { config: AnalysisConfig; onConfig: (c: AnalysisConfig) => void }) {
  const [factors, setFactors] = useState<FactorRow[]>([]);
  const [stages, setStages] = useState<string[]>([]);
  // The setup is usually done in the Analyze tab; it opens here when nothing is set up yet or on request.
  const [showSetup, setShowSetup] = useState(false);
  const datasets = useCall('datasets:list', {});
  const dataset = datasets.data?.datasets.find((d) => d.id === config.datasetId) ?? null;
  // A dataset imported in the Analyze tab is newer than this tab's list: fetch the list again, once per id.
  const refreshedFor = useRef<string | null>(null);
  const reloadDatasets = datasets.reload;
  useEffect(() => {
    if (datasets.data && config.datasetId && !dataset && refreshedFor.current !== config.datasetId) {
      refreshedFor.current = config.datasetId;
      reloadDatasets();
    }
  }, [datasets.data, config.datasetId, dataset, reloadDatasets]);
  const { input, problem } = toAnalyzeInput(config);
  const { data, error, busy, run } = useRun(runCausal);

  const go = () => {
    if (!input) return;
    const causal: CausalInput = {
      ...input,
      external_factors: factors.filter((f) => f.description.trim()).map((f) => ({ description: f.description.trim(), impact: f.impact })),
      ...(stages.length >= 2 ? { stage_columns: stages } : {}),
    };
    void run(causal);
  };
  const updateFactor = (i: number, patch: Partial<FactorRow>) => setFactors((fs) => fs.map((f, j) => (j === i ? { ...f, ...patch } : f)));

  return (
    <>
      <Panel
        title="Causal checks"
        id="xp-causal"
        actions={
          <button type="button" className="primary" disabled={!input || busy} onClick={go} data-testid="xp-causal-run">
            {busy ? 'Checking…' : 'Run causal checks'}
          </button>
        }
      >
        <p className="muted">
          Each claim rests on a computed check: randomization and balance, stability over time, differences between segments, and the external factors you know
          about.
        </p>
        {config.datasetId && !showSetup ? (
          <p>
            Experiment: <strong>{config.treatment || '?'}</strong> vs <strong>{config.control || '?'}</strong> on <code>{config.variantColumn}</code>, primary{' '}
            <code>{config.primary}</code>
            {config.segmentBy && (
              <>
                , segments by <code>{config.segmentBy}</code>
              </>
            )}
            .{' '}
            <button type="button" className="link-button" onClick={() => setShowSetup(true)}>
              Change
            </button>
          </p>
        ) : (
          <AnalysisSetup config={config} onChange={onConfig} />
        )}
        {problem && config.datasetId && <p className="muted small">{problem}</p>}
        <div className="xp-grid">
          <fieldset className="xp-fieldset">
            <legend>External factors during the test</legend>
            {factors.map((f, i) => (
              <div key={i} className="xp-guard-row" role="group" aria-label={`External factor ${i + 1}`}>
                <label className="grow">
                  What happened{' '}
                  <input
                    type="text"
                    value={f.description}
                    placeholder="e.g. holiday sale on day 3"
                    onChange={(e) => updateFactor(i, { description: e.target.value })}
                    data-testid="xp-factor"
                  />
                </label>
                <label>
                  Impact
                  <select value={f.impact} onChange={(e) => updateFactor(i, { impact: e.target.value as Impact })}>
                    <option value="none">none expected</option>
                    <option value="possible">possible</option>
                    <option value="confirmed">confirmed</option>
                  </select>
                </label>
                <button type="button" className="link-button" onClick={() => setFactors((fs) => fs.filter((_, j) => j !== i))}>
                  Remove
                </button>
              </div>
            ))}
            <button type="button" onClick={() => setFactors((fs) => [...fs, { description: '', impact: 'possible' }])} data-testid="xp-add-factor">
              Add a factor
            </button>
          </fieldset>
          <fieldset className="xp-fieldset">
            <legend>Stages in funnel order (for the chain)</legend>
            <p className="muted small">Tick the yes/no columns in the order users reach them; the chain shows the lift at each.</p>
            {metricColumns(dataset).map((c) => {
              const pos = stages.indexOf(c.name);
              return (
                <label key={c.name} className="xp-check">
                  <input
                    type="checkbox"
                    checked={pos >= 0}
                    data-testid={`xp-stage-${c.name}`}
                    onChange={(e) => setStages((s) => (e.target.checked ? [...s, c.name] : s.filter((x) => x !== c.name)))}
                  />
                  {pos >= 0 && <span className="xp-stage-no">{pos + 1}</span>} {c.name}
                </label>
              );
            })}
          </fieldset>
        </div>
        <ErrorNote message={error} />
      </Panel>
      {data && <CausalPanel c={data} />}
    </>
  );
}

function CausalPanel({ c }: { c: CausalResult }) {
  return (
    <Panel
      title="Causal interpretation"
      id="xp-causal-result"
      actions={
        <button type="button" onClick={() => downloadText('causal-analysis.md', causalMarkdown(c), 'text/markdown')}>
          Export Markdown
        </button>
      }
    >
      {c.analysis.warnings
        .filter((w) => w.startsWith('Causal checks compare'))
        .map((w) => (
          <div key={w} className="note info" data-testid="xp-causal-arm-note">
            {w}
          </div>
        ))}
      <CausalView c={c} />
      <Explain
        key={c.generated_at}
        task="causal"
        facts={c.facts}
        decision={c.analysis.recommendation.decision}
        scopeId={c.experiment_id}
        context={{ control: c.analysis.control_label, treatment: c.analysis.treatment_label }}
        deterministic={{
          conclusion: clip(`${c.causal_conclusion.statement} ${c.causal_conclusion.rationale}`, 600),
          mechanism: [clip(c.mechanism.description, 200)],
          confounders: clip(c.confounding_check.overall, 400),
        }}
      />
    </Panel>
  );
}
