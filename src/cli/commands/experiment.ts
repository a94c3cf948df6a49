import { IafaError } from '../../shared/contract';
import type { AnalyzeInput, CausalInput, DesignInput, DesignResult, ExperimentAnalysis, GuardrailSpec, CausalResult } from '../../shared/contract/experiments';
import { formatTable, type Command, type CommandArgs } from '../framework';
import { LLM_OPTIONS, llmOptionsFromArgs } from '../llm-flags';
import { renderNarrative } from '../narrative';

type Values = CommandArgs['values'];

function str(v: Values, k: string): string | undefined {
  const x = v[k];
  return typeof x === 'string' ? x : undefined;
}

function list(v: Values, k: string): string[] {
  const x = v[k];
  const arr = Array.isArray(x) ? x.map(String) : typeof x === 'string' ? [x] : [];
  return arr
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

function num(v: Values, k: string): number | undefined {
  const s = str(v, k);
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isFinite(n)) throw new IafaError('validation', `--${k} must be a number (got "${s}").`);
  return n;
}

/** `iafa experiment design` flags → the experiment:design input. Rates are fractions; --mde is relative unless --mde-absolute. */
export function designInputFromArgs(v: Values): DesignInput {
  const baseline = num(v, 'baseline');
  const mde = num(v, 'mde');
  const n = num(v, 'n');
  const days = num(v, 'duration');
  if (baseline === undefined) throw new IafaError('validation', '--baseline is required (the current rate as a fraction, e.g. 0.15; or the mean with --sd).');
  if (mde === undefined && n === undefined && days === undefined)
    throw new IafaError(
      'validation',
      '--mde is required (relative, e.g. 0.10 for +10%; absolute with --mde-absolute), unless --n or --duration asks for the MDE a sample allows.',
    );
  const sd = num(v, 'sd');
  const input: DesignInput = {
    ...(mde !== undefined ? { mde } : {}),
    mde_type: v['mde-absolute'] ? 'absolute' : 'relative',
    ...(sd !== undefined ? { metric_type: 'mean', baseline_mean: baseline, baseline_sd: sd } : { baseline_rate: baseline }),
  };
  const opt = {
    alpha: num(v, 'alpha'),
    power: num(v, 'power'),
    daily_users: num(v, 'daily-users'),
    variants: num(v, 'variants'),
    allocation: num(v, 'allocation'),
    ratio: num(v, 'ratio'),
    sample_size: n,
    duration_days: days,
  };
  if (v['one-sided']) input.alternative = 'one-sided';
  for (const [k, x] of Object.entries(opt)) if (x !== undefined) (input as Record<string, unknown>)[k] = x;
  if (str(v, 'hypothesis')) input.hypothesis = str(v, 'hypothesis');
  if (str(v, 'metric')) input.primary_metric = str(v, 'metric');
  const g = list(v, 'guardrail');
  if (g.length) input.guardrails = g.map(parseGuardrail);
  if (v['no-save']) input.save = false;
  return input;
}

/** `name`, `name:0.05` (relative margin) or `name:0.01:absolute`. */
export function parseGuardrail(s: string): GuardrailSpec {
  const [metric, margin, type] = s.split(':').map((x) => x.trim());
  if (margin === undefined) return metric;
  const m = Number(margin);
  if (!(m > 0)) throw new IafaError('validation', `Guardrail "${s}": the margin must be a positive number.`);
  if (type !== undefined && type !== 'absolute' && type !== 'relative')
    throw new IafaError('validation', `Guardrail "${s}": the margin type is "relative" or "absolute".`);
  return { metric, margin: m, margin_type: type === 'absolute' ? 'absolute' : 'relative', direction: 'higher_is_better' };
}

