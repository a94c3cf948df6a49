import fs from 'node:fs';
import { expect } from 'vitest';
import { parseCsv, type Table } from '../../src/core/experiments';
import { sharedData } from './shared';

/**
 * The real experiment tables and read-outs that the aggregate read-outs (local store, ClickHouse)
 * are checked against the row-by-row read-out on: Cookie Cats (rates and a skewed mean, a
 * derived third arm for A/B/n, CUPED on a covariate), AdSmart (segments, days, sequential, causal
 * balance) and the Udacity pair as one table of days with a variant column (ratio metrics by the
 * delta method, CUPED on a ratio, daily looks).
 */
export function loadCsv(name: string): Table {
  return parseCsv(fs.readFileSync(sharedData(name), 'utf8'));
}

/** Cookie Cats with gate_40 split in two by user id parity (a third arm) and a covariate: log-ish rounds of day 1. */
export function cookieCatsAbn(): Table {
  const t = loadCsv('cookie_cats.csv');
  const version = t.columns.version.map((v, i) => (v === 'gate_40' && Number(t.columns.userid[i]) % 2 === 1 ? 'gate_40b' : v));
  // A pre-period covariate correlated with the metric, as CUPED expects: the rounds, shifted and coarsened.
  const pre = t.columns.sum_gamerounds.map((v, i) => (v === null ? null : String(Math.floor(Number(v) / 3) + (Number(t.columns.userid[i]) % 7) + 1e3)));
  return { columns: { ...t.columns, version, pre_rounds: pre } };
}

/** The two Udacity exports as one table: a row per day and arm. */
export function udacityPair(): Table {
  const c = loadCsv('udacity_control_data.csv');
  const e = loadCsv('udacity_experiment_data.csv');
  const columns: Record<string, (string | number | boolean | null)[]> = {
    variant: [...c.columns.Date.map(() => 'control'), ...e.columns.Date.map(() => 'experiment')],
  };
  for (const k of Object.keys(c.columns)) columns[k] = [...c.columns[k], ...e.columns[k]];
  return { columns };
}

