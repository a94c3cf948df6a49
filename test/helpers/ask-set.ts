import fs from 'node:fs';
import type { AskAdvice, Fact } from '../../src/shared/contract';
import { AnalyzeInput } from '../../src/shared/contract/experiments';
import { parseCsv, runAnalysis } from '../../src/core/experiments';
import { computedAnswer } from '../../src/core/llm/answer';
import { extractNumbers, isIncidental } from '../../src/core/llm/numbers';
import type { Engine } from '../../src/core/services';
import { sharedData } from './shared';

/**
 * The Ask question set (test/fixtures/ask/questions.json): phrased questions over the shipped
 * sample and three real files, each with the facts a right answer must cite or the refusal it must
 * be. Used by test/unit/llm/ask-set.test.ts and `npm run bench` (bench/ask.ts).
 */

export interface AskCase {
  data: 'sample' | 'taobao' | 'udacity' | 'cookie_cats';
  q: string;
  /** Every id listed must be cited. */
  facts?: string[];
  /** The answer must say the data lacks what the question names, with no number. */
  refuse?: boolean;
}

export interface AskSheet {
  facts: Fact[];
  advice: AskAdvice[];
  columns: string[];
}

export const ASK_CASES: AskCase[] = JSON.parse(fs.readFileSync(new URL('../fixtures/ask/questions.json', import.meta.url), 'utf8')) as AskCase[];

const FUNNELS = {
  sample: { path: 'sample', steps: ['pin_view', 'save', 'click', 'purchase'], breakdown: 'user_intent' },
  taobao: { path: sharedData('taobao_userbehavior_head.csv'), steps: ['pv', 'cart', 'buy'] },
  udacity: { path: sharedData('udacity_control_data.csv'), steps: ['Pageviews', 'Clicks', 'Enrollments', 'Payments'] },
} as const;

/** The fact sheets the app would answer from: the funnels' analyses and Cookie Cats' experiment read-out. */
export async function loadAskSheets(engine: Engine): Promise<Record<AskCase['data'], AskSheet>> {
  const out = {} as Record<AskCase['data'], AskSheet>;
  for (const [name, f] of Object.entries(FUNNELS) as [keyof typeof FUNNELS, (typeof FUNNELS)[keyof typeof FUNNELS]][]) {
    const ds = await engine.dispatch('datasets:import', { path: f.path });
    const report = await engine.dispatch('analytics:recommendations', {
      datasetId: ds.id,
      definition: { steps: f.steps.map((event) => ({ event })), ...('breakdown' in f ? { breakdown: f.breakdown } : {}) },
    });
    const columns = ds.columns.filter((c) => !/^(user|user_id|time|timestamp|date|event|count|stage)$/.test(c.role)).map((c) => c.name);
    out[name] = { facts: report.facts, advice: report.recommendations, columns };
  }
  const a = runAnalysis(
    AnalyzeInput.parse({
      variant_column: 'version',
      control: 'gate_30',
      treatment: 'gate_40',
      metrics: ['retention_1', 'retention_7', 'sum_gamerounds'],
      guardrails: ['retention_7'],
    }),
    { table: parseCsv(fs.readFileSync(sharedData('cookie_cats.csv'), 'utf8')) },
  );
  out.cookie_cats = { facts: a.facts, advice: [], columns: ['userid', 'version', 'sum_gamerounds', 'retention_1', 'retention_7'] };
  return out;
}

export interface AskVerdict {
  right: boolean;
  why: string;
  answer: string;
  fact_ids: string[];
  fit: string;
  kind: string;
}

/** Right: a refusal quotes no number and says so; an answer cites every expected fact and is marked as answering. */
export function judge(c: AskCase, sheet: AskSheet): AskVerdict {
  const r = computedAnswer(c.q, sheet.facts, sheet.advice, sheet.columns);
  const base = { answer: r.answer, fact_ids: r.fact_ids, fit: r.fit, kind: r.kind };
  if (c.refuse) {
    const figures = extractNumbers(r.answer).filter((n) => !isIncidental(n));
    if (r.fit !== 'not_in_data') return { ...base, right: false, why: `expected a refusal, got ${r.fit}` };
    if (figures.length) return { ...base, right: false, why: `refusal quotes ${figures.map((n) => n.raw).join(', ')}` };
    return { ...base, right: true, why: '' };
  }
  const missing = (c.facts ?? []).filter((id) => !r.fact_ids.includes(id));
  if (r.fit !== 'answered') return { ...base, right: false, why: `marked ${r.fit}` };
  if (missing.length) return { ...base, right: false, why: `does not cite ${missing.join(', ')}` };
  return { ...base, right: true, why: '' };
}