/** `iafa experiment analyze` flags → the experiment:analyze input. */
export function analyzeInputFromArgs(positionals: string[], v: Values): AnalyzeInput {
  const input: AnalyzeInput = { metrics: list(v, 'metric') };
  if (!input.metrics?.length) throw new IafaError('validation', '--metric is required (one or more columns; the first is the primary metric).');
  const cf = str(v, 'control-file');
  const tf = str(v, 'treatment-file');
  if (cf || tf) {
    if (!cf || !tf) throw new IafaError('validation', 'Give both --control-file and --treatment-file.');
    input.control_file = cf;
    input.treatment_file = tf;
  } else if (positionals[0]) input.file = positionals[0];
  else if (str(v, 'dataset')) input.datasetId = str(v, 'dataset');
  else throw new IafaError('validation', 'Give the data: a CSV file, --dataset <id>, or --control-file and --treatment-file.');
  if (input.file || input.datasetId) {
    const col = str(v, 'variant-col');
    if (!col) throw new IafaError('validation', '--variant-col is required for a user-level table.');
    input.variant_column = col;
  }
  if (str(v, 'control')) input.control = str(v, 'control');
  const arms = list(v, 'treatment');
  if (arms.length === 1) input.treatment = arms[0];
  else if (arms.length > 1) input.treatments = arms;
  const engine = str(v, 'engine');
  if (engine) {
    if (engine !== 'frequentist' && engine !== 'bayesian') throw new IafaError('validation', '--engine is frequentist or bayesian.');
    input.engine = engine;
  }
  const priorSd = num(v, 'prior-sd');
  if (priorSd !== undefined) {
    if (!(priorSd > 0)) throw new IafaError('validation', '--prior-sd must be positive (a fraction of the control value, e.g. 0.3).');
    input.prior = { mean: num(v, 'prior-mean') ?? 0, sd: priorSd };
  }
  const split = list(v, 'planned-split').map(Number);
  if (split.length) {
    if (split.some((x) => !(x > 0))) throw new IafaError('validation', '--planned-split takes positive weights, control first (e.g. 50,25,25).');
    input.planned_split = split;
  }
  const guard = list(v, 'guardrail');
  if (guard.length) input.guardrails = guard.map(parseGuardrail);
  const seg = list(v, 'segment-by');
  if (seg.length) input.segment_by = seg;
  const lower = list(v, 'lower-is-better');
  if (lower.length) input.lower_is_better = lower;
  for (const [flag, key] of [
    ['date-col', 'date_column'],
    ['covariate', 'covariate'],
    ['srm-col', 'srm_column'],
    ['funnel', 'funnelId'],
  ] as const) {
    const x = str(v, flag);
    if (x) input[key] = x;
  }
  const alpha = num(v, 'alpha');
  if (alpha !== undefined) input.alpha = alpha;
  const mde = num(v, 'mde');
  if (mde !== undefined) input.mde = mde;
  if (v['mde-absolute']) input.mde_type = 'absolute';
  const corr = str(v, 'correction');
  if (corr) {
    if (corr !== 'holm' && corr !== 'bh' && corr !== 'bonferroni') throw new IafaError('validation', '--correction is holm, bh or bonferroni.');
    input.correction = corr;
  }
  const ci = str(v, 'ci');
  if (ci) {
    if (ci !== 'wald' && ci !== 'newcombe') throw new IafaError('validation', '--ci is wald or newcombe.');
    input.ci_method = ci;
  }
  if (v.sequential) input.sequential = {};
  if (v['no-save']) input.save = false;
  return input;
}

export function causalInputFromArgs(positionals: string[], v: Values): CausalInput {
  const input: CausalInput = { ...analyzeInputFromArgs(positionals, v) };
  const ext = Array.isArray(v['external-factor']) ? v['external-factor'].map(String) : typeof v['external-factor'] === 'string' ? [v['external-factor']] : [];
  if (ext.length) input.external_factors = ext;
  const stages = list(v, 'stages');
  if (stages.length) input.stage_columns = stages;
  const bal = list(v, 'balance');
  if (bal.length) input.balance_columns = bal;
  return input;
}

