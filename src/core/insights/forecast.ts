import type { Finding, ForecastSeries } from '../../shared/contract';
import { tQuantile } from '../stats';
import type { Ctx } from './context';
import { cite, mag } from './factbook';
import { addDays, dateToEpoch } from './format';
import { canModelWeekdays, designRow, ols, sum, usable, value, type DailySeries } from './series';
import type { SlopeResult } from './trend';

/**
 * Forecast: a linear trend with weekday effects fitted by least squares on the daily series
 * (anomalous days left out), with a prediction interval that widens with the horizon. Simple on
 * purpose: with a few weeks of daily data a Holt–Winters fit has more parameters than evidence,
 * and the regression's interval is honest about extrapolation. The threshold crossing is reported
 * only when the trend itself is significant; otherwise "when" would be a guess.
 */

export const HORIZON_DAYS = 14;
const MAX_CROSSING_DAYS = 182;

export function forecastSeries(
  s: DailySeries,
  skip: ReadonlySet<string>,
  horizon = HORIZON_DAYS,
): { points: ForecastSeries['points']; predict: (t: number, day: string) => number; lastT: number; lastDay: string } | null {
  const pts = s.points.map((p, t) => ({ p, t })).filter(({ p }) => usable(p, s.kind) && !skip.has(p.date));
  if (pts.length < 10) return null;
  const seasonal = pts.length >= 21 && canModelWeekdays(pts.map(({ p }) => p.date));
  const X = pts.map(({ p, t }) => designRow(t, p.date, seasonal));
  const fit = ols(
    X,
    pts.map(({ p }) => value(p, s.kind)),
  );
  if (!fit) return null;
  const q = tQuantile(0.975, fit.df);
  const lastT = s.points.length - 1;
  const lastDay = s.points[lastT].date;
  const predict = (t: number, day: string) => sum(designRow(t, day, seasonal).map((v, j) => v * fit.beta[j]));
  const points: ForecastSeries['points'] = [];
  for (let h = 1; h <= horizon; h++) {
    const day = addDays(lastDay, h);
    const x = designRow(lastT + h, day, seasonal);
    const lev = sum(x.map((xi, i) => xi * sum(x.map((xj, j) => xj * fit.xtxInv[i][j]))));
    const half = q * Math.sqrt(fit.s2 * (1 + lev));
    const v = predict(lastT + h, day);
    const clamp = (y: number) => (s.kind === 'rate' ? Math.min(100, Math.max(0, y)) : Math.max(0, y));
    points.push({ date: day, value: clamp(v), lower: clamp(v - half), upper: clamp(v + half) });
  }
  return { points, predict, lastT, lastDay };
}

export function forecasts(
  ctx: Ctx,
  skip: ReadonlySet<string>,
  slopes: readonly SlopeResult[],
): { overall: ForecastSeries | null; stages: ForecastSeries[]; findings: Finding[] } {
  const { book } = ctx;
  const findings: Finding[] = [];
  const stages: ForecastSeries[] = [];
  let overall: ForecastSeries | null = null;
  const horizon = book.add('forecast.horizon_days', 'Forecast horizon', HORIZON_DAYS, 'days');
  for (const s of ctx.series.filter((x) => x.kind === 'rate')) {
    const f = forecastSeries(s, skip);
    if (!f) continue;
    const isOverall = s.id === 'overall';
    const i = s.stageIndex ?? 0;
    const key = isOverall ? 'overall_conversion_rate' : `stage.${ctx.keys[i]}.step_conversion_rate`;
    const label = isOverall ? 'Overall conversion' : `${ctx.stages[i - 1]} → ${ctx.stages[i]} conversion`;
    const end = f.points[f.points.length - 1];
    const v = book.add(`forecast.${key}.end.value`, `${label} forecast at the horizon`, end.value, 'percent');
    const lo = book.add(`forecast.${key}.end.lower`, `${label} forecast, lower end of the prediction interval`, end.lower, 'percent');
    const hi = book.add(`forecast.${key}.end.upper`, `${label} forecast, upper end of the prediction interval`, end.upper, 'percent');
    const slope = slopes.find((x) => x.seriesId === s.id) ?? null;
    const series: ForecastSeries = {
      metric: key,
      label,
      method: 'least-squares linear trend with weekday effects; prediction interval from the regression',
      points: f.points,
      slope_per_week_pp: slope?.perWeek ?? null,
      threshold: null,
      crossing_date: null,
      fact_ids: [horizon.id, v.id, lo.id, hi.id],
    };
    if (isOverall) {
      const usableVals = s.points.filter((p) => usable(p, 'rate') && !skip.has(p.date));
      const level = (100 * sum(usableVals.map((p) => p.successes))) / Math.max(1, sum(usableVals.map((p) => p.trials)));
      const thrV = ctx.opts.forecastThreshold ?? 0.9 * level;
      const thr = book.add(
        'forecast.overall_conversion_rate.threshold',
        ctx.opts.forecastThreshold !== undefined
          ? 'Threshold for overall conversion (given)'
          : 'Threshold for overall conversion (default: a tenth below the period level)',
        thrV,
        'percent',
      );
      series.threshold = thrV;
      series.fact_ids.push(thr.id);
      const trendSig = slope !== null && slope.p < 0.05;
      let crossing: string | null = null;
      let days = 0;
      if (trendSig) {
        const above = f.predict(f.lastT, f.lastDay) >= thrV;
        for (let h = 1; h <= MAX_CROSSING_DAYS; h++) {
          const day = addDays(f.lastDay, h);
          const y = f.predict(f.lastT + h, day);
          if ((above && y < thrV) || (!above && y >= thrV)) {
            crossing = day;
            days = h;
            break;
          }
        }
      }
      if (crossing) {
        series.crossing_date = crossing;
        const cd = book.add('forecast.overall_conversion_rate.crossing_date', 'Day the trend forecast crosses the threshold', dateToEpoch(crossing), 'date');
        const dd = book.add('forecast.overall_conversion_rate.days_to_crossing', 'Days until the trend forecast crosses the threshold', days, 'days');
        series.fact_ids.push(cd.id, dd.id);
        const down = (slope?.perWeek ?? 0) < 0;
        const slopeF = book.get('trend.daily.overall_conversion_rate.slope_pp_per_week');
        const trend = slopeF ? cite` of ${mag(slopeF)} per week` : cite``;
        const text = cite`If the current trend${trend} continues, overall conversion will ${down ? 'fall below' : 'rise above'} ${thr} around ${cd}, ${dd} from the end of the data; ${horizon} out, the forecast is ${v} (prediction interval ${lo} to ${hi}).`;
        findings.push({
          id: 'forecast.overall_conversion_rate',
          kind: 'forecast',
          stage: null,
          segment: null,
          title: down ? `Overall conversion on course to cross its threshold` : 'Overall conversion on course to rise past its threshold',
          text: text.text,
          fact_ids: text.fact_ids,
          severity: down && days <= 28 ? 'High' : down ? 'Medium' : 'Low',
          confidence: days <= HORIZON_DAYS ? 0.75 : 0.55,
          score: down ? 52 + (days <= 28 ? 15 : 0) : 30,
        });
      }
      overall = series;
    } else stages.push(series);
  }
  return { overall, stages, findings };
}
