import { IafaError, type MetricSpec } from '../../shared/contract';
import { summarize, summarizeRatio } from '../stats';
import type { MetricData } from './metrics';
import { asRatio, guardrailInputs, metricName, requireMetrics, type PreparedExperiment, type RawGuardrail } from './prepared';
import { dayOf } from './aggregate-table';
import { cachedConverters, cellKey, columnKind, requireColumn, rowCount, type Cell, type Table } from './table';

export interface UserTableSpec {
  variantColumn: string;
  control?: string;
  treatment?: string;
  metrics: readonly MetricSpec[];
  guardrails?: readonly RawGuardrail[];
  segmentBy?: readonly string[];
  dateColumn?: string;
  covariate?: string;
  lowerIsBetter?: readonly string[];
}

/** Segment values beyond this many (largest first) are left out: a 500-row breakdown is noise. */
const MAX_SEGMENT_VALUES = 50;

/**
 * The control and treatment among a variant column's values (sorted): both given and present, or
 * guessed when there are exactly two (the one that looks like a control is control). The same
 * checks and messages for a table's rows and a backend's aggregates (prepare-aggregates.ts).
 */
export function choosePair(values: string[], variantColumn: string, control?: string, treatment?: string): { control: string; treatment: string } {
  const list = values.map((v) => `"${v}"`).join(', ') || '(none)';
  if (values.length < 2) {
    throw new IafaError(
      'validation',
      `The variant column "${variantColumn}" has ${values.length === 0 ? 'no values' : `only one value (${list})`}; an experiment needs at least 2 variants.`,
      { reason: 'too_few_variants', values },
    );
  }
  if (!control || !treatment) {
    if (values.length !== 2)
      throw new IafaError(
        'validation',
        `The variant column "${variantColumn}" has ${values.length} values (${list}); say which is control and which is treatment.`,
        { reason: 'ambiguous_variants', values },
      );
    // Two values: the one that looks like a control is control, otherwise alphabetical order.
    const ctl = control ?? values.find((v) => /control|baseline|^a$|off/i.test(v)) ?? values[0];
    control = ctl;
    treatment = treatment ?? values.find((v) => v !== ctl) ?? values[1];
  }
  for (const [role, v] of [
    ['control', control],
    ['treatment', treatment],
  ] as const) {
    if (!values.includes(v))
      throw new IafaError('validation', `The ${role} value "${v}" does not occur in column "${variantColumn}". Values: ${list}.`, {
        reason: 'unknown_variant',
        values,
      });
  }
  if (control === treatment) throw new IafaError('validation', 'Control and treatment must be different variant values.');
  return { control, treatment };
}

function pickArms(table: Table, spec: UserTableSpec): { control: string; treatment: string; rows: { c: number[]; t: number[] }; warnings: string[] } {
  const col = requireColumn(table, spec.variantColumn, 'variant');
  const counts = new Map<string, number>();
  for (const v of col) if (v !== null) counts.set(cellKey(v), (counts.get(cellKey(v)) ?? 0) + 1);
  const values = [...counts.keys()].sort();
  const { control, treatment } = choosePair(values, spec.variantColumn, spec.control, spec.treatment);
  const rows = { c: [] as number[], t: [] as number[] };
  col.forEach((v, i) => {
    const k = v === null ? null : cellKey(v);
    if (k === control) rows.c.push(i);
    else if (k === treatment) rows.t.push(i);
  });
  const others = values.filter((v) => v !== control && v !== treatment);
  const warnings = others.length ? [`Variant values ignored (only ${control} vs ${treatment} is analyzed): ${others.join(', ')}.`] : [];
  return { control, treatment, rows, warnings };
}

function metricData(
  name: string,
  col: readonly Cell[],
  kind: 'rate' | 'mean',
  c: readonly number[],
  t: readonly number[],
  cov?: { name: string; col: readonly Cell[] },
): MetricData {
  const { binary: toBinary, number: toNumber } = cachedConverters();
  if (kind === 'rate') {
    const prop = (rows: readonly number[]) => {
      let n = 0;
      let x = 0;
      for (const i of rows) {
        const b = toBinary(col[i]);
        if (b === null) continue;
        n++;
        x += b;
      }
      return { successes: x, n };
    };
    return { kind, name, control: prop(c), treatment: prop(t) };
  }
  const values = (rows: readonly number[]) => {
    const y: number[] = [];
    const x: number[] = [];
    for (const i of rows) {
      const v = toNumber(col[i]);
      if (v === null) continue;
      if (cov) {
        const xv = toNumber(cov.col[i]);
        if (xv === null) continue;
        x.push(xv);
      }
      y.push(v);
    }
    return { y, x };
  };
  const cv = values(c);
  const tv = values(t);
  const d: MetricData = { kind, name, control: summarize(cv.y), treatment: summarize(tv.y) };
  if (cov) d.cupedInput = { covariate: cov.name, control: cv, treatment: tv };
  return d;
}

