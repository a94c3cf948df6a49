import type { AskAdvice, Fact } from '../../shared/contract';
import { absent, answered, closest, describeData, joinSaid, main, say, unsigned, type Result, type Said, type Sheet } from './answer-kit';
import { dropOff } from './answer-funnel';
import type { Classified } from './question';

/** Answers beyond the funnel's own counts: segments, trends, forecasts, advice, experiments, data quality. */

const ALPHA = 0.05;
const cap = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);

function segmentMetric(s: Sheet, c: Classified): { id: string; name: string } {
  const k = c.stages
    .map((x) => s.stageIndex(x))
    .filter((i) => i > 0)
    .pop();
  return k === undefined
    ? { id: 'overall_conversion_rate', name: 'overall conversion' }
    : { id: `stage.${s.v.stages[k].key}.step_conversion_rate`, name: `${s.stageName(k - 1)} → ${s.stageName(k)} conversion` };
}

function segmentComparison(s: Sheet, c: Classified, q: string): Result {
  if (!s.v.segments.length) {
    return absent(['segment breakdown'], `This funnel is not broken down by segment, so there is nothing to compare. ${describeData(s)}`.trim());
  }
  const m = segmentMetric(s, c);
  const rateOf = (seg: string) => s.get(`segment.${seg}.${m.id}`);
  const wantsP = /significan|p value|pvalue|chance|real|noise/.test(q);
  if (c.segments.length >= 2) {
    const [a, b] = c.segments;
    const cmp = [`${a}.vs.${b}`, `${b}.vs.${a}`]
      .map((p) => ({ p, diff: s.get(`compare.segment.${p}.${m.id}.diff_pp`), pv: s.get(`compare.segment.${p}.${m.id}.p_adjusted`) }))
      .find((x) => x.diff);
    const ra = rateOf(a);
    const rb = rateOf(b);
    if (!ra || !rb) return null;
    const rates = say`${cap(m.name)}: ${s.segName(a)} ${main(ra)}, ${s.segName(b)} ${main(rb)}.`;
    if (cmp?.diff && cmp.pv) {
      const [hi, lo] = cmp.p.split('.vs.');
      const verdict = cmp.pv.value < ALPHA ? 'significant after Holm correction across the segment tests' : 'not significant after Holm correction';
      return answered(joinSaid([rates, say`${s.segName(hi)} minus ${s.segName(lo)}: ${main(cmp.diff)} (${main(cmp.pv)}), ${verdict}.`]));
    }
    const note = 'The analysis states a p-value only for the widest gap on each metric; this pair is not that one.';
    return wantsP ? closest(joinSaid([rates, { text: note, ids: [] }]), note) : answered(rates);
  }
  if (c.segments.length === 1) {
    const k = c.segments[0];
    const rate = rateOf(k);
    const share = s.get(`segment.${k}.share_of_users`);
    const n = s.get(`segment.${k}.total_users`);
    const overall = s.get(m.id === 'overall_conversion_rate' ? 'funnel.overall_conversion_rate' : m.id);
    if (!rate || !n) return null;
    const parts = [say`${s.segName(k)}: ${m.name} ${main(rate)} for its ${n} users${share ? say` (${share} of entrants)` : ''}.`];
    if (overall) parts.push(say`All users: ${overall}.`);
    return answered(joinSaid(parts));
  }
  const rows = s.v.segments.map((x) => ({ k: x.key, f: rateOf(x.key) })).filter((x): x is { k: string; f: Fact } => Boolean(x.f));
  if (!rows.length) return null;
  const widest = s.matching(new RegExp(`^compare\\.segment\\.[^.]+\\.vs\\.[^.]+\\.${m.id.replace(/\./g, '\\.')}\\.diff_pp$`))[0];
  const gap = (): Said | null => {
    if (!widest) return null;
    const pair = widest.id.split('.').slice(2, 5);
    const pv = s.get(widest.id.replace(/diff_pp$/, 'p_adjusted'));
    return pv
      ? say`${s.segName(pair[0])} minus ${s.segName(pair[2])}: ${widest} (${pv}${pv.value < ALPHA ? ', significant after Holm correction' : ', not significant after Holm correction'}).`
      : null;
  };
  if (c.extreme) {
    const pick = [...rows].sort((a, b) => (c.extreme === 'max' ? b.f.value - a.f.value : a.f.value - b.f.value))[0];
    const g = gap();
    return answered(joinSaid([say`${s.segName(pick.k)} has the ${c.extreme === 'max' ? 'highest' : 'lowest'} ${m.name}: ${main(pick.f)}.`, ...(g ? [g] : [])]));
  }
  const g = gap();
  return answered(
    joinSaid([
      say`${cap(m.name)} by ${s.v.segmentColumn ?? 'segment'}: ${joinSaid(
        rows.slice(0, 6).map((x) => say`${s.segName(x.k)} ${x.f}`),
        ', ',
      )}.`,
      ...(g ? [g] : []),
    ]),
  );
}