const analyzeOptions = {
  'variant-col': { type: 'string' },
  control: { type: 'string' },
  treatment: { type: 'string', multiple: true },
  engine: { type: 'string' },
  'prior-mean': { type: 'string' },
  'prior-sd': { type: 'string' },
  'planned-split': { type: 'string' },
  metric: { type: 'string', multiple: true },
  guardrail: { type: 'string', multiple: true },
  'segment-by': { type: 'string', multiple: true },
  'lower-is-better': { type: 'string', multiple: true },
  alpha: { type: 'string' },
  'control-file': { type: 'string' },
  'treatment-file': { type: 'string' },
  dataset: { type: 'string' },
  funnel: { type: 'string' },
  'date-col': { type: 'string' },
  covariate: { type: 'string' },
  'srm-col': { type: 'string' },
  mde: { type: 'string' },
  'mde-absolute': { type: 'boolean' },
  correction: { type: 'string' },
  ci: { type: 'string' },
  sequential: { type: 'boolean' },
  'no-save': { type: 'boolean' },
} as const;

const f2 = (x: number | null, unit = '') => (x === null ? 'n/a' : `${x.toFixed(2)}${unit}`);
const fp = (p: number | null) => (p === null ? 'n/a' : p < 0.001 ? '<0.001' : p.toFixed(3));

export function renderDesign(r: DesignResult): string {
  const d = r.experiment_design;
  const s = d.sample_size;
  const lines = [
    `Primary metric: ${d.primary_metric.name} (baseline ${d.primary_metric.unit === 'percent' ? `${d.primary_metric.baseline.toFixed(2)}%` : d.primary_metric.baseline})`,
    `MDE: ${d.primary_metric.unit === 'percent' ? `${s.mde_absolute.toFixed(2)} pp` : s.mde_absolute} (${s.mde_relative.toFixed(1)}% relative)   alpha ${s.alpha}   power ${s.power}   variants ${s.variants}`,
    s.control_n !== undefined && s.control_n !== s.treatment_n
      ? `Sample size: ${s.control_n.toLocaleString('en-US')} control, ${(s.treatment_n as number).toLocaleString('en-US')} per treatment arm, ${s.total.toLocaleString('en-US')} total (${s.alternative ?? 'two-sided'})`
      : `Sample size: ${s.per_variant.toLocaleString('en-US')} per variant, ${s.total.toLocaleString('en-US')} total${s.alternative === 'one-sided' ? ' (one-sided)' : ''}`,
    ...(d.power_analysis ? [powerLine(d)] : []),
    `Duration: ${d.duration.days === null ? 'n/a' : `${d.duration.days} days (${d.duration.weeks} weeks)`}. ${d.duration.rationale}`,
    `Randomization: ${d.randomization.method}, split ${d.randomization.split}`,
    ...r.warnings.map((w) => `warning: ${w}`),
  ];
  return lines.join('\n') + '\n';
}

function powerLine(d: DesignResult['experiment_design']): string {
  const pa = d.power_analysis as NonNullable<DesignResult['experiment_design']['power_analysis']>;
  const unit = d.primary_metric.unit === 'percent' ? ' pp' : '';
  const rel = pa.mde_relative === null ? '' : ` (${pa.mde_relative.toFixed(1)}% relative)`;
  return `With ${pa.total.toLocaleString('en-US')} users (${pa.control_n.toLocaleString('en-US')} control, ${pa.treatment_n.toLocaleString('en-US')} per treatment): ${pa.power_at_mde === null ? '' : `power ${(pa.power_at_mde * 100).toFixed(1)}% at the MDE; `}detectable effect at ${d.sample_size.power * 100}% power ${pa.mde_absolute.toFixed(3)}${unit}${rel}`;
}

