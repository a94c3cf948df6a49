import { describe, expect, it } from 'vitest';
import {
  analyzeFromAggregates,
  causalFromAggregates,
  runAnalysis,
  runCausal,
  tableExperimentAggregates,
  type AggregateSource,
  type Table,
} from '../../../src/core/experiments';
import { AnalyzeInput, CausalInput } from '../../../src/shared/contract/experiments';
import type { ExperimentAggregateSpec } from '../../../src/core/backends/types';
import fs from 'node:fs';
import path from 'node:path';
import { PARITY_CASES, cookieCatsAbn, expectClose, toCsv } from '../../helpers/experiment-parity';
import { tempDir, tempEngine } from '../../helpers/engine';
import { HAS_SHARED_DATA, NO_SHARED_DATA } from '../../helpers/shared';

/**
 * The read-out from per-variant aggregates (what every backend returns) against the row-by-row
 * read-out of the same table, on the real files: equal within 1e-12 relative, over A/B, A/B/n,
 * ratio metrics, CUPED, segments, days and the causal checks.
 */
if (!HAS_SHARED_DATA) console.warn(`skipping aggregate parity: ${NO_SHARED_DATA}`);

const source = (t: Table, specs: ExperimentAggregateSpec[] = []): AggregateSource => ({
  columns: Object.keys(t.columns),
  aggregates: async (spec) => {
    specs.push(spec);
    return tableExperimentAggregates(t, spec);
  },
});
const now = () => new Date('2026-01-01T00:00:00Z');

