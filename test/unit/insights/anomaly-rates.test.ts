import { describe, expect, it } from 'vitest';
import { detectPoints } from '../../../src/core/insights';
import { buildSeries, dailyQuality } from '../../../src/core/insights/series';
import { rng, synth } from './synth';

/**
 * Measures the anomaly detector on simulated funnels (8 weeks, weekly seasonality in traffic,
 * binomial steps with 3% day-to-day overdispersion, step rates 60% / 40% / 50%): the false-alarm
 * rate on clean data, and the detection rate of a drop planted on one random step and day.
 * The numbers are printed so the report quotes what was measured, not what was hoped.
 */

const FUNNELS = 120;

function clean(entry: number): { perPoint: number; perFunnel: number } {
  let points = 0;
  let flagged = 0;
  let funnels = 0;
  for (let i = 0; i < FUNNELS; i++) {
    const s = synth({ seed: 10_000 + i, entryPerDay: entry });
    let f = 0;
    for (const series of buildSeries(s.result.daily, 4, dailyQuality(s.result.daily, 4))) {
      points += series.points.length;
      f += detectPoints(series.points, series.kind).length;
    }
    flagged += f;
    if (f) funnels++;
  }
  return { perPoint: flagged / points, perFunnel: funnels / FUNNELS };
}

function detection(entry: number, drop: number): number {
  let hits = 0;
  for (let i = 0; i < FUNNELS; i++) {
    const r = rng(i * 7 + 3);
    const step = 1 + Math.floor(r() * 3);
    const day = 7 + Math.floor(r() * 42);
    const s = synth({ seed: 20_000 + i, entryPerDay: entry, effect: (d, _s, k) => (d === day && k === step ? 1 - drop : 1) });
    const series = buildSeries(s.result.daily, 4, dailyQuality(s.result.daily, 4)).find((x) => x.id === `step:${step}`)!;
    if (detectPoints(series.points, series.kind).some((p) => p.date === series.points[day].date && p.score < 0)) hits++;
  }
  return hits / FUNNELS;
}

describe('anomaly detector operating characteristics (simulated)', () => {
  it('raises almost no false alarms on clean series and catches most planted drops at realistic volume', () => {
    const rows: string[] = [];
    const results = [500, 2000, 8000].map((entry) => ({ entry, fa: clean(entry), det: [0.2, 0.3, 0.4].map((d) => detection(entry, d)) }));
    for (const { entry, fa, det } of results) {
      rows.push(
        `entry ${entry}/day: false alarms ${fa.perPoint.toExponential(1)} per series-day, ${(fa.perFunnel * 100).toFixed(1)}% of clean funnels with any alarm; detection 20% ${(det[0] * 100).toFixed(0)}%, 30% ${(det[1] * 100).toFixed(0)}%, 40% ${(det[2] * 100).toFixed(0)}%`,
      );
    }
    console.log(`[anomaly rates]\n${rows.join('\n')}`);
    for (const { entry, fa, det } of results) {
      expect(fa.perPoint).toBeLessThan(5e-4);
      expect(fa.perFunnel).toBeLessThan(0.05);
      if (entry >= 2000) {
        expect(det[1]).toBeGreaterThan(0.7);
        expect(det[2]).toBeGreaterThan(0.9);
      }
    }
  });
});
