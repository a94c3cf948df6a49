import { describe, expect, it } from 'vitest';
import { applyFallback, checkNarrative, extractNumbers } from '../../../src/core/llm';
import { DETERMINISTIC, FACTS, HOSTILE_SEGMENT } from '../../fakes/facts';

const check = (text: string, fact_ids: string[] = [], decision: string | null = null) =>
  checkNarrative({ note: text, fact_ids }, FACTS, decision).findings.map((f) => f.number);

describe('extractNumbers', () => {
  it('reads percentages, signed lifts, ratios, pp, p-values, counts and dates with their precision', () => {
    const got = extractNumbers('45.0% vs 25% (+80%), 1.8x, -3 pp, p = 0.0004, p < 0.001, 1,000 users on 2026-01-15');
    expect(got.map((n) => [n.raw, n.kind, n.decimals])).toEqual([
      ['2026-01-15', 'date', 0],
      ['45.0%', 'percent', 1],
      ['25%', 'percent', 0],
      ['+80%', 'percent', 0],
      ['1.8x', 'ratio', 1],
      ['-3 pp', 'pp', 0],
      ['0.0004', 'p', 4],
      ['0.001', 'p', 3],
      ['1,000', 'plain', 0],
    ]);
  });

  it('reads multiples written as words and leading-dot decimals', () => {
    expect(extractNumbers('Planners doubled; .5% of users; it halved').map((n) => [n.raw, n.kind, n.value])).toEqual([
      ['doubled', 'ratio', 2],
      ['halved', 'ratio', 0.5],
      ['0.5%', 'percent', 0.5],
    ]);
  });

  it('ignores digits inside names (Q3, GPT-4, p95, step_2)', () => {
    expect(extractNumbers('Q3 GPT-4 p95 step_2 v1.2.3')).toEqual([]);
  });
});

describe('checkNarrative', () => {
  it('accepts fact values at display precision and coarser rounding', () => {
    expect(check('Conversion is 15.0% (15%), 1,000 users entered and 150 purchased.')).toEqual([]);
  });

  it('accepts differences, ratios and relative changes of cited or quoted facts', () => {
    const ids = ['segment.Planner.overall_conversion_rate', 'segment.Actor.overall_conversion_rate'];
    expect(check('Planners are 20 pp ahead, 1.8x the Actor rate, +80% relative.', ids)).toEqual([]);
    expect(check('Conversion fell to 15.0% from 18.0%, a 3 pp decline.')).toEqual([]);
  });

  it('checks word multiples like numbers', () => {
    expect(check('Planners convert at 45.0%, almost double the 25.0% of Actors.')).toEqual([]);
    expect(check('Planners convert at 45.0%, triple the 25.0% of Actors.')).toEqual(['triple']);
  });

  it('refuses invented numbers, wrong precision and uncited derivations', () => {
    expect(check('Conversion will reach 37% next quarter.')).toEqual(['37%']);
    expect(check('Conversion is 15.3%.')).toEqual(['15.3%']);
    expect(check('Planners are 20 pp ahead.')).toEqual(['20 pp']);
  });

  it('checks p-values, thresholds and dates', () => {
    expect(check('Significant (p = 0.0004; p < 0.001) since 2026-01-15.')).toEqual([]);
    expect(check('p = 0.03 on 2026-02-11')).toEqual(['2026-02-11', '0.03']);
  });

  it('lets small counts through as wording but not signed or unit-bearing ones', () => {
    expect(check('Three steps: run 2 tests for 4 weeks.')).toEqual([]);
    expect(check('Expect +5% more.')).toEqual(['+5%']);
  });

  it('refuses unknown fact ids', () => {
    const r = checkNarrative({ insights: [{ text: 'Planners lead.', fact_ids: ['segment.Nobody.rate'] }] }, FACTS);
    expect(r.findings).toEqual([{ field: 'insights.0.fact_ids.0', text: 'cites unknown fact "segment.Nobody.rate"', number: 'segment.Nobody.rate' }]);
  });

  it('refuses decision words other than the one code made, and echoed instructions', () => {
    expect(check('The rule says SHIP.', [], 'SHIP')).toEqual([]);
    expect(check('We should ROLLBACK.', [], 'SHIP')).toEqual(['ROLLBACK']);
    expect(check(`${HOSTILE_SEGMENT}.`)).toEqual(['SHIP', '']);
  });

  it('passes the deterministic fixtures', () => {
    for (const [task, d] of Object.entries(DETERMINISTIC)) {
      expect(checkNarrative(d, FACTS, task === 'experiment_analysis' ? 'SHIP' : null).findings, task).toEqual([]);
    }
  });
});

describe('applyFallback', () => {
  it('replaces failing items with the computed text and drops extras', () => {
    const model = {
      summary: 'bad 37%',
      insights: [
        { text: 'ok', fact_ids: [] },
        { text: 'bad', fact_ids: [] },
        { text: 'extra bad', fact_ids: [] },
      ],
      recommendations: [],
    };
    const { merged, fallback } = applyFallback(model, DETERMINISTIC.insights, [
      { field: 'summary', text: '', number: '37%' },
      { field: 'insights.1.text', text: '', number: '' },
      { field: 'insights.2.text', text: '', number: '' },
    ]);
    expect(fallback).toEqual(['summary', 'insights.1', 'insights.2']);
    expect(merged.summary).toBe(DETERMINISTIC.insights.summary);
    expect(merged.insights).toEqual([{ text: 'ok', fact_ids: [] }, DETERMINISTIC.insights.insights[1]]);
  });
});

describe('citations must be about something', () => {
  it('refuses a headline that names no fact', () => {
    expect(checkNarrative({ summary: 'Hi,' }, FACTS).findings).toEqual([{ field: 'summary', text: 'mentions none of the facts (Hi,)', number: '' }]);
    expect(checkNarrative({ summary: 'Planners lead.' }, FACTS).findings).toEqual([]);
  });

  it('refuses list items that cite nothing or do not mention what they cite', () => {
    const r = checkNarrative(
      {
        insights: [
          { text: 'Hi, little birds.', fact_ids: ['stage.save.conversion_rate'] },
          { text: 'Something happened.', fact_ids: [] },
          { text: 'Planners lead the way.', fact_ids: ['segment.Planner.overall_conversion_rate'] },
        ],
      },
      FACTS,
    );
    expect(r.findings.map((f) => f.field)).toEqual(['insights.0', 'insights.1.fact_ids']);
  });
});
