/**
 * Multiple-comparison adjustments returning adjusted p-values in the input order (the same
 * numbers as R's p.adjust and statsmodels multipletests). Compare an adjusted p-value with alpha.
 */

export type Correction = 'holm' | 'bh' | 'bonferroni' | 'none';

function checkP(pvalues: readonly number[]): void {
  for (const p of pvalues) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`p-values must be in [0, 1], got ${p}`);
  }
}

/** Holm's step-down: controls the family-wise error rate under any dependence. */
export function holm(pvalues: readonly number[]): number[] {
  checkP(pvalues);
  const m = pvalues.length;
  const order = pvalues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}

/** Benjamini–Hochberg step-up: controls the false discovery rate (independent or PRDS tests). */
export function benjaminiHochberg(pvalues: readonly number[]): number[] {
  checkP(pvalues);
  const m = pvalues.length;
  const order = pvalues.map((p, i) => ({ p, i })).sort((a, b) => b.p - a.p);
  const out = new Array<number>(m);
  let running = 1;
  order.forEach(({ p, i }, k) => {
    const rank = m - k;
    running = Math.min(running, (m / rank) * p);
    out[i] = Math.min(1, running);
  });
  return out;
}

/** Bonferroni: every p-value times the number of tests (capped at 1); the simplest FWER control. */
export function bonferroni(pvalues: readonly number[]): number[] {
  checkP(pvalues);
  return pvalues.map((p) => Math.min(1, p * pvalues.length));
}

export function adjustPValues(pvalues: readonly number[], method: Correction): number[] {
  if (method === 'holm') return holm(pvalues);
  if (method === 'bonferroni') return bonferroni(pvalues);
  if (method === 'bh') return benjaminiHochberg(pvalues);
  checkP(pvalues);
  return [...pvalues];
}