function anomalyLines(s: Sheet, date: string | null): Said[] {
  const dates = s.matching(/^anomaly\..*\.date$/).filter((f) => !/\.segment\./.test(f.id) && (!date || f.display === date));
  return dates.slice(0, 2).map((d) => {
    const base = d.id.replace(/\.date$/, '');
    const obs = s.get(`${base}.observed`);
    const exp = s.get(`${base}.expected`);
    const what = d.label.replace(/^Day of the anomaly in /, '');
    return obs && exp ? say`On ${d}, ${what} was ${main(obs)} against an expected ${exp}.` : say`${d.label}: ${d}.`;
  });
}

function trend(s: Sheet, c: Classified, q: string): Result {
  const count = s.get('anomalies.count');
  if (c.dates.length) {
    const lines = c.dates.flatMap((d) => anomalyLines(s, d));
    if (lines.length) return answered(joinSaid(lines));
    return count ? answered(say`No series was flagged as anomalous on that day; ${count} day(s) were flagged in the whole period.`) : null;
  }
  if (/anomal|spike|dip|unusual|strange|weird|happened/.test(q)) {
    const lines = anomalyLines(s, null);
    if (lines.length) return answered(joinSaid([...(count ? [say`${count} day(s) were flagged as anomalous.`] : []), ...lines]));
    return count ? answered(say`No day was flagged as anomalous (${count} flagged).`) : null;
  }
  const cur = s.get('funnel.overall_conversion_rate');
  const prev = s.get('period.previous.overall_conversion_rate');
  if (prev && cur && /previous|prior|before|last period|earlier period/.test(q)) {
    return answered(say`Overall conversion is ${cur} in this period against ${prev} in the previous one.`);
  }
  const parts: Said[] = [];
  const stage = c.stages
    .map((k) => s.stageIndex(k))
    .filter((i) => i > 0)
    .pop();
  const series = stage === undefined ? 'overall_conversion_rate' : `stage.${s.v.stages[stage].key}.step_conversion_rate`;
  const wowNow = s.get(`trend.wow.${series}.current`);
  const wowPrev = s.get(`trend.wow.${series}.previous`);
  const wowP = s.get(`trend.wow.${series}.p`);
  if (wowNow && wowPrev) parts.push(say`Last week of complete data: ${wowNow}, against ${wowPrev} the week before${wowP ? say` (${wowP})` : ''}.`);
  const slope = s.get(`trend.daily.${series}.slope_pp_per_week`);
  const sp = s.get(`trend.daily.${series}.slope_p_adjusted`);
  if (slope)
    parts.push(
      say`The daily series moves ${slope} per week${sp ? say` (${sp}${sp.value < ALPHA ? ', a real trend' : ', not distinguishable from noise'})` : ''}.`,
    );
  const halves = s.get(`change.halves.${series}.change_pp`);
  const hp = s.get(`change.halves.${series}.p_adjusted`);
  if (halves && hp) parts.push(say`Between the first and second part of the period it changed ${halves} (${hp}).`);
  if (prev && cur) parts.push(say`Previous period: ${prev}; this period: ${cur}.`);
  if (parts.length) return answered(joinSaid(parts));
  return absent(
    ['trend over time'],
    'This analysis has no trend figures: the period is too short or too sparse for a trend test, and no previous period was computed.',
  );
}