/**
 * A ratio metric over units (Σnumerator/Σdenominator, e.g. revenue/sessions): each unit is
 * replaced by its delta-method linearisation R + (m − R·d)/d̄ (R and d̄ of its own arm), whose mean
 * is R and whose variance/n is the delta-method variance of R. The Welch machinery (tests,
 * intervals, guardrails, power, CUPED on the linearised values) then applies unchanged.
 */
function ratioData(
  name: string,
  num: { name: string; col: readonly Cell[] },
  den: { name: string; col: readonly Cell[] },
  c: readonly number[],
  t: readonly number[],
  cov?: { name: string; col: readonly Cell[] },
): MetricData {
  const { number: toNumber } = cachedConverters();
  const arm = (rows: readonly number[]) => {
    const m: number[] = [];
    const d: number[] = [];
    const x: number[] = [];
    for (const i of rows) {
      const mv = toNumber(num.col[i]);
      const dv = toNumber(den.col[i]);
      if (mv === null || dv === null) continue;
      if (cov) {
        const xv = toNumber(cov.col[i]);
        if (xv === null) continue;
        x.push(xv);
      }
      m.push(mv);
      d.push(dv);
    }
    const s = summarizeRatio(m, d);
    if (!(s.n > 0) || s.mean_d === 0) return { y: [] as number[], x, summary: { mean: NaN, sd: NaN, n: s.n } };
    const r = s.mean_m / s.mean_d;
    const y = m.map((v, i) => r + (v - r * d[i]) / s.mean_d);
    return { y, x, summary: { ...summarize(y), mean: r } };
  };
  const ca = arm(c);
  const ta = arm(t);
  const out: MetricData = { kind: 'mean', name, control: ca.summary, treatment: ta.summary, ratio: { numerator: num.name, denominator: den.name } };
  if (cov) out.cupedInput = { covariate: cov.name, control: { y: ca.y, x: ca.x }, treatment: { y: ta.y, x: ta.x } };
  return out;
}

