import type { AnalyzeInput, ExperimentAnalysis } from '../../../../shared/contract/experiments';
import { api } from '../../api/client';
import { ErrorNote, Panel } from '../../components/ui';
import { downloadText } from '../../lib/download';
import { toAnalyzeInput, type AnalysisConfig } from './analysisConfig';
import { AnalysisSetup } from './AnalysisSetup';
import { ArmsTable, ChanceToWin, ForestPlot, KArmSrm } from './ArmsView';
import { openAskWith } from '../ask/context';
import { DecisionCard } from './DecisionCard';
import { clip, Explain } from './Explain';
import { analysisMarkdown } from './analysisExport';
import { GuardrailTable, SegmentTable, SignificanceTable, SrmBanner } from './ResultTables';
import { useRun } from './useRun';

const analyze = (input: AnalyzeInput, signal: AbortSignal) => api('experiment:analyze', input, { signal });

export function Analyzer({ config, onConfig, onCausal }: { config: AnalysisConfig; onConfig: (c: AnalysisConfig) => void; onCausal: () => void }) {
  const { input, problem } = toAnalyzeInput(config);
  const { data: a, error, busy, run } = useRun(analyze);
  return (
    <>
      <Panel
        title="Analyze an experiment"
        id="xp-analyze"
        actions={
          <button type="button" className="primary" disabled={!input || busy} onClick={() => input && run(input)} data-testid="xp-analyze-run">
            {busy ? 'Analyzing…' : 'Analyze'}
          </button>
        }
      >
        <AnalysisSetup config={config} onChange={onConfig} />
        {problem && config.datasetId && <p className="muted small">{problem}</p>}
        <ErrorNote message={error} />
      </Panel>
      {a && <AnalysisResult a={a} onCausal={onCausal} />}
    </>
  );
}

function AnalysisResult({ a, onCausal }: { a: ExperimentAnalysis; onCausal: () => void }) {
  const exportMd = () => downloadText('experiment-analysis.md', analysisMarkdown(a), 'text/markdown');
  const exportJson = () => downloadText('experiment-analysis.json', JSON.stringify(a, null, 2), 'application/json');
  return (
    <Panel
      title={a.multi_arm ? `Results: ${a.multi_arm.treatment_labels.join(', ')} vs ${a.control_label}` : `Results: ${a.treatment_label} vs ${a.control_label}`}
      id="xp-results"
      actions={
        <>
          <button type="button" onClick={onCausal} data-testid="xp-open-causal">
            Causal checks
          </button>
          <button
            type="button"
            data-testid="xp-ask"
            onClick={() =>
              openAskWith({
                title: `${a.treatment_label} vs ${a.control_label} (${a.statistical_analysis.primary_metric.metric})`,
                scopeId: a.experiment_id ?? `experiment:${a.generated_at}`,
                facts: a.facts,
              })
            }
          >
            Ask about these results
          </button>
          <button type="button" onClick={exportMd}>
            Export Markdown
          </button>
          <button type="button" onClick={exportJson}>
            Export JSON
          </button>
        </>
      }
    >
      {a.multi_arm ? <KArmSrm a={a} /> : <SrmBanner srm={a.srm_check} />}
      {a.warnings.map((w) => (
        <div key={w} className="note warn">
          {w}
        </div>
      ))}
      <div className="xp-result-grid">
        <div className="xp-result-main">
          {a.multi_arm && (
            <>
              <h3>All arms</h3>
              <ForestPlot a={a} />
              <ArmsTable a={a} />
            </>
          )}
          {a.engine === 'bayesian' && (
            <>
              <h3>Chance to beat control</h3>
              <ChanceToWin a={a} />
            </>
          )}
          {!a.multi_arm && <ForestPlot a={a} />}
          {a.multi_arm && (
            <h3>
              Details: {a.treatment_label} vs {a.control_label}
            </h3>
          )}
          <h3>{a.engine === 'bayesian' ? 'Frequentist details' : 'Significance'}</h3>
          <SignificanceTable a={a} />
          <h3>Guardrails</h3>
          <GuardrailTable a={a} />
          <h3>Segments</h3>
          <SegmentTable a={a} />
        </div>
        <div>
          <DecisionCard r={a.recommendation} />
          <Explain
            key={a.generated_at}
            task="experiment_analysis"
            facts={a.facts}
            decision={a.recommendation.decision}
            scopeId={a.experiment_id}
            context={{ control: a.control_label, treatment: a.treatment_label, primary_metric: a.statistical_analysis.primary_metric.metric }}
            deterministic={{
              summary: clip(a.recommendation.rationale, 600),
              interpretation: clip(a.statistical_analysis.power.note, 600),
              next_steps: a.recommendation.next_steps.slice(0, 3).map((x) => clip(x, 200)),
            }}
          />
        </div>
      </div>
    </Panel>
  );
}
