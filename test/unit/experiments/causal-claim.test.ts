import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { causalClaim, type ClaimInput } from '../../../src/core/experiments/causal-claim';
import { parseCsv, runCausal } from '../../../src/core/experiments';
import { CausalInput } from '../../../src/shared/contract/experiments';
import { HAS_SHARED_DATA, sharedData } from '../../helpers/shared';

const ALL_PASSED: ClaimInput = {
  tested: true,
  significant: true,
  randomisation: 'passed',
  balance: 'passed',
  temporal: 'passed',
  otherFailures: [],
  otherWarnings: [],
};

describe('causal language follows the checks (docs/statistics.md)', () => {
  it('"caused" at High only when randomisation, balance and temporal stability all ran and passed', () => {
    expect(causalClaim(ALL_PASSED)).toMatchObject({ kind: 'caused', confidence: 'High', notChecked: [] });
    expect(causalClaim({ ...ALL_PASSED, otherWarnings: ['effects that differ across segments'] })).toMatchObject({ kind: 'caused', confidence: 'Medium' });
  });

  it.each(['randomisation', 'balance', 'temporal'] as const)('%s not checked: "associated", Medium, and the check is named', (k) => {
    const c = causalClaim({ ...ALL_PASSED, [k]: 'not_checked', reasons: { [k]: 'why' } });
    expect(c.kind).toBe('associated');
    expect(c.confidence).toBe('Medium');
    expect(c.notChecked).toHaveLength(1);
    expect(c.notChecked[0]).toMatch(/\(why\)$/);
  });

  it('a time trend in the effect lowers "caused" to "associated"', () => {
    expect(causalClaim({ ...ALL_PASSED, temporal: 'warning' })).toMatchObject({ kind: 'associated', notPassed: ['a time trend in the effect'] });
  });

  it('a failed check or a confirmed external factor: unsupported, Low; not significant: no claim, Low', () => {
    expect(causalClaim({ ...ALL_PASSED, balance: 'failed' })).toMatchObject({ kind: 'unsupported', confidence: 'Low', failures: ['covariate imbalance'] });
    expect(causalClaim({ ...ALL_PASSED, otherFailures: ['a confirmed external factor'] })).toMatchObject({ kind: 'unsupported', confidence: 'Low' });
    expect(causalClaim({ ...ALL_PASSED, significant: false })).toMatchObject({ kind: 'none', confidence: 'Low' });
    expect(causalClaim({ ...ALL_PASSED, tested: false, balance: 'not_checked' })).toMatchObject({ kind: 'none', confidence: 'Low' });
  });
});

describe.skipIf(!HAS_SHARED_DATA)('Cookie Cats: three of four checks not run (issue 15, item 3)', () => {
  it('no longer says "CAUSED … High confidence … no confounders detected"; names what was not checked', () => {
    const c = runCausal(CausalInput.parse({ variant_column: 'version', control: 'gate_30', treatment: 'gate_40', metrics: ['retention_7'] }), {
      table: parseCsv(fs.readFileSync(sharedData('cookie_cats.csv'), 'utf8')),
    });
    expect(c.causal_conclusion.statement).not.toMatch(/\bCAUSED\b/);
    expect(c.causal_conclusion.statement).toBe(
      'gate_40 is associated with a -4.3% change in retention_7; not called caused: covariate balance and temporal stability were not checked.',
    );
    expect(c.causal_conclusion.confidence).toBe('Medium');
    expect(c.causal_conclusion.not_checked).toEqual(['covariate balance (no segment columns given)', 'temporal stability (no date column)']);
    expect(c.confounding_check.overall).not.toMatch(/No confounders detected/);
    expect(c.confounding_check.overall).toMatch(/Not checked: covariate balance .* temporal stability .* heterogeneity across segments and external factors/);
    expect(c.generalizability.internal_validity).toBe('Medium');
  });
});

/** 14 days, two balanced platforms, a constant effect (10% → 15%): every check can run and pass. */
function cleanTest(): string {
  const rows = ['variant,date,platform,converted'];
  for (let d = 0; d < 14; d++) {
    const date = `2026-03-${String(d + 1).padStart(2, '0')}`;
    for (const [arm, rate] of [
      ['A', 0.1],
      ['B', 0.15],
    ] as const) {
      for (let i = 0; i < 400; i++) rows.push(`${arm},${date},${i % 2 ? 'ios' : 'android'},${(i >> 1) % 20 < rate * 20 ? 1 : 0}`);
    }
  }
  return rows.join('\n');
}

describe('a test where every check runs and passes', () => {
  it('is the one case worded "caused" at High confidence', () => {
    const c = runCausal(
      CausalInput.parse({
        variant_column: 'variant',
        control: 'A',
        treatment: 'B',
        metrics: ['converted'],
        date_column: 'date',
        segment_by: 'platform',
        external_factors: ['No holidays or launches during the test'],
      }),
      { table: parseCsv(cleanTest()) },
    );
    const k = c.confounding_check;
    expect([k.selection_bias.status, k.temporal_effects.status, k.heterogeneity.status, k.external_factors.status]).toEqual([
      'passed',
      'passed',
      'passed',
      'passed',
    ]);
    expect(k.selection_bias.balance.map((b) => b.column)).toEqual(['platform']);
    expect(c.causal_conclusion.statement).toMatch(/^B caused a \+50\.0% change in converted\.$/);
    expect(c.causal_conclusion.confidence).toBe('High');
    expect(c.causal_conclusion.not_checked).toEqual([]);
    expect(k.overall).toBe('No confounders detected by any check.');
    expect(c.generalizability.internal_validity).toBe('High');
  });
});