/** Table → CSV text (for a CLI run or a ClickHouse load of the same cells). */
export function toCsv(t: Table): string {
  const names = Object.keys(t.columns);
  const cell = (v: unknown) => (v === null ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const n = t.columns[names[0]].length;
  const lines = [names.join(',')];
  for (let i = 0; i < n; i++) lines.push(names.map((k) => cell(t.columns[k][i])).join(','));
  return lines.join('\n') + '\n';
}

/** Deep equality with numbers equal within `rel` relative (absolute below 1); run metadata ignored. */
export function expectClose(got: unknown, want: unknown, rel: number, where = '$'): void {
  if (typeof want === 'number' && typeof got === 'number') {
    if (want === got || (Number.isNaN(want) && Number.isNaN(got))) return;
    expect(Math.abs(got - want), `${where}: ${got} vs ${want}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(want)));
    return;
  }
  if (Array.isArray(want)) {
    expect(Array.isArray(got), where).toBe(true);
    expect((got as unknown[]).length, where).toBe(want.length);
    want.forEach((w, i) => expectClose((got as unknown[])[i], w, rel, `${where}[${i}]`));
    return;
  }
  if (want && typeof want === 'object') {
    const g = got as Record<string, unknown>;
    expect(g && typeof g === 'object', where).toBe(true);
    const skip = ['provenance', 'generation_id', 'duration_ms', 'generated_at'];
    const keys = Object.keys(want).filter((k) => !skip.includes(k));
    expect(
      Object.keys(g)
        .filter((k) => !skip.includes(k))
        .sort(),
      where,
    ).toEqual(keys.sort());
    for (const k of keys) expectClose(g[k], (want as Record<string, unknown>)[k], rel, `${where}.${k}`);
    return;
  }
  expect(got, where).toEqual(want);
}

/**
 * The read-outs compared: [label, table, analyze/causal input]. `rel` where CUPED's adjusted
 * means are formed differently (ȳ − θ(x̄ − x̄pooled) from sums, not a mean of adjusted values):
 * an interval bound near 0 then differs by a few 1e-12 of the terms it is the difference of.
 */
export const PARITY_CASES: { label: string; table: () => Table; file: string; input: Record<string, unknown>; causal?: boolean; rel?: number }[] = [
  {
    label: 'cookie cats A/B, rate + mean + guardrail + segment',
    table: () => loadCsv('cookie_cats.csv'),
    file: 'cookie_cats',
    input: {
      variant_column: 'version',
      control: 'gate_30',
      treatment: 'gate_40',
      metrics: ['retention_7', 'sum_gamerounds'],
      guardrails: ['retention_1'],
      segment_by: 'retention_1',
    },
  },
  {
    label: 'cookie cats A/B/n with CUPED (large shifted covariate)',
    table: cookieCatsAbn,
    file: 'cookie_abn',
    input: {
      variant_column: 'version',
      control: 'gate_30',
      treatments: ['gate_40', 'gate_40b'],
      metrics: ['sum_gamerounds', 'retention_7'],
      covariate: 'pre_rounds',
      correction: 'bh',
    },
    rel: 1e-10,
  },
  {
    label: 'cookie cats A/B/n Bayesian',
    table: cookieCatsAbn,
    file: 'cookie_abn',
    input: { variant_column: 'version', treatments: ['gate_40', 'gate_40b'], control: 'gate_30', metrics: ['retention_1'], engine: 'bayesian' },
  },
  {
    label: 'adsmart: segments, days, sequential',
    table: () => loadCsv('adsmart_ab_data.csv'),
    file: 'adsmart',
    input: {
      variant_column: 'experiment',
      control: 'control',
      treatment: 'exposed',
      metrics: ['yes'],
      segment_by: 'platform_os',
      date_column: 'date',
      sequential: {},
    },
  },
  {
    label: 'adsmart causal: balance, temporal, heterogeneity',
    table: () => loadCsv('adsmart_ab_data.csv'),
    file: 'adsmart',
    causal: true,
    input: {
      variant_column: 'experiment',
      control: 'control',
      treatment: 'exposed',
      metrics: ['yes'],
      segment_by: 'platform_os',
      balance_columns: ['platform_os', 'browser', 'device_make'],
      date_column: 'date',
      external_factors: ['No holidays'],
    },
  },
  {
    label: 'cookie cats causal: stage columns (mechanism), balance of a 0/1 column',
    table: () => loadCsv('cookie_cats.csv'),
    file: 'cookie_cats',
    causal: true,
    input: {
      variant_column: 'version',
      control: 'gate_30',
      treatment: 'gate_40',
      metrics: ['retention_7'],
      stage_columns: ['retention_1', 'retention_7'],
      balance_columns: ['retention_1'],
    },
  },
  {
    label: 'udacity pair: ratio metrics (delta method), daily looks',
    table: udacityPair,
    file: 'udacity',
    input: {
      variant_column: 'variant',
      control: 'control',
      treatment: 'experiment',
      metrics: ['Enrollments/Clicks', 'Payments/Clicks'],
      guardrails: ['Clicks/Pageviews'],
      date_column: 'Date',
      sequential: {},
    },
  },
  {
    label: 'udacity pair: CUPED on a ratio and on a mean',
    table: udacityPair,
    file: 'udacity',
    input: { variant_column: 'variant', control: 'control', treatment: 'experiment', metrics: ['Enrollments/Clicks', 'Clicks'], covariate: 'Pageviews' },
  },
  {
    label: 'udacity causal with a ratio primary and segments',
    table: udacityPair,
    file: 'udacity',
    causal: true,
    input: {
      variant_column: 'variant',
      control: 'control',
      treatment: 'experiment',
      metrics: ['Payments/Enrollments'],
      date_column: 'Date',
      segment_by: 'Date',
    },
  },
];