/** A/B/n: one row per arm and metric, then the k-arm SRM, each arm's decision and the arm to ship. */
export function renderMultiArm(a: ExperimentAnalysis): string {
  const m = a.multi_arm as NonNullable<ExperimentAnalysis['multi_arm']>;
  const bayes = a.engine === 'bayesian';
  const rows = (a.arms ?? []).flatMap((arm) =>
    [arm.primary_metric, ...arm.secondary_metrics].map((x, i) => ({
      arm: i === 0 ? arm.treatment_label : '',
      metric: `${i === 0 ? '* ' : ''}${x.metric}`,
      control: f2(x.control_value, x.kind === 'rate' ? '%' : ''),
      treatment: f2(x.treatment_value, x.kind === 'rate' ? '%' : ''),
      lift: f2(x.relative_lift, '%'),
      ci:
        bayes && x.bayesian
          ? `[${x.bayesian.credible_interval[0].toFixed(2)}, ${x.bayesian.credible_interval[1].toFixed(2)}]%`
          : x.relative_lift_ci
            ? `[${x.relative_lift_ci[0].toFixed(2)}, ${x.relative_lift_ci[1].toFixed(2)}]%`
            : 'n/a',
      p: x.tested ? fp(x.p_value) : 'n/a',
      adj: x.tested ? fp(x.p_value_adjusted) : `not tested: ${x.reason}`,
      ctw: x.bayesian ? `${(x.bayesian.chance_to_win * 100).toFixed(1)}%` : 'n/a',
      risk: x.bayesian ? `${x.bayesian.risk_treatment.toFixed(3)}%` : 'n/a',
      decision: i === 0 ? arm.recommendation.decision : '',
    })),
  );
  const cols = [
    { key: 'arm', title: 'ARM' },
    { key: 'metric', title: 'METRIC' },
    { key: 'control', title: 'CONTROL' },
    { key: 'treatment', title: 'TREATMENT' },
    { key: 'lift', title: 'LIFT' },
    { key: 'ci', title: bayes ? 'CREDIBLE INTERVAL' : 'LIFT CI' },
    ...(bayes
      ? [
          { key: 'ctw', title: 'CHANCE TO WIN' },
          { key: 'risk', title: 'RISK' },
        ]
      : [
          { key: 'p', title: 'P' },
          { key: 'adj', title: `${m.correction.toUpperCase()} P` },
        ]),
    { key: 'decision', title: 'DECISION' },
  ];
  let out = `${m.treatment_labels.join(', ')} vs ${m.control_label} (alpha ${a.alpha}; * primary; ${m.families})\n\n`;
  out += formatTable(rows, cols);
  out += `\nSRM (${m.srm.labels.length} arms): ${m.srm.passed ? 'passed' : 'FAILED'} (chi-square ${m.srm.statistic === null ? 'n/a' : m.srm.statistic.toFixed(3)}, df ${m.srm.df}, p = ${fp(m.srm.p_value)}). ${m.srm.message}\n`;
  const r = a.recommendation;
  out += `\nShip: ${m.ship ?? 'none'}. Decision: ${r.decision} (confidence ${r.confidence}). ${r.rationale}\n${r.next_steps.map((s) => `  - ${s}`).join('\n')}\n`;
  for (const w of a.warnings) out += `warning: ${w}\n`;
  return out;
}