function forecast(s: Sheet, c: Classified): Result {
  const stage = c.stages
    .map((k) => s.stageIndex(k))
    .filter((i) => i > 0)
    .pop();
  const series = stage === undefined ? 'overall_conversion_rate' : `stage.${s.v.stages[stage].key}.step_conversion_rate`;
  const v = s.get(`forecast.${series}.end.value`) ?? s.get('forecast.overall_conversion_rate.end.value');
  if (!v) return absent(['forecast'], 'This analysis has no forecast: the daily series is too short or too irregular to project.');
  const base = v.id.replace(/\.end\.value$/, '');
  const lo = s.get(`${base}.end.lower`);
  const hi = s.get(`${base}.end.upper`);
  const h = s.get('forecast.horizon_days');
  const cross = s.get(`${base}.crossing_date`);
  const parts = [say`${v.label}${h ? say` (${h} ahead)` : ''}: ${main(v)}${lo && hi ? say`, prediction interval ${lo} to ${hi}` : ''}.`];
  if (cross) parts.push(say`The trend crosses the alert threshold on ${cross}.`);
  return answered(joinSaid(parts));
}

function recommendation(s: Sheet, c: Classified, q: string, advice: AskAdvice[]): Result {
  if (!advice.length) {
    const leak = dropOff(s, { ...c, stages: [], extreme: null }, q);
    return leak ? closest(leak.said, 'No recommendation was computed for this analysis; the biggest leak is where to look first.') : null;
  }
  const known = (ids: string[]) => ids.filter((id) => s.byId.has(id));
  const first = advice[0];
  const parts: Said[] = [
    { text: `Top recommendation (${first.priority} priority): ${first.title}. ${clip(first.rationale, 600)}`, ids: known(first.fact_ids) },
  ];
  if (advice[1]) parts.push({ text: `Second (${advice[1].priority} priority): ${advice[1].title}.`, ids: [] });
  return answered(joinSaid(parts));
}

function clip(t: string, max: number): string {
  if (t.length <= max) return t;
  const cut = t.slice(0, max);
  const end = cut.lastIndexOf('. ');
  return end > max / 3 ? cut.slice(0, end + 1) : cut.slice(0, cut.lastIndexOf(' '));
}

function experimentDesign(s: Sheet, c: Classified, q: string): Result {
  const plans = s.matching(/^experiment\..+\.sample_size_per_variant$/);
  if (!plans.length) {
    if (s.v.metrics.length) return experimentResult(s, { ...c, kind: 'experiment_result' }, 'how many units');
    return absent(
      ['experiment design'],
      'This analysis suggests no experiment, so it has no sample size or duration. Design one in Experiments → Design from a baseline and the change you want to detect.',
    );
  }
  const wanted = c.stages.length ? plans.find((f) => c.stages.some((k) => f.id.includes(`.${k}.`))) : undefined;
  const plan = wanted ?? plans[0];
  const base = plan.id.replace(/\.sample_size_per_variant$/, '');
  const f = (x: string) => s.get(`${base}.${x}`);
  const [mde, baseline, total, days, daily] = [f('mde_relative'), f('baseline_rate'), f('sample_size_total'), f('duration_days'), f('daily_eligible_users')];
  const metric = baseline ? baseline.label.replace(/^Baseline /, '') : 'the metric';
  const now = baseline ? say` (now ${baseline})` : '';
  const parts = [
    say`To detect a ${mde ?? ''}${mde ? ' relative ' : ''}change in ${metric}${now}, a test needs ${main(plan)} users per variant${total ? say` (${total} in total)` : ''}.`,
  ];
  if (days && daily) parts.push(say`At ${daily} eligible users a day that is ${days} of running time.`);
  return /how long|duration|days|weeks/.test(q) && !days ? closest(joinSaid(parts), 'The duration is not among the facts.') : answered(joinSaid(parts));
}

function metricPrefix(m: string): string {
  return m === 'primary' ? 'experiment.primary' : `experiment.secondary.${m}`;
}

