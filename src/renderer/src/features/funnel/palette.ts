/** Colour-blind-safe (Okabe–Ito) series colours, in stage order. */
export const SERIES = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
export const color = (i: number) => SERIES[i % SERIES.length];