export function renderAnalysis(a: ExperimentAnalysis): string {
  if (a.multi_arm) return renderMultiArm(a);
  const sa = a.statistical_analysis;
  const rows = [sa.primary_metric, ...sa.secondary_metrics].map((m, i) => ({
    metric: `${i === 0 ? '* ' : ''}${m.metric}`,
    control: f2(m.control_value, m.kind === 'rate' ? '%' : ''),
    treatment: f2(m.treatment_value, m.kind === 'rate' ? '%' : ''),
    diff: f2(m.difference, m.kind === 'rate' ? ' pp' : ''),
    lift: f2(m.relative_lift, '%'),
    ci: m.confidence_interval ? `[${m.confidence_interval[0].toFixed(2)}, ${m.confidence_interval[1].toFixed(2)}]` : 'n/a',
    p: m.tested ? fp(m.p_value_adjusted ?? m.p_value) : `not tested: ${m.reason}`,
    sig: m.significant ? 'yes' : 'no',
    ctw: m.bayesian ? `${(m.bayesian.chance_to_win * 100).toFixed(1)}%` : '',
    risk: m.bayesian ? `${m.bayesian.risk_treatment.toFixed(3)}%` : '',
  }));
  const bayes = a.engine === 'bayesian';
  let out = `${a.treatment_label} vs ${a.control_label} (alpha ${a.alpha}; * primary; secondary p-values ${sa.secondary_correction}-adjusted)\n\n`;
  out += formatTable(rows, [
    { key: 'metric', title: 'METRIC' },
    { key: 'control', title: 'CONTROL' },
    { key: 'treatment', title: 'TREATMENT' },
    { key: 'diff', title: 'DIFF' },
    { key: 'lift', title: 'LIFT' },
    { key: 'ci', title: 'CI' },
    { key: 'p', title: 'P' },
    { key: 'sig', title: 'SIG' },
    ...(bayes
      ? [
          { key: 'ctw', title: 'CHANCE TO WIN' },
          { key: 'risk', title: 'RISK' },
        ]
      : []),
  ]);
  for (const m of [sa.primary_metric, ...sa.secondary_metrics]) if (m.tested && m.reason) out += `note: ${m.metric}: ${m.reason}\n`;
  for (const m of [sa.primary_metric, ...sa.secondary_metrics]) if (!m.tested && m.confidence_interval) out += `note: ${m.metric}: ${m.reason}\n`;
  out += `\nSRM: ${a.srm_check.passed ? 'passed' : 'FAILED'} (p = ${fp(a.srm_check.p_value)}). ${a.srm_check.message}\n`;
  const segs = Object.entries(a.segment_analysis);
  if (segs.length) {
    out +=
      '\n' +
      formatTable(
        segs.map(([k, s]) => ({
          seg: k,
          c: f2(s.control),
          t: f2(s.treatment),
          lift: f2(s.lift, '%'),
          p: s.tested ? fp(s.p_value_adjusted) : `not tested: ${s.reason}`,
        })),
        [
          { key: 'seg', title: `SEGMENT (${a.segment_by.join(', ')})` },
          { key: 'c', title: 'CONTROL' },
          { key: 't', title: 'TREATMENT' },
          { key: 'lift', title: 'LIFT' },
          { key: 'p', title: 'ADJ. P' },
        ],
      );
  }
  for (const g of Object.values(a.guardrail_checks)) out += `Guardrail ${g.metric}: ${g.status}. ${g.rule}\n`;
  const r = a.recommendation;
  out += `\nDecision: ${r.decision} (confidence ${r.confidence}). ${r.rationale}\n${r.next_steps.map((s) => `  - ${s}`).join('\n')}\n`;
  for (const w of a.warnings) out += `warning: ${w}\n`;
  return out;
}

export function renderCausal(c: CausalResult): string {
  const k = c.confounding_check;
  const lines = [
    `${c.causal_conclusion.statement} (confidence ${c.causal_conclusion.confidence})`,
    c.causal_conclusion.rationale,
    ...(c.causal_conclusion.not_checked.length ? [`Not checked, so not called causal: ${c.causal_conclusion.not_checked.join('; ')}.`] : []),
    '',
    `Selection bias: ${k.selection_bias.status}. ${k.selection_bias.check}`,
    `Temporal effects: ${k.temporal_effects.status}. ${k.temporal_effects.check}`,
    `Heterogeneity: ${k.heterogeneity.status}. ${k.heterogeneity.check}`,
    `External factors: ${k.external_factors.status}. ${k.external_factors.check}`,
    '',
    `Mechanism: ${c.mechanism.description}`,
    ...c.mechanism.causal_chain.map(
      (s) =>
        `  ${s.step}. ${s.cause} → ${s.effect}${s.confidence_interval ? ` (CI ${s.confidence_interval[0].toFixed(2)} to ${s.confidence_interval[1].toFixed(2)} pp)` : ''}`,
    ),
  ];
  return lines.join('\n') + '\n';
}

