import type { AskAdvice, Fact, QuestionKind } from '../../shared/contract';
import { closest, joinSaid, refusal, say, Sheet, type Fit, type Result } from './answer-kit';
import { dropOff, overallConversion, stageCount, stepConversion, timeToConvert } from './answer-funnel';
import { answerOther } from './answer-other';
import { followUps, matchFacts } from './match';
import { classifyQuestion, type Classified } from './question';

/**
 * The answer the app gives with no model: the question is classified (question.ts) and answered
 * from the facts of that kind, every number quoted as the fact's display. When the question names
 * something the data does not have, the answer says so and quotes no number.
 */

export interface ComputedAnswer {
  answer: string;
  fact_ids: string[];
  /** The facts that answer the question (the rest are context); all of fact_ids when none is marked. */
  key_fact_ids: string[];
  kind: QuestionKind;
  fit: Fit;
  missing: string[];
  note: string | null;
}

const FUNNEL: Partial<Record<QuestionKind, (s: Sheet, c: Classified, q: string) => Result>> = {
  stage_count: stageCount,
  overall_conversion: overallConversion,
  step_conversion: stepConversion,
  drop_off: dropOff,
  time_to_convert: timeToConvert,
};

/** The computed answer to a question: classified, then answered from the facts of its kind. */
export function computedAnswer(
  question: string,
  facts: Fact[],
  advice: AskAdvice[] = [],
  columns: string[] = [],
): ComputedAnswer & { follow_up_questions: string[] } {
  const s = new Sheet(facts, columns);
  const c = classifyQuestion(question, s.v);
  const q = question.toLowerCase().replace(/[_\-./]+/g, ' ');
  let r: Result = null;
  if (c.missing.length) r = refusal(s, c.missing);
  else r = (FUNNEL[c.kind] ?? ((a, b, d) => answerOther(a, b, d, advice)))(s, c, q);
  // A funnel question put to an experiment's facts ("how many players?") is about its arms.
  if (!r && s.v.metrics.length && c.kind !== 'unknown') r = answerOther(s, { ...c, kind: 'experiment_result' }, q, advice);
  if (!r) {
    const hits = matchFacts(question, facts);
    r = hits.length
      ? closest(
          joinSaid(hits.map((f) => say`${f.label}: ${f}.`)),
          c.kind === 'unknown'
            ? 'The question was not recognised; these are the facts whose names are closest to its words.'
            : 'The facts this kind of question needs are not in this analysis; these are the closest ones.',
        )
      : {
          said: {
            text: 'The computed facts for this analysis do not answer that. Ask about a step, a segment, conversion, drop-off, a trend or the experiment.',
            ids: [],
          },
          fit: 'closest_facts',
          note: 'No fact matches the question.',
        };
  }
  const found = r as NonNullable<Result>;
  const used = new Set(found.said.ids);
  return {
    answer: found.said.text,
    fact_ids: found.said.ids,
    key_fact_ids: found.said.keys ?? found.said.ids,
    kind: c.kind,
    fit: found.fit ?? 'answered',
    missing: found.missing ?? [],
    note: found.note ?? null,
    follow_up_questions: followUps(facts, used),
  };
}