describe.skipIf(!HAS_SHARED_DATA)('experiment read-out from aggregates = read-out from rows', () => {
  it.each(PARITY_CASES.map((c) => [c.label, c] as const))('%s', async (_, c) => {
    const table = c.table();
    const specs: ExperimentAggregateSpec[] = [];
    if (c.causal) {
      const input = CausalInput.parse(c.input);
      const want = runCausal(input, { table }, { now });
      const got = await causalFromAggregates(source(table, specs), input, { now });
      expect(got.analysis.statistical_analysis.primary_metric.tested).toBe(want.analysis.statistical_analysis.primary_metric.tested);
      expectClose(got, want, c.rel ?? 1e-12);
    } else {
      const input = AnalyzeInput.parse(c.input);
      const want = runAnalysis(input, { table }, { now });
      const got = await analyzeFromAggregates(source(table, specs), input, { now });
      expect(want.statistical_analysis.primary_metric.p_value).not.toBeNull();
      expectClose(got, want, c.rel ?? 1e-12);
    }
    // Only aggregates were asked for: never more groups than variants × (segments + days).
    expect(specs.length).toBe(2);
  });

  it('A/B/n with a segment column of more than 50 values: each pair splits its own 50 largest, as the row read-out does', async () => {
    const table = cookieCatsAbn();
    const input = AnalyzeInput.parse({
      variant_column: 'version',
      control: 'gate_30',
      treatments: ['gate_40', 'gate_40b'],
      metrics: ['retention_7'],
      segment_by: 'sum_gamerounds',
    });
    const specs: ExperimentAggregateSpec[] = [];
    const want = runAnalysis(input, { table }, { now });
    const got = await analyzeFromAggregates(source(table, specs), input, { now });
    expect(want.warnings.join(' ')).toMatch(/Segment column "sum_gamerounds" has \d+ values; only the 50 largest/);
    expect(specs).toHaveLength(4);
    expectClose(got, want, 1e-12);
  });

  it('CUPED from moments keeps its digits on values shifted by 1e9 (where Σx² − (Σx)²/n would lose them all)', async () => {
    const n = 400;
    const variant = Array.from({ length: n }, (_, i) => (i % 2 ? 'b' : 'a'));
    const make = (shift: number): Table => {
      const x = Array.from({ length: n }, (_, i) => shift + ((i * 7919) % 101));
      return { columns: { variant, x: x.map(String), y: x.map((v, i) => String(2 * v + ((i * 31) % 17) + (i % 2 ? 3 : 0))) } };
    };
    const input = AnalyzeInput.parse({ variant_column: 'variant', control: 'a', treatment: 'b', metrics: ['y'], covariate: 'x' });
    const plain = (await analyzeFromAggregates(source(make(0)), input, { now })).statistical_analysis.primary_metric.cuped!;
    const shifted = (await analyzeFromAggregates(source(make(1e9)), input, { now })).statistical_analysis.primary_metric.cuped!;
    expect(plain.variance_reduction).toBeGreaterThan(0.5);
    // The adjusted difference, θ and p-value do not depend on the shift; only the data's own
    // rounding at 2e9 (an ulp of 2.4e-7) is left.
    for (const k of ['theta', 'variance_reduction', 'difference', 'p_value'] as const)
      expect(Math.abs(shifted[k] - plain[k]), k).toBeLessThanOrEqual(1e-6 * Math.abs(plain[k]));
  });

  it("errors are the row read-out's: unknown column, unknown variant, non-numeric ratio column", async () => {
    const table: Table = { columns: { v: ['a', 'b', 'a', 'b'], m: ['1', '2', '3', '4'], s: ['x', 'y', 'z', 'w'] } };
    for (const raw of [
      { variant_column: 'v', control: 'a', treatment: 'b', metrics: ['nope'] },
      { variant_column: 'v', control: 'a', treatment: 'c', metrics: ['m'] },
      { variant_column: 'v', control: 'a', treatment: 'b', metrics: ['s/m'] },
      { variant_column: 'v', control: 'a', treatment: 'b', metrics: ['m'], covariate: 'pre' },
    ]) {
      const input = AnalyzeInput.parse(raw);
      let want = '';
      try {
        runAnalysis(input, { table });
      } catch (e) {
        want = (e as Error).message;
      }
      expect(want).not.toBe('');
      await expect(analyzeFromAggregates(source(table), input)).rejects.toThrow(want);
    }
    // A rate ignores the covariate, so a missing one is no error there (as in the row read-out).
    const rate: Table = { columns: { v: ['a', 'b', 'a', 'b'], r: ['1', '0', '0', '1'] } };
    const input = AnalyzeInput.parse({ variant_column: 'v', control: 'a', treatment: 'b', metrics: ['r'], covariate: 'pre' });
    expectClose(await analyzeFromAggregates(source(rate), input, { now }), runAnalysis(input, { table: rate }, { now }), 1e-12);
  });

  it("an imported user table is read out from the column store's aggregates exactly as its file is read row by row", async () => {
    const t = tempEngine();
    const dir = tempDir();
    try {
      const ids = new Map<string, { id: string; csv: string }>();
      for (const c of PARITY_CASES) {
        if (ids.has(c.file)) continue;
        const csv = path.join(dir, `${c.file}.csv`);
        fs.writeFileSync(csv, toCsv(c.table()));
        const ds = await t.engine.dispatch('datasets:import', { path: csv });
        // The Udacity pair (a row per day with counts) imports as an aggregated export, which has its own read-out.
        if (ds.kind === 'user_table') ids.set(c.file, { id: ds.id, csv });
      }
      expect([...ids.keys()].sort()).toEqual(['adsmart', 'cookie_abn', 'cookie_cats']);
      for (const c of PARITY_CASES) {
        if (!ids.has(c.file)) continue;
        const { id, csv } = ids.get(c.file)!;
        const call = c.causal ? 'experiment:causal' : 'experiment:analyze';
        const fromStore = await t.engine.dispatch(call, { ...c.input, datasetId: id, save: false } as never);
        const fromFile = await t.engine.dispatch(call, { ...c.input, file: csv, save: false } as never);
        expectClose(fromStore, fromFile, c.rel ?? 1e-12, c.label);
      }
    } finally {
      t.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
