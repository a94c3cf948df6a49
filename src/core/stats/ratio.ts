/**
 * Ratio metrics (revenue per session, clicks per visit): per unit a numerator m and a
 * denominator d; the arm's metric is Σm/Σd = m̄/d̄. Units, not sessions, are randomised, so the
 * sessions of one user are correlated and the naive per-session variance is wrong; the delta
 * method gives Var(m̄/d̄) ≈ (s²_m/d̄² + m̄²·s²_d/d̄⁴ − 2·m̄·s_md/d̄³)/n from the unit-level moments.
 */
export interface RatioSummary {
  n: number;
  mean_m: number;
  mean_d: number;
  var_m: number;
  var_d: number;
  cov_md: number;
}

export function summarizeRatio(m: readonly number[], d: readonly number[]): RatioSummary {
  if (m.length !== d.length) throw new RangeError('numerator and denominator need one value per unit');
  const n = m.length;
  if (n < 2) return { n, mean_m: n ? m[0] : NaN, mean_d: n ? d[0] : NaN, var_m: NaN, var_d: NaN, cov_md: NaN };
  let sm = 0;
  let sd = 0;
  for (let i = 0; i < n; i++) {
    sm += m[i];
    sd += d[i];
  }
  const mm = sm / n;
  const md = sd / n;
  let vm = 0;
  let vd = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    vm += (m[i] - mm) ** 2;
    vd += (d[i] - md) ** 2;
    c += (m[i] - mm) * (d[i] - md);
  }
  return { n, mean_m: mm, mean_d: md, var_m: vm / (n - 1), var_d: vd / (n - 1), cov_md: c / (n - 1) };
}

/** The same summary from warehouse-style sums (Σm, Σm², Σd, Σd², Σmd), as SQL exports give them. */
export function ratioSummaryFromSums(n: number, sumM: number, sumM2: number, sumD: number, sumD2: number, sumMD: number): RatioSummary {
  if (!(n >= 2)) throw new RangeError(`a ratio summary needs at least 2 units, got ${n}`);
  return {
    n,
    mean_m: sumM / n,
    mean_d: sumD / n,
    var_m: (sumM2 - (sumM * sumM) / n) / (n - 1),
    var_d: (sumD2 - (sumD * sumD) / n) / (n - 1),
    cov_md: (sumMD - (sumM * sumD) / n) / (n - 1),
  };
}

/** The ratio m̄/d̄ and the delta-method variance of that estimate. */
export function ratioEstimate(s: RatioSummary): { ratio: number; variance: number } {
  if (!(s.mean_d !== 0)) throw new RangeError('the denominator averages 0, so the ratio is undefined');
  const r = s.mean_m / s.mean_d;
  const v = (s.var_m / s.mean_d ** 2 + (s.mean_m ** 2 * s.var_d) / s.mean_d ** 4 - (2 * s.mean_m * s.cov_md) / s.mean_d ** 3) / s.n;
  return { ratio: r, variance: Math.max(0, v) };
}
