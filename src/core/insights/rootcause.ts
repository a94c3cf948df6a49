import type { Anomaly } from '../../shared/contract';
import type { Ctx } from './context';
import { cite, type Cited } from './factbook';
import { evaluatePoints } from './detect';
import { daysBetween } from './format';
import { buildSeries, dailyQuality } from './series';

/**
 * What an analyst checks before believing an anomaly: which stage and segments carry it, whether
 * traffic moved too, whether the data around the day is complete, and whether the day's cohort
 * has had time to convert. Hints cite only facts already in the book (dates, counts).
 */
export function anomalyHints(ctx: Ctx, a: Anomaly, all: readonly Anomaly[], lastDay: string): Cited[] {
  const hints: Cited[] = [];
  const sameDay = all.filter((x) => x.date === a.date && x !== a);
  const date = ctx.book.need(`${a.id}.date`);
  if (a.segment === null) {
    if (a.metric === 'overall_conversion_rate') {
      const steps = sameDay.filter((x) => x.segment === null && x.metric === 'step_conversion_rate' && x.stage);
      if (steps.length) hints.push(cite`The change is carried by the step into ${steps.map((s) => s.stage ?? '').join(' and ')}.`);
    }
    if (a.metric === 'step_conversion_rate' && sameDay.some((x) => x.segment === null && x.metric === 'overall_conversion_rate')) {
      hints.push(cite`It is large enough to move overall conversion that day.`);
    }
    const devs = segmentDeviations(ctx, a);
    if (devs.length >= 2) {
      const rel = (a.observed - a.expected) / a.expected;
      // A segment carries the change when it moves at least half as much, in the same direction.
      const carrying = devs.filter((d) => d.relative * rel > 0 && Math.abs(d.relative) >= Math.abs(rel) / 2).map((d) => d.name);
      if (carrying.length === devs.length) hints.push(cite`Every segment shows it, so it looks product-wide rather than specific to one audience.`);
      else if (carrying.length)
        hints.push(
          cite`It is concentrated in ${carrying.join(', ')}; ${devs
            .filter((d) => !carrying.includes(d.name))
            .map((d) => d.name)
            .join(', ')} look normal that day.`,
        );
    }
    if (a.metric !== 'entry_users' && sameDay.some((x) => x.segment === null && x.metric === 'entry_users')) {
      hints.push(cite`Traffic entering the funnel also moved that day, which points at tracking, a campaign or a release rather than user behaviour alone.`);
    }
  }
  const near = ctx.quality.missingDays.filter((d) => Math.abs(daysBetween(d, a.date)) <= 1);
  if (near.length) hints.push(cite`The data has no events on an adjacent day, so check the export for gaps around ${date}.`);
  if (ctx.quality.smallDays.includes(a.date) && a.metric !== 'entry_users') hints.push(cite`Very few users entered that day, so treat the rate with caution.`);
  if (a.direction === 'drop' && a.metric !== 'entry_users' && ctx.windowDays > 0 && daysBetween(a.date, lastDay) < ctx.windowDays) {
    hints.push(
      cite`Users who entered this close to the end of the data may still convert within the funnel's window, so the drop can be incomplete data rather than a real decline.`,
    );
  }
  for (const w of ctx.opts.dataWarnings ?? []) {
    if (/duplicate/i.test(w)) hints.push(cite`The import flagged duplicate events; confirm they do not cluster on this day.`);
    else if (/timestamp|outlier|unparsable|clock/i.test(w))
      hints.push(cite`The import flagged unusual timestamps; check that events were not shifted into or out of this day.`);
  }
  hints.push(
    a.direction === 'drop'
      ? cite`Next: check releases, experiments and tracking changes around ${date}, then compare the day's segment breakdown.`
      : cite`Next: check campaigns, bots and duplicate events around ${date}.`,
  );
  return hints;
}

/** The same day's deviation in each segment's version of the series, flagged or not. */
function segmentDeviations(ctx: Ctx, a: Anomaly): { name: string; relative: number }[] {
  const out: { name: string; relative: number }[] = [];
  const id = a.metric === 'entry_users' ? 'entry' : a.metric === 'overall_conversion_rate' ? 'overall' : `step:${ctx.stages.indexOf(a.stage ?? '')}`;
  for (const seg of ctx.segments) {
    const daily = ctx.opts.segmentDaily?.[seg.name];
    if (!daily?.length) continue;
    const s = buildSeries(daily, ctx.stages.length, dailyQuality(daily, ctx.stages.length)).find((x) => x.id === id);
    const e = s ? evaluatePoints(s.points, s.kind).find((x) => x?.date === a.date) : null;
    if (e) out.push({ name: seg.name, relative: e.relative });
  }
  return out;
}