function experimentResult(s: Sheet, c: Classified, q: string): Result {
  if (!s.v.metrics.length) return null;
  const srm = /\b(srm|sample ratio|split|allocation|balanced|imbalance)\b/.test(q);
  if (srm) {
    const [cs, ts, pc, pt, p] = ['control_share', 'treatment_share', 'planned_control_share', 'planned_treatment_share', 'p_value'].map((x) =>
      s.get(`experiment.srm.${x}`),
    );
    if (cs && ts && p)
      return answered(
        say`Units split ${cs} control and ${ts} treatment${pc && pt ? say` against a planned ${pc} and ${pt}` : ''}; the sample-ratio test gives ${main(p)}.`,
      );
  }
  const key = c.metrics[0] ?? 'primary';
  const name = s.v.metrics.find((m) => m.key === key)?.name ?? key;
  const pre = metricPrefix(key);
  const g = (x: string) => s.get(`${pre}.${x}`);
  if (/\bpower\b/.test(q)) {
    const pw = s.get('experiment.power.observed_effect');
    if (pw) return answered(say`${pw.label}: ${pw}.`);
  }
  if (/how many|units|players|users|participants|sample size|per (variant|group|arm)/.test(q) && !/significan|p value|lift|effect/.test(q)) {
    const [cn, tn] = [g('control_n'), g('treatment_n')];
    if (cn && tn) return answered(say`${name}: ${main(cn)} units in control and ${main(tn)} in treatment.`);
  }
  const [cv, tv, diff, lift, p, pAdj, lo, hi] = [
    'control_value',
    'treatment_value',
    'difference',
    'relative_lift',
    'p_value',
    'p_value_adjusted',
    'ci_lower',
    'ci_upper',
  ].map(g);
  if (!cv || !tv || !diff || !p) return null;
  const relative = lift ? say` (${main(lift)} relative)` : '';
  const interval = lo && hi ? say`, confidence interval ${lo} to ${hi}` : '';
  const pText = pAdj ? say`${main(p)}, adjusted ${main(pAdj)}` : main(p);
  const verdict = (pAdj ?? p).value < ALPHA ? 'significant' : 'not significant';
  const parts = [
    say`${name}: ${main(cv)} in control, ${main(tv)} in treatment, a difference of ${main(diff)}${relative}${interval}; ${pText}, ${verdict} at the test's level.`,
  ];
  if (/ship|launch|roll|decision|decide|winner|win|keep|guardrail/.test(q)) {
    for (const ch of s.matching(/^experiment\.guardrail\..+\.change$/)) {
      const margin = s.get(ch.id.replace(/\.change$/, '.margin'));
      parts.push(say`Guardrail ${ch.label.replace(/: change$/, '')}: ${ch}${margin ? say` against a non-inferiority margin of ${unsigned(margin)}` : ''}.`);
    }
    parts.push({ text: 'The decision and the rule that produced it are on the experiment’s result card.', ids: [] });
  }
  return answered(joinSaid(parts));
}

function dataQuality(s: Sheet): Result {
  const dq = s.matching(/^data\./);
  if (dq.length) return answered(joinSaid(dq.slice(0, 5).map((f) => say`${f.label}: ${f}.`)));
  const total = s.get('funnel.total_users') ?? s.get('experiment.srm.control_n');
  return total
    ? answered(say`No data-quality issue was flagged for this analysis (${total} ${total.id.startsWith('funnel') ? 'users entering' : 'control units'}).`)
    : null;
}

export function answerOther(s: Sheet, c: Classified, q: string, advice: AskAdvice[]): Result {
  switch (c.kind) {
    case 'segment_comparison':
      return segmentComparison(s, c, q);
    case 'trend':
      return trend(s, c, q);
    case 'forecast':
      return forecast(s, c);
    case 'recommendation':
      return recommendation(s, c, q, advice);
    case 'experiment_design':
      return experimentDesign(s, c, q);
    case 'experiment_result':
      return experimentResult(s, c, q);
    case 'data_quality':
      return dataQuality(s);
    default:
      return null;
  }
}
