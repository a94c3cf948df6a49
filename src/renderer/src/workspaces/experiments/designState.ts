import type { DesignInput } from '../../../../shared/contract/experiments';
import type { ExperimentHandoff } from '../../state/handoff';
import { num, splitList } from './fields';

export interface GuardrailRow {
  metric: string;
  margin: string;
  marginType: 'relative' | 'absolute';
  direction: 'higher_is_better' | 'lower_is_better';
}

/** What the boxes hold, as typed. Rates and margins are typed in percent / pp and sent as fractions. */
export interface DesignForm {
  name: string;
  hypothesis: string;
  metricType: 'rate' | 'mean';
  baseline: string;
  baselineMean: string;
  baselineSd: string;
  mde: string;
  mdeType: 'relative' | 'absolute';
  power: string;
  alpha: string;
  dailyUsers: string;
  allocation: string;
  variants: string;
  fullWeeks: boolean;
  primaryMetric: string;
  secondary: string;
  guardrails: GuardrailRow[];
  unit: string;
  stratification: string;
  /**
   * Exact values behind boxes a hand-off filled with rounded text ("47.37" for 0.473684...). While a
   * box still holds that text the exact value is sent, so the designer reproduces the card's sample
   * size and duration; once the user edits the box, the typed value is used.
   */
  exact?: Partial<Record<'baseline' | 'mde' | 'dailyUsers', { text: string; value: number }>>;
  /** Units in each treatment arm per control unit (1 = equal split; 90/10 = 0.111). */
  ratio?: string;
  oneSided?: boolean;
  /** Total users available (all arms): the power at the MDE and the MDE this sample allows. */
  availableUsers?: string;
  /** Or a planned duration in days (with the daily users). */
  plannedDays?: string;
}

export const DEFAULT_FORM: DesignForm = {
  name: '',
  hypothesis: '',
  metricType: 'rate',
  baseline: '15',
  baselineMean: '',
  baselineSd: '',
  mde: '10',
  mdeType: 'relative',
  power: '0.8',
  alpha: '0.05',
  dailyUsers: '5000',
  allocation: '100',
  variants: '2',
  fullWeeks: true,
  primaryMetric: 'Conversion rate',
  secondary: '',
  guardrails: [],
  unit: 'user_id',
  stratification: '',
};

const short = (x: number, digits: number) => String(Number(x.toFixed(digits)));

/**
 * The designer as the card computed it: baseline, relative MDE and daily users from the hand-off
 * (shown rounded, sent exact), and the conventional settings the card's sample size assumed
 * (α 0.05, power 0.8, two variants, everyone eligible, whole weeks). The baseline is whatever the
 * engine returned: a fraction, or percent if above 1.
 */
export function formFromHandoff(h: ExperimentHandoff, base: DesignForm): DesignForm {
  const b = h.baselineRate;
  const pct = b === null ? null : b <= 1 ? b * 100 : b;
  const exact: NonNullable<DesignForm['exact']> = {};
  const out: DesignForm = { ...base, name: h.title.slice(0, 200), hypothesis: h.hypothesis, metricType: 'rate' };
  if (pct !== null) {
    out.baseline = short(pct, 2);
    exact.baseline = { text: out.baseline, value: pct };
  }
  if (h.mdeRelative != null && h.mdeRelative > 0) {
    out.mde = short(h.mdeRelative * 100, 2);
    out.mdeType = 'relative';
    exact.mde = { text: out.mde, value: h.mdeRelative * 100 };
  }
  if (h.dailyUsers != null && h.dailyUsers > 0) {
    out.dailyUsers = short(h.dailyUsers, 0);
    exact.dailyUsers = { text: out.dailyUsers, value: h.dailyUsers };
  }
  if (h.sampleSizePerVariant !== null) Object.assign(out, { power: '0.8', alpha: '0.05', variants: '2', allocation: '100', fullWeeks: true });
  return { ...out, exact };
}

/** The number in a box: the exact hand-off value while the box still shows its rounded text. */
function boxValue(f: DesignForm, k: 'baseline' | 'mde' | 'dailyUsers'): number | null {
  const e = f.exact?.[k];
  // The exact MDE is a relative one: after a switch to absolute the box means something else.
  const same = e && f[k].trim() === e.text && (k !== 'mde' || f.mdeType === 'relative');
  return same ? e.value : num(f[k]);
}

