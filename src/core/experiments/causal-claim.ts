/**
 * How strongly a significant A/B difference may be called causal (docs/statistics.md, "Causal
 * language follows the checks"). "Caused" and High confidence need three checks to have run and
 * passed: randomisation (the sample-ratio test), covariate balance across arms, and temporal
 * stability of the daily effect. A check that did not run is named, never read as a pass.
 */

export type Level = 'High' | 'Medium' | 'Low';
export type CheckState = 'passed' | 'warning' | 'failed' | 'not_checked';

export interface ClaimInput {
  tested: boolean;
  significant: boolean;
  randomisation: CheckState;
  balance: CheckState;
  temporal: CheckState;
  /** Other failures (a confirmed external factor). */
  otherFailures: string[];
  /** Other warnings (effects that differ across segments, a possible external factor). */
  otherWarnings: string[];
  /** Why a required check did not run, for the sentence that names it. */
  reasons?: Partial<Record<'randomisation' | 'balance' | 'temporal', string>>;
}

export interface Claim {
  /** caused: all three checks passed; associated: significant, but a required check did not run or warned. */
  kind: 'caused' | 'associated' | 'unsupported' | 'none';
  confidence: Level;
  /** The required checks that did not run, named for the user ("covariate balance (no segment columns given)"). */
  notChecked: string[];
  /** Required checks that ran but did not pass cleanly (a time trend in the effect). */
  notPassed: string[];
  failures: string[];
}

const NAMES = { randomisation: 'randomisation (sample-ratio test)', balance: 'covariate balance', temporal: 'temporal stability' } as const;
const FAILED = { randomisation: 'sample ratio mismatch', balance: 'covariate imbalance', temporal: 'an unstable effect over time' } as const;
const WARNED = { randomisation: 'randomisation warning', balance: 'covariate balance warning', temporal: 'a time trend in the effect' } as const;

export function causalClaim(x: ClaimInput): Claim {
  const required = ['randomisation', 'balance', 'temporal'] as const;
  const notChecked = required.filter((k) => x[k] === 'not_checked').map((k) => (x.reasons?.[k] ? `${NAMES[k]} (${x.reasons[k]})` : NAMES[k]));
  const notPassed = required.filter((k) => x[k] === 'warning').map((k) => WARNED[k]);
  const failures = [...required.filter((k) => x[k] === 'failed').map((k) => FAILED[k]), ...x.otherFailures];
  if (!x.tested || !x.significant) return { kind: 'none', confidence: 'Low', notChecked, notPassed, failures };
  if (failures.length) return { kind: 'unsupported', confidence: 'Low', notChecked, notPassed, failures };
  if (notChecked.length || notPassed.length) return { kind: 'associated', confidence: 'Medium', notChecked, notPassed, failures };
  return { kind: 'caused', confidence: x.otherWarnings.length ? 'Medium' : 'High', notChecked, notPassed, failures };
}

/** "a, b and c" */
export function listing(xs: string[]): string {
  return xs.length > 1 ? `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}` : (xs[0] ?? '');
}
