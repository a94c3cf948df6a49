import { useEffect, useState } from 'react';
import { Badge, ErrorNote, Panel } from '../../components/ui';
import { clearHandoff, getHandoff, useHandoff, type ExperimentHandoff } from '../../state/handoff';
import { downloadText } from '../../lib/download';
import { DesignDetails } from './DesignDetails';
import { designMarkdown } from './designExport';
import { DEFAULT_FORM, formFromHandoff, toDesignInput, type DesignForm } from './designState';
import { NumberField, TextField } from './fields';
import { fmtFraction, fmtInt, fmtNum } from './format';
import { GuardrailEditor } from './GuardrailEditor';
import { useLiveDesign } from './useDesign';
import { plural } from '../../../../shared/plural';

const FORM_KEY = 'iafa.experiments.design';

function loadForm(): DesignForm {
  try {
    const v = JSON.parse(sessionStorage.getItem(FORM_KEY) ?? 'null') as Partial<DesignForm> | null;
    return v ? { ...DEFAULT_FORM, ...v } : DEFAULT_FORM;
  } catch {
    return DEFAULT_FORM;
  }
}

export function Designer() {
  // A hypothesis handed over from the Hypotheses workspace wins over the last session's form, once.
  // It is read at mount and also while mounted (the workspace can stay mounted across a quick switch).
  const [origin, setOrigin] = useState<ExperimentHandoff | null>(getHandoff);
  const [form, setForm] = useState<DesignForm>(() => (origin ? formFromHandoff(origin, loadForm()) : loadForm()));
  const incoming = useHandoff();
  useEffect(() => {
    if (incoming && incoming !== origin) {
      setOrigin(incoming);
      setForm((f) => formFromHandoff(incoming, f));
    }
    if (incoming) clearHandoff();
  }, [incoming, origin]);
  useEffect(() => {
    sessionStorage.setItem(FORM_KEY, JSON.stringify(form));
  }, [form]);

  const set =
    <K extends keyof DesignForm>(k: K) =>
    (v: DesignForm[K]) =>
      setForm((f) => ({ ...f, [k]: v }));
  const { input, problem } = toDesignInput(form);
  const { result, error, pending } = useLiveDesign(input);
  const s = result?.experiment_design.sample_size;
  const dur = result?.experiment_design.duration;
  const pa = result?.experiment_design.power_analysis ?? null;
  const stale = pending || problem !== null || error !== null;
  const rate = form.metricType === 'rate';

  const exportJson = () => result && downloadText('experiment-design.json', JSON.stringify(result, null, 2), 'application/json');
  const exportMd = () => result && downloadText('experiment-design.md', designMarkdown(result), 'text/markdown');

  return (
    <div className="xp-designer">
      <Panel
        title="Experiment designer"
        id="xp-design"
        actions={
          <>
            <button type="button" onClick={exportJson} disabled={!result} data-testid="xp-export-json">
              Export JSON
            </button>
            <button type="button" onClick={exportMd} disabled={!result} data-testid="xp-export-md">
              Export Markdown
            </button>
          </>
        }
      >
        {origin && (
          <div className="note info" data-testid="xp-handoff">
            From {origin.source === 'recommendation' ? 'recommendation' : 'hypothesis'} <strong>{origin.title}</strong> ({origin.priority} priority):{' '}
            {origin.testDescription}
            {origin.sampleSizePerVariant !== null && (
              <span data-testid="xp-handoff-numbers">
                {' '}
                The card computed <strong>{fmtInt(origin.sampleSizePerVariant)}</strong> per variant
                {origin.durationDays !== null ? (
                  <>
                    {' '}
                    over <strong>{origin.durationDays}</strong> days
                  </>
                ) : null}
                ; the boxes below start from the same baseline, effect and traffic.
              </span>
            )}
            {origin.evidence.length > 0 && (
              <details className="xp-evidence">
                <summary>
                  Evidence ({origin.evidence.length} computed fact{origin.evidence.length === 1 ? '' : 's'})
                </summary>
                <ul className="xp-list">
                  {origin.evidence.map((e) => (
                    <li key={e.factId}>
                      {e.label}: <strong>{e.display}</strong>
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </div>
        )}
        <TextField label="Experiment name" value={form.name} onChange={set('name')} placeholder="e.g. Lighter checkout step" testId="xp-name" />
        <TextField
          label="Hypothesis"
          value={form.hypothesis}
          onChange={set('hypothesis')}
          multiline
          placeholder="Changing X will increase Y because Z"
          testId="xp-hypothesis"
        />
        <div className="xp-grid">
          <fieldset className="xp-fieldset">
            <legend>Primary metric</legend>
            <div className="xp-seg" role="radiogroup" aria-label="Metric type">
              {(['rate', 'mean'] as const).map((t) => (
                <label key={t}>
                  <input type="radio" name="xp-metric-type" checked={form.metricType === t} onChange={() => set('metricType')(t)} />{' '}
                  {t === 'rate' ? 'Rate (conversion)' : 'Mean (continuous)'}
                </label>
              ))}
            </div>
            <TextField label="Name" value={form.primaryMetric} onChange={set('primaryMetric')} />
            {rate ? (
              <NumberField
                label="Baseline rate"
                suffix="%"
                value={form.baseline}
                onChange={set('baseline')}
                min={0}
                max={100}
                step={0.1}
                testId="xp-baseline"
              />
            ) : (
              <>
                <NumberField label="Baseline mean" value={form.baselineMean} onChange={set('baselineMean')} testId="xp-baseline-mean" />
                <NumberField label="Standard deviation" value={form.baselineSd} onChange={set('baselineSd')} min={0} testId="xp-baseline-sd" />
              </>
            )}
          </fieldset>
          <fieldset className="xp-fieldset">
            <legend>Effect and errors</legend>
            <div className="xp-seg" role="radiogroup" aria-label="MDE type">
              {(['relative', 'absolute'] as const).map((t) => (
                <label key={t}>
                  <input type="radio" name="xp-mde-type" checked={form.mdeType === t} onChange={() => set('mdeType')(t)} data-testid={`xp-mde-${t}`} /> {t}
                </label>
              ))}
            </div>
            <NumberField
              label="Minimum detectable effect"
              suffix={form.mdeType === 'relative' ? '% relative' : rate ? 'pp' : 'units'}
              value={form.mde}
              onChange={set('mde')}
              min={0}
              step={0.1}
              testId="xp-mde"
            />
            <NumberField label="Power (1 − β)" value={form.power} onChange={set('power')} min={0} max={1} step={0.05} testId="xp-power" />
            <NumberField label="Significance level α" value={form.alpha} onChange={set('alpha')} min={0} max={1} step={0.01} testId="xp-alpha" />
            <label className="xp-check">
              <input type="checkbox" checked={form.oneSided === true} onChange={(e) => set('oneSided')(e.target.checked)} data-testid="xp-one-sided" />{' '}
              One-sided test (only an improvement matters)
            </label>
          </fieldset>
          <fieldset className="xp-fieldset">
            <legend>Traffic</legend>
            <NumberField
              label="Daily eligible users"
              value={form.dailyUsers}
              onChange={set('dailyUsers')}
              min={0}
              step={100}
              testId="xp-daily"
              optional
              hint="Leave empty to skip the duration."
            />
            <NumberField
              label="Share in the experiment"
              suffix="%"
              value={form.allocation}
              onChange={set('allocation')}
              min={0}
              max={100}
              step={5}
              testId="xp-allocation"
            />
            <NumberField label="Variants (control included)" value={form.variants} onChange={set('variants')} min={2} max={20} step={1} testId="xp-variants" />
            <label className="xp-check">
              <input type="checkbox" checked={form.fullWeeks} onChange={(e) => set('fullWeeks')(e.target.checked)} /> Run whole weeks (weekday cycles)
            </label>
            <NumberField
              label="Treatment units per control unit"
              value={form.ratio ?? '1'}
              onChange={set('ratio')}
              min={0}
              step={0.1}
              testId="xp-alloc-ratio"
              hint="1 = equal split; 0.111 = 90/10."
            />
          </fieldset>
          <fieldset className="xp-fieldset">
            <legend>What can a given sample detect?</legend>
            <NumberField
              label="Available users (all arms)"
              value={form.availableUsers ?? ''}
              onChange={set('availableUsers')}
              min={0}
              step={1000}
              testId="xp-available"
              optional
              hint="Power at the MDE and the MDE this sample allows."
            />
            <NumberField
              label="Or planned duration"
              suffix="days"
              value={form.plannedDays ?? ''}
              onChange={set('plannedDays')}
              min={0}
              step={7}
              testId="xp-planned-days"
              optional
              hint="Uses the daily users and the share in the experiment."
            />
          </fieldset>
        </div>

        <div className={`xp-result${stale ? ' stale' : ''}`} aria-live="polite" aria-busy={pending} data-testid="xp-design-result">
          <div className="xp-stat">
            <span className="xp-stat-label">{s?.control_n !== undefined && s.control_n !== s.treatment_n ? 'Control' : 'Per variant'}</span>
            <span className="xp-stat-value" data-testid="xp-per-variant">
              {fmtInt(s?.per_variant)}
            </span>
            {s?.treatment_n !== undefined && s.control_n !== s.treatment_n && (
              <span className="muted small" data-testid="xp-treatment-n">
                {fmtInt(s.treatment_n)} per treatment arm
              </span>
            )}
          </div>
          <div className="xp-stat">
            <span className="xp-stat-label">Total</span>
            <span className="xp-stat-value" data-testid="xp-total">
              {fmtInt(s?.total)}
            </span>
          </div>
          <div className="xp-stat">
            <span className="xp-stat-label">Duration</span>
            <span className="xp-stat-value" data-testid="xp-duration">
              {dur?.days != null ? plural(dur.days, 'day') : '—'}
            </span>
            {dur?.weeks != null && (
              <span className="muted small">
                {plural(dur.weeks, 'week')}
                {dur.days_needed != null && dur.days_needed !== dur.days ? ` · ${plural(dur.days_needed, 'day')} of traffic` : ''}
              </span>
            )}
          </div>
          {s && (
            <div className="xp-stat wide">
              <span className="xp-stat-label">Detects</span>
              <span>
                {fmtNum(s.mde_absolute, 3)} {rate ? 'pp' : 'units'} absolute · {fmtNum(s.mde_relative, 2)}% relative
              </span>
              <span className="muted small">
                power {fmtFraction(s.power, 0)} · α {s.alpha}
                {s.variants > 2 ? ` (${fmtNum(s.alpha_per_comparison, 4)} per comparison)` : ''} · {s.method}
              </span>
            </div>
          )}
          {pa && (
            <div className="xp-stat wide" data-testid="xp-power-analysis">
              <span className="xp-stat-label">With {fmtInt(pa.total)} users</span>
              <span>
                {pa.power_at_mde !== null && (
                  <>
                    <strong data-testid="xp-design-power-at-mde">{fmtFraction(pa.power_at_mde, 1)}</strong> power at the MDE ·{' '}
                  </>
                )}
                detects{' '}
                <strong data-testid="xp-mde-at-power">
                  {fmtNum(pa.mde_absolute, 3)} {rate ? 'pp' : 'units'}
                </strong>
                {pa.mde_relative !== null && <> ({fmtNum(pa.mde_relative, 2)}% relative)</>} at {fmtFraction(s?.power ?? 0.8, 0)} power
              </span>
              <span className="muted small">
                {fmtInt(pa.control_n)} control, {fmtInt(pa.treatment_n)} per treatment arm
              </span>
            </div>
          )}
          {pending && <Badge tone="muted">updating…</Badge>}
        </div>
        {problem && (
          <div className="note warn" role="alert">
            {problem}
          </div>
        )}
        <ErrorNote message={problem ? null : error} />
        {dur && (
          <p className="muted small" data-testid="xp-duration-rationale">
            {dur.rationale}
          </p>
        )}

        <details className="xp-more">
          <summary>Secondary metrics, guardrails and randomization</summary>
          <TextField label="Secondary metrics (comma-separated)" value={form.secondary} onChange={set('secondary')} placeholder="retention_7, sum_gamerounds" />
          <GuardrailEditor rows={form.guardrails} onChange={set('guardrails')} rate={rate} />
          <div className="xp-grid">
            <TextField label="Randomization unit" value={form.unit} onChange={set('unit')} />
            <TextField label="Stratify by (comma-separated)" value={form.stratification} onChange={set('stratification')} placeholder="platform, country" />
          </div>
        </details>
      </Panel>
      {result && <DesignDetails result={result} />}
    </div>
  );
}