export function prepareUserTable(table: Table, spec: UserTableSpec): PreparedExperiment {
  requireMetrics(spec.metrics);
  if (rowCount(table) === 0) throw new IafaError('validation', 'The table has no rows.');
  const { control, treatment, rows, warnings } = pickArms(table, spec);
  const names = Object.keys(table.columns);
  const kinds = new Map<string, 'rate' | 'mean'>();
  const numeric = (col: string, role: string) => {
    const values = requireColumn(table, col, role);
    if (columnKind([...rows.c, ...rows.t].map((i) => values[i])) === 'invalid')
      throw new IafaError('validation', `The ${role} column "${col}" is not numeric.`, { reason: 'invalid_metric', column: col });
    return { name: col, col: values };
  };
  const build = (s: MetricSpec, withCovariate: boolean): MetricData => {
    const r = asRatio(s, names);
    if (r) {
      const cov = withCovariate && spec.covariate ? { name: spec.covariate, col: requireColumn(table, spec.covariate, 'covariate') } : undefined;
      return ratioData(r.name, numeric(r.numerator, 'numerator'), numeric(r.denominator, 'denominator'), rows.c, rows.t, cov);
    }
    const name = metricName(s);
    const col = requireColumn(table, name, 'metric');
    let kind = kinds.get(name);
    if (!kind) {
      const k = columnKind([...rows.c, ...rows.t].map((i) => col[i]));
      if (k === 'invalid')
        throw new IafaError('validation', `The metric column "${name}" is neither 0/1 (a rate) nor numeric (a mean).`, {
          reason: 'invalid_metric',
          column: name,
        });
      kind = k;
      kinds.set(name, k);
    }
    const cov =
      withCovariate && spec.covariate && kind === 'mean' ? { name: spec.covariate, col: requireColumn(table, spec.covariate, 'covariate') } : undefined;
    return metricData(name, col, kind, rows.c, rows.t, cov);
  };
  const metrics = spec.metrics.map((s) => build(s, true));
  if (spec.covariate && metrics.every((m) => m.kind !== 'mean')) warnings.push(`CUPED covariate "${spec.covariate}" ignored: it applies to mean metrics only.`);
  const primary = metrics[0];
  const primarySpec = spec.metrics[0];
  const primaryFor = (c: readonly number[], t: readonly number[]): MetricData => {
    const r = asRatio(primarySpec, names);
    if (r) return ratioData(r.name, numeric(r.numerator, 'numerator'), numeric(r.denominator, 'denominator'), c, t);
    return metricData(primary.name, requireColumn(table, primary.name, 'metric'), primary.kind, c, t);
  };
  for (const m of metrics) {
    const missing = rows.c.length + rows.t.length - m.control.n - m.treatment.n;
    if (missing > 0) warnings.push(`${m.name}: ${missing.toLocaleString('en-US')} rows with an empty or unreadable value were left out.`);
  }
  const guardrails = guardrailInputs(spec.guardrails ?? [], spec.lowerIsBetter ?? []).map((g) => ({ data: build(g.spec, false), rule: g.rule }));

  const segments: PreparedExperiment['segments'] = [];
  for (const column of spec.segmentBy ?? []) {
    const seg = requireColumn(table, column, 'segment');
    const groups = new Map<string, { c: number[]; t: number[] }>();
    const add = (i: number, arm: 'c' | 't') => {
      const k = cellKey(seg[i]);
      const g = groups.get(k) ?? { c: [], t: [] };
      g[arm].push(i);
      groups.set(k, g);
    };
    rows.c.forEach((i) => add(i, 'c'));
    rows.t.forEach((i) => add(i, 't'));
    const ordered = [...groups.entries()].sort((a, b) => b[1].c.length + b[1].t.length - (a[1].c.length + a[1].t.length));
    if (ordered.length > MAX_SEGMENT_VALUES)
      warnings.push(`Segment column "${column}" has ${ordered.length} values; only the ${MAX_SEGMENT_VALUES} largest are analyzed.`);
    for (const [value, g] of ordered.slice(0, MAX_SEGMENT_VALUES)) {
      segments.push({ column, value, data: primaryFor(g.c, g.t) });
    }
  }

  const daily: PreparedExperiment['daily'] = [];
  const looks: PreparedExperiment['looks'] = [];
  if (spec.dateColumn) {
    const dates = requireColumn(table, spec.dateColumn, 'date');
    const byDay = new Map<string, { c: number[]; t: number[] }>();
    for (const [arm, list] of [
      ['c', rows.c],
      ['t', rows.t],
    ] as const) {
      for (const i of list) {
        const d = dayOf(dates[i]);
        if (d === null) continue;
        const g = byDay.get(d) ?? { c: [], t: [] };
        g[arm].push(i);
        byDay.set(d, g);
      }
    }
    const cum = { c: [] as number[], t: [] as number[] };
    for (const [date, g] of [...byDay.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      const d = primaryFor(g.c, g.t);
      daily.push(dailyPoint(date, d));
      cum.c.push(...g.c);
      cum.t.push(...g.t);
      const s = primaryFor(cum.c, cum.t);
      looks.push(snapshot(s));
    }
  }
  return {
    source: 'user_table',
    variantColumn: spec.variantColumn,
    controlLabel: control,
    treatmentLabel: treatment,
    metrics,
    guardrails,
    srmCounts: [rows.c.length, rows.t.length],
    srmUnit: 'rows (units)',
    segments,
    segmentBy: [...(spec.segmentBy ?? [])],
    daily,
    looks,
    stageData: null,
    warnings,
  };
}

export function valueOf(d: MetricData, arm: 'control' | 'treatment'): number | null {
  const a = d[arm];
  if (a.n === 0) return null;
  return d.kind === 'rate' ? ((d[arm] as { successes: number }).successes / a.n) * 100 : (a as { mean: number }).mean;
}

export function dailyPoint(date: string, d: MetricData): PreparedExperiment['daily'][number] {
  const c = valueOf(d, 'control');
  const t = valueOf(d, 'treatment');
  return {
    date,
    control_n: d.control.n,
    treatment_n: d.treatment.n,
    control_value: c,
    treatment_value: t,
    difference: c !== null && t !== null ? t - c : null,
  };
}

export function snapshot(d: MetricData): PreparedExperiment['looks'][number] {
  const arm = (a: 'control' | 'treatment') => {
    if (d.kind === 'rate') {
      const p = d[a].n ? d[a].successes / d[a].n : 0;
      return { mean: p, variance: p * (1 - p), n: d[a].n };
    }
    return { mean: d[a].mean, variance: d[a].sd ** 2, n: d[a].n };
  };
  return { control: arm('control'), treatment: arm('treatment') };
}