export const experimentDesign: Command = {
  path: ['experiment', 'design'],
  summary: 'Sample size, duration and analysis plan for an A/B test.',
  usage:
    'iafa experiment design --baseline 0.15 --mde 0.10 [--mde-absolute] [--alpha 0.05] [--power 0.8] [--daily-users N] [--variants 2] [--ratio 0.9] [--one-sided] [--n 20000 | --duration 14] [--json]',
  details: [
    'Rates are fractions. --mde is relative (0.10 = +10%) unless --mde-absolute (0.015 = +1.5 pp).',
    '--ratio is units in each treatment arm per control unit (90/10 = 0.111); --one-sided plans a one-sided test;',
    '--n (total users) or --duration days (with --daily-users) report the power at the MDE and the MDE that sample allows (--mde optional then).',
    'Mean metrics: --baseline <mean> --sd <standard deviation>. Other options: --allocation 0.5, --hypothesis "...",',
    '--metric "Checkout rate", --guardrail name[:margin[:absolute]] (repeatable), --no-save.',
  ],
  options: {
    baseline: { type: 'string' },
    mde: { type: 'string' },
    'mde-absolute': { type: 'boolean' },
    alpha: { type: 'string' },
    power: { type: 'string' },
    'daily-users': { type: 'string' },
    variants: { type: 'string' },
    allocation: { type: 'string' },
    sd: { type: 'string' },
    hypothesis: { type: 'string' },
    metric: { type: 'string' },
    guardrail: { type: 'string', multiple: true },
    'no-save': { type: 'boolean' },
    ratio: { type: 'string' },
    'one-sided': { type: 'boolean' },
    n: { type: 'string' },
    duration: { type: 'string' },
    ...LLM_OPTIONS,
  },
  async run({ values }, rt) {
    const r = await rt.engine().dispatch('experiment:design', { ...designInputFromArgs(values), llm: llmOptionsFromArgs(values) }, { signal: rt.signal });
    rt.io.stdout(rt.json ? JSON.stringify(r, null, 2) + '\n' : renderDesign(r) + renderNarrative(r.narrative));
  },
};

export const experimentAnalyze: Command = {
  path: ['experiment', 'analyze'],
  summary: 'Significance, SRM, segments, guardrails and a SHIP/ITERATE/ROLLBACK decision.',
  usage:
    'iafa experiment analyze <file|clickhouse://host:port/db/table> --variant-col <col> --control <v> --treatment <v>[,<v>...] --metric <col>[,<col>...] [--guardrail <col>...] [--segment-by <col>] [--alpha 0.05] [--engine frequentist|bayesian] [--json]',
  details: [
    'A/B/n: --treatment B,C reads every arm against control (adjusted p-values, k-arm SRM, a decision per arm, the arm to ship).',
    'Ratio metrics over user columns: --metric revenue/sessions (delta method). Two aggregated files: --control-file a.csv --treatment-file b.csv --metric Enrollments/Clicks',
    '--engine bayesian: chance to beat control, risk and credible interval (flat prior; --prior-sd 0.3 [--prior-mean 0] for a normal prior on the relative lift).',
    'Also: --dataset <id> (imported), --date-col, --covariate (CUPED), --mde, --lower-is-better <col>, --correction holm|bh|bonferroni, --planned-split 50,25,25, --ci wald|newcombe, --sequential, --srm-col, --no-save.',
  ],
  options: { ...analyzeOptions, ...LLM_OPTIONS },
  allowPositionals: true,
  async run({ positionals, values }, rt) {
    const r = await rt
      .engine()
      .dispatch('experiment:analyze', { ...analyzeInputFromArgs(positionals, values), llm: llmOptionsFromArgs(values) }, { signal: rt.signal });
    rt.io.stdout(rt.json ? JSON.stringify(r, null, 2) + '\n' : renderAnalysis(r) + renderNarrative(r.narrative));
  },
};

export const experimentCausal: Command = {
  path: ['experiment', 'causal'],
  summary: 'Causal checks: randomization, balance, temporal stability, heterogeneity, funnel mechanism.',
  usage:
    'iafa experiment causal <file|clickhouse://host:port/db/table> --variant-col <col> --control <v> --treatment <v> --metric <col> [--segment-by <col>] [--balance <cols>] [--date-col <col>] [--stages a,b,c] [--external-factor "..."] [--json]',
  details: ['Accepts every `experiment analyze` option. --stages lists 0/1 columns (user table) or count columns (aggregated files) in funnel order.'],
  options: {
    ...analyzeOptions,
    ...LLM_OPTIONS,
    'external-factor': { type: 'string', multiple: true },
    stages: { type: 'string' },
    balance: { type: 'string' },
  },
  allowPositionals: true,
  async run({ positionals, values }, rt) {
    const r = await rt
      .engine()
      .dispatch('experiment:causal', { ...causalInputFromArgs(positionals, values), llm: llmOptionsFromArgs(values) }, { signal: rt.signal });
    rt.io.stdout(rt.json ? JSON.stringify(r, null, 2) + '\n' : renderCausal(r) + renderNarrative(r.narrative));
  },
};
