import type { ExperimentSuggestion } from '../../shared/contract';
import { experimentDuration, sampleSizeTwoProportions } from '../stats';
import type { Ctx } from './context';
import { cite } from './factbook';
import type { Draft } from './recommend';

/**
 * An experiment for a recommendation with an estimated impact: the step rate is the primary metric,
 * the minimum detectable effect is the low end of the impact (half the gap to the benchmark, at
 * least 5% and at most 30% relative so the test is neither endless nor blind), and sample size and
 * duration come from the statistics core at alpha 0.05 and power 0.8, in full weeks.
 */
export function suggestExperiment(ctx: Ctx, d: Draft, recId: string): ExperimentSuggestion | null {
  const im = d.impact;
  if (!im) return null;
  const { book } = ctx;
  const i = im.stageIndex;
  const baseline = im.current.value / 100;
  if (!(baseline > 0 && baseline < 1)) return null;
  const halfGap = (im.benchmark.value - im.current.value) / 2 / im.current.value;
  const mde = Math.min(0.3, Math.max(0.05, halfGap));
  let size;
  try {
    size = sampleSizeTwoProportions({ baseline, mde, mdeType: 'relative', alpha: 0.05, power: 0.8 });
  } catch {
    return null;
  }
  const days = Math.max(1, ctx.quality.days.length || dayCount(ctx));
  const daily = im.eligible.value / days;
  if (!(daily > 0)) return null;
  const dur = experimentDuration(size.total, daily);
  const base = `experiment.${d.key}`;
  const who = im.segment ? ` (${im.segment.name})` : '';
  const step = `${ctx.stages[i - 1]} → ${ctx.stages[i]}`;
  const b = book.add(`${base}.baseline_rate`, `Baseline ${step} conversion${who}`, 100 * baseline, 'percent');
  const m = book.add(`${base}.mde_relative`, `Minimum detectable effect (relative)${who}`, 100 * mde, 'percent');
  const tgt = book.add(`${base}.target_rate`, `Target ${step} conversion${who}`, 100 * size.treatment_rate, 'percent');
  const n = book.add(
    `${base}.sample_size_per_variant`,
    `Users per variant (two-sided test, conventional significance and power)${who}`,
    size.per_variant,
    'users',
  );
  const tot = book.add(`${base}.sample_size_total`, `Users in total${who}`, size.total, 'users');
  const dd = book.add(`${base}.duration_days`, `Days to run, in full weeks${who}`, dur.days, 'days');
  const de = book.add(`${base}.daily_eligible_users`, `Users reaching ${ctx.stages[i - 1]} per day${who}`, daily, 'users');
  const audience = im.segment ? `${im.segment.name} users` : 'users';
  const hyp = cite`Making the ${step} step easier for ${audience} will lift its conversion from ${b} to at least ${tgt}.`;
  const design = cite`A/B test on ${audience} who reach ${ctx.stages[i - 1]}, split evenly: control keeps the current ${ctx.stages[i]} step, treatment gets the redesigned one.`;
  const outcome = cite`A relative lift of at least ${m} in ${step} conversion (${b} to ${tgt}), which the test is powered to detect.`;
  const duration =
    dur.days > 91
      ? cite`${dd} at about ${de} eligible users a day, longer than a quarter: only practical with more traffic or a bolder change`
      : cite`${dd} at about ${de} eligible users a day`;
  const sample = cite`${n} users per variant (${tot} in total)`;
  return {
    id: `exp_${recId}`,
    recommendation_id: recId,
    hypothesis: hyp.text,
    test_design: design.text,
    success_metrics: [`${step} conversion${who}`, 'Overall conversion', `Share of users reaching ${ctx.stages[ctx.stages.length - 1]} (guardrail)`],
    expected_outcome: outcome.text,
    duration: duration.text,
    sample_size: sample.text,
    baseline_rate: baseline,
    mde_relative: mde,
    sample_size_per_variant: size.per_variant,
    duration_days: dur.days,
    daily_eligible_users: daily,
    fact_ids: [...new Set([...hyp.fact_ids, ...outcome.fact_ids, ...duration.fact_ids, ...sample.fact_ids])],
  };
}

function dayCount(ctx: Ctx): number {
  const r = ctx.r.date_range;
  if (!r) return 0;
  return Math.round((Date.parse(r.end.slice(0, 10)) - Date.parse(r.start.slice(0, 10))) / 86_400_000) + 1;
}
