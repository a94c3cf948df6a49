import { useSyncExternalStore } from 'react';

/**
 * A one-way note from one workspace to another: "open the experiment designer with this
 * hypothesis". The Hypotheses workspace writes it before navigating to #/experiments; the
 * Experiments workspace reads it (useHandoff) to pre-fill the designer and clears it once used
 * (clearHandoff), so a later visit starts blank. Kept in sessionStorage so a reload of the target
 * page still sees it, but a new launch does not.
 *
 * Every number here was computed by the engine (analytics:hypotheses); nothing is derived in the UI.
 */
export interface ExperimentHandoff {
  /** Bumped when the shape changes, so a reader can ignore notes it does not understand. */
  version: 1;
  source: 'hypothesis' | 'recommendation';
  /** Hypothesis.id from analytics:hypotheses, or the recommendation's id. */
  hypothesisId: string;
  title: string;
  /** The hypothesis statement (Hypothesis.description). */
  hypothesis: string;
  /** suggested_experiment.type, e.g. "A/B test". */
  experimentType: string;
  /** suggested_experiment.description. */
  testDescription: string;
  expectedOutcome: string;
  priority: 'High' | 'Medium' | 'Low';
  /** suggested_experiment.baseline_rate exactly as the engine returned it (null when unknown). */
  baselineRate: number | null;
  sampleSizePerVariant: number | null;
  durationDays: number | null;
  /** The relative MDE (fraction) and daily eligible users the sample size and duration were computed with. */
  mdeRelative?: number | null;
  dailyUsers?: number | null;
  /** Fact ids behind the hypothesis, and their display strings, for the designer's evidence list. */
  evidence: { factId: string; label: string; display: string }[];
  datasetId: string | null;
  funnelId: string | null;
  createdAt: string;
}

const KEY = 'iafa.handoff.experiment';
const listeners = new Set<() => void>();
let cache: { raw: string | null; value: ExperimentHandoff | null } = { raw: null, value: null };

function read(): ExperimentHandoff | null {
  const raw = sessionStorage.getItem(KEY);
  if (raw === cache.raw) return cache.value;
  let value: ExperimentHandoff | null = null;
  try {
    const v = raw ? (JSON.parse(raw) as ExperimentHandoff) : null;
    value = v && v.version === 1 ? v : null;
  } catch {
    // A corrupt note is dropped rather than breaking the designer.
  }
  cache = { raw, value };
  return value;
}

export function getHandoff(): ExperimentHandoff | null {
  return read();
}

export function setHandoff(h: ExperimentHandoff): void {
  sessionStorage.setItem(KEY, JSON.stringify(h));
  listeners.forEach((l) => l());
}

export function clearHandoff(): void {
  sessionStorage.removeItem(KEY);
  listeners.forEach((l) => l());
}

export function useHandoff(): ExperimentHandoff | null {
  return useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, read);
}