/** Builds the engine input, or says which box needs a value; the engine does every calculation. */
export function toDesignInput(f: DesignForm): { input: DesignInput | null; problem: string | null } {
  const mde = boxValue(f, 'mde');
  const power = num(f.power);
  const alpha = num(f.alpha);
  const variants = num(f.variants);
  const daily = boxValue(f, 'dailyUsers');
  const allocation = num(f.allocation);
  const ratio = (f.ratio ?? '').trim() === '' ? 1 : num(f.ratio ?? '');
  const avail = (f.availableUsers ?? '').trim() === '' ? null : num(f.availableUsers ?? '');
  const days = (f.plannedDays ?? '').trim() === '' ? null : num(f.plannedDays ?? '');
  if (ratio === null || !(ratio > 0))
    return { input: null, problem: 'Allocation ratio: units per treatment arm for each control unit, above 0 (1 = equal split, 0.111 = 90/10).' };
  if (avail !== null && !(Number.isInteger(avail) && avail > 0))
    return { input: null, problem: 'Available users: a whole number above 0 (or leave it empty).' };
  if (days !== null && !(Number.isInteger(days) && days > 0)) return { input: null, problem: 'Planned duration: whole days above 0 (or leave it empty).' };
  const mdeOptional = avail !== null || days !== null;
  if (!(mdeOptional && f.mde.trim() === '') && (mde === null || !(mde > 0))) return { input: null, problem: 'Enter a minimum detectable effect above 0.' };
  if (power === null || !(power > 0 && power < 1)) return { input: null, problem: 'Power is a fraction between 0 and 1, e.g. 0.8.' };
  if (alpha === null || !(alpha > 0 && alpha < 1)) return { input: null, problem: 'Alpha is a fraction between 0 and 1, e.g. 0.05.' };
  if (variants === null || !Number.isInteger(variants) || variants < 2 || variants > 20)
    return { input: null, problem: 'Variants: a whole number from 2 to 20 (control included).' };
  if (allocation === null || !(allocation > 0 && allocation <= 100))
    return { input: null, problem: 'Allocation is the share of eligible users in the test: above 0% and at most 100%.' };
  if (f.dailyUsers.trim() !== '' && (daily === null || !(daily > 0)))
    return { input: null, problem: 'Daily eligible users must be above 0 (or leave the box empty).' };
  const rate = f.metricType === 'rate';
  const input: DesignInput = {
    save: false,
    metric_type: f.metricType,
    // Relative MDEs and rate-scale absolute MDEs are typed in percent / pp; mean-scale ones in metric units.
    ...(mde !== null && mde > 0 ? { mde: f.mdeType === 'relative' || rate ? mde / 100 : mde } : {}),
    ...(ratio !== 1 ? { ratio } : {}),
    ...(f.oneSided ? { alternative: 'one-sided' as const } : {}),
    ...(avail !== null ? { sample_size: avail } : days !== null ? { duration_days: days } : {}),
    mde_type: f.mdeType,
    alpha,
    power,
    variants,
    allocation: allocation / 100,
    full_weeks: f.fullWeeks,
    randomization_unit: f.unit.trim() || 'user_id',
    stratification: splitList(f.stratification),
    secondary_metrics: splitList(f.secondary),
    guardrails: f.guardrails
      .filter((g) => g.metric.trim() && (num(g.margin) ?? 0) > 0)
      .map((g) => ({
        metric: g.metric.trim(),
        margin: g.marginType === 'relative' || rate ? (num(g.margin) ?? 0) / 100 : (num(g.margin) ?? 0),
        margin_type: g.marginType,
        direction: g.direction,
      })),
    ...(daily !== null ? { daily_users: daily } : {}),
    ...(f.hypothesis.trim() ? { hypothesis: f.hypothesis.trim() } : {}),
    ...(f.name.trim() ? { name: f.name.trim() } : {}),
    ...(f.primaryMetric.trim() ? { primary_metric: f.primaryMetric.trim() } : {}),
  };
  if (rate) {
    const b = boxValue(f, 'baseline');
    if (b === null || !(b > 0 && b < 100)) return { input: null, problem: 'Baseline rate: a percentage between 0 and 100, e.g. 15.' };
    input.baseline_rate = b / 100;
  } else {
    const m = num(f.baselineMean);
    const sd = num(f.baselineSd);
    if (m === null) return { input: null, problem: 'Enter the baseline mean of the metric.' };
    if (sd === null || !(sd > 0)) return { input: null, problem: 'Enter the standard deviation of the metric (above 0).' };
    input.baseline_mean = m;
    input.baseline_sd = sd;
  }
  return { input, problem: null };
}
