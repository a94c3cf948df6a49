import type { Dataset, FunnelDefinitionInput } from '../../../../shared/contract';
import { api } from '../../api/client';
import { presetAnalysis } from '../../state/analysisPreset';
import { setSelection } from '../../state/selection';
import { constantArms } from '../../workspaces/experiments/analysisConfig';

/** The next step offered after an import: where the new dataset can be used right away. */
export interface Landing {
  href: string;
  label: string;
  /** A second way in, e.g. the Dashboard's funnel by variant for an A/B pair. */
  also?: { href: string; label: string };
  note?: string;
}

const funnelOf = (steps: string[], extra: Partial<FunnelDefinitionInput> = {}): FunnelDefinitionInput => ({
  steps: steps.map((event) => ({ event })),
  window: '7d',
  mode: 'any-start',
  tz: 'UTC',
  ...extra,
});

/**
 * Makes a fresh import what every workspace looks at, with something to look at: an event log
 * opens with its most common event path as the funnel, an aggregated export with its stages, a
 * user-level (A/B) table or a control + treatment pair in the Experiments analyzer.
 */
export async function landDataset(ds: Dataset): Promise<Landing> {
  setSelection({ datasetId: ds.id, funnelId: null, definition: null });
  if (ds.kind === 'user_table') {
    presetAnalysis(ds);
    return {
      href: '#/experiments/analyze',
      label: 'Analyse this A/B table in Experiments →',
      note:
        'A user-level table has one row per user and no events: it is read as an experiment (a variant column and metric columns), not as a funnel. ' +
        'For a funnel across files (leads, then the deals closed from them), choose the files together: they are joined on their shared id.',
    };
  }
  if (ds.kind === 'aggregated') {
    const stages = ds.events.map((e) => e.name).slice(0, 20);
    const arms = constantArms(ds);
    setSelection({ definition: funnelOf(stages, arms ? { breakdown: arms.column } : {}) });
    if (arms && arms.values.length >= 2) {
      presetAnalysis(ds);
      return {
        href: '#/experiments/analyze',
        label: `Compare ${arms.values.join(' and ')} in Experiments →`,
        also: { href: '#/dashboard', label: `See the funnel by ${arms.column} on the Dashboard` },
      };
    }
    return { href: '#/dashboard', label: `Open the funnel ${stages.join(' → ')} on the Dashboard →` };
  }
  const s = await api('datasets:suggest-funnel', { datasetId: ds.id }).catch(() => null);
  if (!s || s.steps.length < 2) return { href: '#/dashboard', label: 'Build a funnel on the Dashboard →' };
  // The shipped sample's segments are the point of its planted effects: break it down by intent.
  const intent = ds.columns.some((c) => c.name === 'user_intent') && ds.sourceName === 'pinterest_events.csv';
  const definition = funnelOf(s.steps, intent ? { breakdown: 'user_intent' } : {});
  setSelection({ definition });
  if (intent) {
    // The sample's first run goes on to Ask and Reports, which read a saved funnel: save it once.
    const saved = await api('funnels:create', { datasetId: ds.id, name: `Sample: ${s.steps.join(' → ')}`, definition }).catch(() => null);
    if (saved) setSelection({ funnelId: saved.id, definition: saved.definition });
  }
  return {
    href: '#/dashboard',
    label: `Open the funnel ${s.steps.join(' → ')} on the Dashboard →`,
    note: `The most common path of events: ${s.users.map((n, i) => `${n.toLocaleString('en-US')} users ${i === 0 ? 'start with' : 'then'} ${s.steps[i]}`).join(', ')}. Edit the steps there.`,
  };
}
