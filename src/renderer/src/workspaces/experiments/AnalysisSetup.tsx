import { useId } from 'react';
import type { Dataset } from '../../../../shared/contract';
import { useCall } from '../../api/hooks';
import { ErrorNote } from '../../components/ui';
import { dateColumns, defaultsFor, metricColumns, segmentColumns, treatmentArms, variantCandidates, type AnalysisConfig } from './analysisConfig';
import { NumberField, SelectField } from './fields';
import { ImportButton } from './ImportButton';

/** Dataset, variant column and values, metrics, guardrails and segments: shared by analyzer and causal panel. */
export function AnalysisSetup({ config, onChange }: { config: AnalysisConfig; onChange: (c: AnalysisConfig) => void }) {
  const list = useCall('datasets:list', {});
  const datasets = list.data?.datasets ?? [];
  const dataset = datasets.find((d) => d.id === config.datasetId) ?? null;
  const listId = useId();
  const set = (patch: Partial<AnalysisConfig>) => onChange({ ...config, ...patch });

  const chooseDataset = (d: Dataset | undefined) => onChange(d ? defaultsFor(d) : { ...config, datasetId: '' });
  const metrics = metricColumns(dataset);
  const variantCol = dataset?.columns.find((c) => c.name === config.variantColumn);
  const values = variantCol?.sample ?? [];
  const toggle = (name: string, on: boolean) => set({ secondary: on ? [...config.secondary, name] : config.secondary.filter((m) => m !== name) });
  const toggleGuard = (name: string, on: boolean) => {
    const g = { ...config.guardrails };
    if (on) g[name] = '2';
    else delete g[name];
    set({ guardrails: g });
  };

  return (
    <div className="xp-setup">
      <ErrorNote message={list.error} />
      {list.data && !list.loading && config.datasetId && !dataset && (
        <div className="note warn">The dataset chosen earlier no longer exists; choose another one.</div>
      )}
      <div className="xp-grid">
        <SelectField
          label="Dataset (one row per user, or one export per arm)"
          value={config.datasetId}
          placeholder={datasets.length ? 'Choose a dataset…' : 'No datasets yet'}
          onChange={(id) => chooseDataset(datasets.find((d) => d.id === id))}
          testId="xp-dataset"
          options={datasets.map((d) => ({ value: d.id, label: `${d.name} (${d.kind.replace('_', ' ')}, ${d.rowCount.toLocaleString('en-US')} rows)` }))}
        />
        <ImportButton
          onImported={(d) => {
            list.reload();
            chooseDataset(d);
          }}
        />
      </div>
      {dataset && (
        <>
          <div className="xp-grid">
            <SelectField
              label="Variant column"
              value={config.variantColumn}
              placeholder="Choose…"
              testId="xp-variant-col"
              onChange={(v) => {
                const vals = [...(dataset.columns.find((c) => c.name === v)?.sample ?? [])].sort();
                set({ variantColumn: v, control: vals[0] ?? '', treatment: vals[1] ?? '' });
              }}
              options={variantCandidates(dataset).map((c) => ({ value: c.name, label: c.name }))}
            />
            <div className="xp-field">
              <label htmlFor={`${listId}-c`}>Control value</label>
              <input
                id={`${listId}-c`}
                type="text"
                list={listId}
                value={config.control}
                onChange={(e) => set({ control: e.target.value })}
                data-testid="xp-control"
              />
            </div>
            <div className="xp-field">
              <label htmlFor={`${listId}-t`}>Treatment value(s)</label>
              <input
                id={`${listId}-t`}
                type="text"
                list={listId}
                value={config.treatment}
                onChange={(e) => set({ treatment: e.target.value })}
                data-testid="xp-treatment"
                aria-describedby={`${listId}-th`}
              />
              <span id={`${listId}-th`} className="muted small">
                Several arms (A/B/n): separate with commas{values.length > 2 ? ', or tick them below' : ''}.
                {variantCol?.distinct !== undefined &&
                  variantCol.distinct > values.length &&
                  ` The column has ${variantCol.distinct} values; the import sample shows ${values.join(', ')}.`}
              </span>
              {values.length > 2 && (
                <div className="xp-seg" data-testid="xp-arms">
                  {[...values]
                    .sort()
                    .filter((v) => v !== config.control)
                    .map((v) => {
                      const arms = treatmentArms(config);
                      return (
                        <label key={v} className="xp-check">
                          <input
                            type="checkbox"
                            checked={arms.includes(v)}
                            data-testid={`xp-arm-${v}`}
                            onChange={(e) => set({ treatment: (e.target.checked ? [...arms, v] : arms.filter((a) => a !== v)).join(', ') })}
                          />{' '}
                          {v}
                        </label>
                      );
                    })}
                </div>
              )}
            </div>
            <datalist id={listId}>
              {values.map((v) => (
                <option key={v} value={v} />
              ))}
            </datalist>
            <SelectField
              label="Primary metric"
              value={config.primary}
              placeholder="Choose…"
              testId="xp-primary"
              onChange={(v) => set({ primary: v, secondary: config.secondary.filter((m) => m !== v) })}
              options={metrics.map((c) => ({ value: c.name, label: `${c.name} (${c.type === 'boolean' || c.distinct === 2 ? 'rate' : 'mean'})` }))}
            />
          </div>
          <div className="xp-grid">
            <fieldset className="xp-fieldset">
              <legend>Secondary metrics</legend>
              {metrics
                .filter((c) => c.name !== config.primary)
                .map((c) => (
                  <label key={c.name} className="xp-check">
                    <input
                      type="checkbox"
                      checked={config.secondary.includes(c.name)}
                      onChange={(e) => toggle(c.name, e.target.checked)}
                      data-testid={`xp-secondary-${c.name}`}
                    />{' '}
                    {c.name}
                  </label>
                ))}
              {metrics.length < 2 && <p className="muted small">No other numeric or yes/no columns.</p>}
              <RatioPicker value={config.ratio ?? ''} columns={metrics.map((c) => c.name)} onChange={(ratio) => set({ ratio })} />
            </fieldset>
            <fieldset className="xp-fieldset">
              <legend>Guardrails (must not drop by more than the margin)</legend>
              {metrics.length < 2 && <p className="muted small">No other numeric or yes/no columns to guard.</p>}
              {metrics
                .filter((c) => c.name !== config.primary)
                .map((c) => {
                  const on = c.name in config.guardrails;
                  return (
                    <div key={c.name} className="xp-guard-pick">
                      <label className="xp-check">
                        <input type="checkbox" checked={on} onChange={(e) => toggleGuard(c.name, e.target.checked)} data-testid={`xp-guardrail-${c.name}`} />{' '}
                        {c.name}
                      </label>
                      {on && (
                        <label className="small">
                          margin{' '}
                          <input
                            type="number"
                            min={0.01}
                            step={0.5}
                            value={config.guardrails[c.name]}
                            aria-label={`${c.name} margin in percent`}
                            onChange={(e) => set({ guardrails: { ...config.guardrails, [c.name]: e.target.value } })}
                          />{' '}
                          % relative
                        </label>
                      )}
                    </div>
                  );
                })}
            </fieldset>
            <fieldset className="xp-fieldset">
              <legend>Options</legend>
              <SelectField
                label="Segment by"
                value={config.segmentBy}
                placeholder="No segment breakdown"
                testId="xp-segment"
                onChange={(v) => set({ segmentBy: v })}
                options={segmentColumns(dataset, config.variantColumn).map((c) => ({ value: c.name, label: c.name }))}
              />
              <SelectField
                label="Date column (daily effect, temporal check)"
                value={config.dateColumn}
                placeholder="None"
                testId="xp-date-col"
                onChange={(v) => set({ dateColumn: v })}
                options={dateColumns(dataset).map((c) => ({ value: c.name, label: c.name }))}
              />
              <NumberField
                label="Planned share in treatment"
                suffix="%"
                value={config.treatmentShare ?? '50'}
                onChange={(v) => set({ treatmentShare: v })}
                min={1}
                max={99}
                step={5}
                testId="xp-share"
              />
              <NumberField
                label="Planned MDE (for power)"
                suffix="% relative"
                value={config.plannedMde ?? ''}
                onChange={(v) => set({ plannedMde: v })}
                min={0}
                step={1}
                hint="Optional: from the design."
                optional
              />
              <label className="xp-check">
                <input
                  type="checkbox"
                  checked={config.sequential === true}
                  onChange={(e) => set({ sequential: e.target.checked })}
                  data-testid="xp-sequential"
                />{' '}
                Results were checked daily (always-valid p-value)
              </label>
              <SelectField
                label="Engine"
                value={config.engine ?? ''}
                onChange={(v) => set({ engine: v === 'bayesian' || v === 'frequentist' ? v : '' })}
                testId="xp-engine"
                options={[
                  { value: '', label: 'Settings default' },
                  { value: 'frequentist', label: 'Frequentist (p-values, confidence intervals)' },
                  { value: 'bayesian', label: 'Bayesian (chance to win, risk)' },
                ]}
              />
              {config.engine === 'bayesian' && (
                <NumberField
                  label="Prior on the lift: sd"
                  suffix="% (mean 0)"
                  value={config.priorSd ?? ''}
                  onChange={(v) => set({ priorSd: v })}
                  min={0}
                  step={5}
                  testId="xp-prior-sd"
                  hint="Empty: flat prior (the data alone). 30 = lifts beyond ±60% are a priori unlikely."
                  optional
                />
              )}
              <NumberField label="Significance level α" value={config.alpha} onChange={(v) => set({ alpha: v })} min={0} max={0.5} step={0.01} />
              <SelectField
                label="Correction for several arms/metrics/segments"
                value={config.correction}
                onChange={(v) => set({ correction: v === 'bh' || v === 'bonferroni' ? v : 'holm' })}
                options={[
                  { value: 'holm', label: 'Holm (family-wise error)' },
                  { value: 'bonferroni', label: 'Bonferroni (family-wise error, simplest)' },
                  { value: 'bh', label: 'Benjamini–Hochberg (false discovery rate)' },
                ]}
              />
            </fieldset>
          </div>
        </>
      )}
    </div>
  );
}

/** A ratio metric (Σnumerator / Σdenominator per arm, e.g. revenue per session), read with the delta method. */
function RatioPicker({ value, columns, onChange }: { value: string; columns: string[]; onChange: (v: string) => void }) {
  const [num = '', den = ''] = value ? value.split('/') : [];
  const set = (n: string, d: string) => onChange(n && d ? `${n}/${d}` : n || d ? `${n}/${d}` : '');
  return (
    <div className="xp-ratio" data-testid="xp-ratio">
      <span className="small">Ratio metric (per unit, delta method)</span>
      <div className="xp-input-row">
        <select aria-label="Ratio numerator" value={num} onChange={(e) => set(e.target.value, den)} data-testid="xp-ratio-num">
          <option value="">numerator…</option>
          {columns.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        <span aria-hidden="true">/</span>
        <select aria-label="Ratio denominator" value={den} onChange={(e) => set(num, e.target.value)} data-testid="xp-ratio-den">
          <option value="">denominator…</option>
          {columns.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
