import { describe, it } from 'vitest';
import {
  chiSquareCdf,
  chiSquareQuantile,
  chiSquareSf,
  normalCdf,
  normalQuantile,
  normalSf,
  noncentralTCdf,
  tCdf,
  tQuantile,
  tSf,
  tTwoSidedP,
} from '../../../src/core/stats';
import { close, loadPowerReference, loadReference } from './reference';

const ref = loadReference().distributions;

describe('normal distribution vs scipy', () => {
  it('cdf and sf to 1e-12 relative, including far tails', () => {
    for (const r of ref.normal) {
      close(normalCdf(r.x), r.cdf, 1e-12, 1e-300, `cdf(${r.x})`);
      close(normalSf(r.x), r.sf, 1e-12, 1e-300, `sf(${r.x})`);
    }
  });
  it('quantile to 1e-12 relative', () => {
    for (const r of ref.normal_q) close(normalQuantile(r.p), r.q, 1e-12, 1e-15, `ppf(${r.p})`);
  });
});

describe('Student t vs scipy', () => {
  it('cdf, sf and two-sided p to 1e-10 relative (fractional and very large df)', () => {
    for (const r of ref.t) {
      close(tCdf(r.x, r.df), r.cdf, 1e-10, 1e-300, `t.cdf(${r.x}, ${r.df})`);
      close(tSf(r.x, r.df), r.sf, 1e-10, 1e-300, `t.sf(${r.x}, ${r.df})`);
      close(tTwoSidedP(r.x, r.df), r.two_sided, 1e-10, 1e-300, `t two-sided(${r.x}, ${r.df})`);
    }
  });
  it('quantile to 1e-10 relative (reference: R qt, scipy 1.10 t.ppf is coarser)', () => {
    for (const r of loadPowerReference().t_q) close(tQuantile(r.p, r.df), r.q, 1e-10, 1e-14, `qt(${r.p}, ${r.df})`);
  });
});

describe('chi-square vs scipy', () => {
  it('cdf and sf to 1e-10 relative', () => {
    for (const r of ref.chi2) {
      close(chiSquareCdf(r.x, r.df), r.cdf, 1e-10, 1e-300, `chi2.cdf(${r.x}, ${r.df})`);
      close(chiSquareSf(r.x, r.df), r.sf, 1e-10, 1e-300, `chi2.sf(${r.x}, ${r.df})`);
    }
  });
  it('quantile to 1e-10 relative', () => {
    for (const r of ref.chi2_q) close(chiSquareQuantile(r.p, r.df), r.q, 1e-10, 1e-14, `chi2.ppf(${r.p}, ${r.df})`);
  });
});

describe('noncentral t vs R pt(ncp=)', () => {
  it('matches to 1e-9', () => {
    for (const r of loadPowerReference().noncentral_t) close(noncentralTCdf(r.t, r.df, r.ncp), r.cdf, 1e-9, 1e-12, `pt(${r.t}, ${r.df}, ${r.ncp})`);
  });
});
