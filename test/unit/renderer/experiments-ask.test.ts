import { describe, expect, it } from 'vitest';
import { DesignInput, AnalyzeInput } from '../../../src/shared/contract';
import { DEFAULT_FORM, toDesignInput } from '../../../src/renderer/src/workspaces/experiments/designState';
import { defaultsFor, toAnalyzeInput } from '../../../src/renderer/src/workspaces/experiments/analysisConfig';
import { clip } from '../../../src/renderer/src/workspaces/experiments/Explain';
import { fmtCI, fmtP, fmtPct } from '../../../src/renderer/src/workspaces/experiments/format';
import { draftAnswer } from '../../../src/renderer/src/workspaces/ask/turns';
import type { Dataset } from '../../../src/shared/contract';

describe('designer form → experiment:design input', () => {
  it('sends percentages as fractions and is accepted by the contract', () => {
    const { input, problem } = toDesignInput({ ...DEFAULT_FORM, baseline: '15', mde: '10', dailyUsers: '5000', allocation: '50' });
    expect(problem).toBeNull();
    expect(input).toMatchObject({ baseline_rate: 0.15, mde: 0.1, mde_type: 'relative', daily_users: 5000, allocation: 0.5, save: false });
    expect(DesignInput.safeParse(input).success).toBe(true);
  });

  it('absolute MDE on a rate is typed in pp; on a mean in metric units', () => {
    expect(toDesignInput({ ...DEFAULT_FORM, mdeType: 'absolute', mde: '1.5' }).input?.mde).toBeCloseTo(0.015, 12);
    const mean = toDesignInput({ ...DEFAULT_FORM, metricType: 'mean', baselineMean: '50', baselineSd: '20', mdeType: 'absolute', mde: '2' });
    expect(mean.input).toMatchObject({ metric_type: 'mean', baseline_mean: 50, baseline_sd: 20, mde: 2 });
    expect(mean.input).not.toHaveProperty('baseline_rate');
  });

  it('says which box to fix instead of sending an impossible input', () => {
    expect(toDesignInput({ ...DEFAULT_FORM, power: '1.5' }).problem).toMatch(/Power/);
    expect(toDesignInput({ ...DEFAULT_FORM, baseline: '' }).problem).toMatch(/Baseline/);
    expect(toDesignInput({ ...DEFAULT_FORM, variants: '1' }).problem).toMatch(/Variants/);
    expect(toDesignInput({ ...DEFAULT_FORM, mde: '0' }).problem).toMatch(/detectable/);
    expect(toDesignInput({ ...DEFAULT_FORM, dailyUsers: '' }).input).not.toHaveProperty('daily_users');
  });
});

describe('analyzer setup → experiment:analyze input', () => {
  const cookieCats: Dataset = {
    id: 'ds_1',
    name: 'cookie_cats',
    kind: 'user_table',
    format: 'csv',
    sourceName: 'cookie_cats.csv',
    sourceBytes: 1,
    rowCount: 90189,
    userCount: null,
    columns: [
      { name: 'userid', role: 'user', type: 'number' },
      { name: 'version', role: 'variant', type: 'string', distinct: 2, sample: ['gate_40', 'gate_30'] },
      { name: 'sum_gamerounds', role: 'metric', type: 'number', distinct: 942 },
      { name: 'retention_1', role: 'metric', type: 'boolean', distinct: 2 },
    ],
    mapping: { variant: 'version' },
    warnings: [],
    events: [],
    timeRange: null,
    createdAt: '2026-01-01',
  };

  it('picks the variant column, sorted values and a yes/no primary metric', () => {
    expect(defaultsFor(cookieCats)).toMatchObject({ variantColumn: 'version', control: 'gate_30', treatment: 'gate_40', primary: 'retention_1' });
  });

  it('puts the primary metric first and guardrail margins as fractions', () => {
    const { input } = toAnalyzeInput({ ...defaultsFor(cookieCats), secondary: ['sum_gamerounds', 'retention_1'], guardrails: { sum_gamerounds: '5' } });
    expect(input?.metrics).toEqual(['retention_1', 'sum_gamerounds']);
    expect(input?.guardrails).toEqual([{ metric: 'sum_gamerounds', margin: 0.05, margin_type: 'relative', direction: 'higher_is_better' }]);
    expect(AnalyzeInput.safeParse(input).success).toBe(true);
  });

  it('refuses identical arms', () => {
    expect(toAnalyzeInput({ ...defaultsFor(cookieCats), treatment: 'gate_30' }).problem).toMatch(/different/);
  });
});

describe('display helpers never show NaN', () => {
  it('formats nulls and non-finite values as a dash', () => {
    expect(fmtPct(null)).toBe('—');
    expect(fmtPct(Number.NaN)).toBe('—');
    expect(fmtP(undefined)).toBe('—');
    expect(fmtCI(null, 'pp')).toBe('—');
    expect(fmtP(0.0004)).toBe('<\u00a00.001');
    expect(fmtCI([-1.2345, 0.5], 'pp')).toBe('[-1.23, 0.50] pp');
  });
});

describe('model text helpers', () => {
  it('shows the part of a streamed JSON answer received so far', () => {
    expect(draftAnswer('{"answer": "Conversion is 15')).toBe('Conversion is 15');
    expect(draftAnswer('{"answer":"Line\\nnext \\"quoted\\" \\u00e9t')).toBe('Line\nnext "quoted" ét');
    expect(draftAnswer('{"fact_ids": [')).toBe('');
    expect(draftAnswer('Plain text stream')).toBe('Plain text stream');
  });

  it('clips engine text at a sentence or a space, never inside a number', () => {
    expect(clip('short', 10)).toBe('short');
    expect(clip('First sentence here. Second one with 12.345 in it.', 30)).toBe('First sentence here.');
    expect(clip('abc 12.3456789', 10)).toBe('abc');
  });
});
