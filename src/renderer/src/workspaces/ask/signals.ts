import type { AskOutput, AskSignals } from '../../../../shared/contract';

/**
 * The two things an answer can be trusted for, shown apart: its numbers are computed facts, and it
 * answers the question asked. Neither implies the other ("closest facts" can be all facts).
 */
export interface SignalText {
  tone: 'good' | 'warn' | 'info' | 'muted';
  label: string;
  title: string;
}

export function numbersSignal(s: AskSignals): SignalText {
  if (s.numbers === 'match')
    return { tone: 'good', label: 'numbers match computed facts', title: 'Every figure in the answer equals a value the engine computed.' };
  if (s.numbers === 'partly')
    return { tone: 'warn', label: 'some numbers not matched', title: 'Some figures could not be matched to a computed fact: check them before quoting.' };
  return { tone: 'muted', label: 'no figures quoted', title: 'The answer quotes no number.' };
}

export function questionSignal(s: AskSignals): SignalText {
  if (s.question === 'answered') return { tone: 'good', label: 'answers the question', title: 'The answer cites the facts this kind of question is about.' };
  if (s.question === 'closest_facts')
    return { tone: 'warn', label: 'closest facts', title: s.note ?? 'The answer shows the facts nearest to the question, not an answer to it.' };
  return { tone: 'info', label: 'not in the data', title: s.note ?? 'The question names something the data does not have.' };
}

/**
 * Answers stored before the signals existed: the numbers check is known from grounding, whether the
 * answer fitted the question is not, so it is never claimed.
 */
export function signalsOf(a: Pick<AskOutput, 'grounding'> & { signals?: AskSignals }): AskSignals {
  return (
    a.signals ?? {
      numbers: a.grounding.passed ? 'match' : 'partly',
      question: 'closest_facts',
      kind: 'unknown',
      missing: [],
      note: 'Asked before answers were checked against the question.',
    }
  );
}

/** One line for exports: "numbers match computed facts · answers the question". */
export function signalLine(s: AskSignals): string {
  return `${numbersSignal(s).label} · ${questionSignal(s).label}`;
}
