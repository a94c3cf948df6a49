import { describe, expect, it } from 'vitest';
import { FactBook, cite, mag } from '../../../src/core/insights';
import { display } from '../../../src/core/insights/format';
import { extractNumbers } from '../../../src/core/llm/numbers';

describe('one formatting module for every number users see', () => {
  it('formats each unit at its display precision', () => {
    expect(display(42.456, 'percent')).toBe('42.5%');
    expect(display(-3.04, 'pp', true)).toBe('-3.0 pp');
    expect(display(3.04, 'pp', true)).toBe('+3.0 pp');
    expect(display(-0.04, 'pp', true)).toBe('0.0 pp');
    expect(display(1204, 'users')).toBe('1,204');
    expect(display(0.0031, 'p')).toBe('p = 0.003');
    expect(display(0.0004, 'p')).toBe('p < 0.001');
    expect(display(3.14, 'ratio')).toBe('3.1x');
    expect(display(Date.UTC(2026, 0, 15), 'date')).toBe('2026-01-15');
    expect(display(14, 'days')).toBe('14 days');
    expect(display(1, 'days')).toBe('1 day');
  });

  it('cite() only lets numbers in as fact displays and records the ids', () => {
    const book = new FactBook({ datasetId: 'ds_1' });
    const a = book.add('segment.Planner.overall_conversion_rate', 'Planner', 45, 'percent');
    const d = book.add('compare.x.diff_pp', 'diff', -20, 'pp', { signed: true });
    const c = cite`Planner converts ${a}, ${mag(d)} ahead.`;
    expect(c.text).toBe('Planner converts 45.0%, 20.0 pp ahead.');
    expect(c.fact_ids).toEqual(['segment.Planner.overall_conversion_rate', 'compare.x.diff_pp']);
    expect(extractNumbers(c.text).map((n) => n.raw)).toEqual(['45.0%', '20.0 pp']);
    expect(a.provenance.datasetId).toBe('ds_1');
  });

  it('refuses to add the same fact id with a different value', () => {
    const book = new FactBook({});
    book.add('x', 'x', 1, 'number');
    expect(book.add('x', 'x', 1, 'number').value).toBe(1);
    expect(() => book.add('x', 'x', 2, 'number')).toThrow(/twice/);
    expect(() => book.add('y', 'y', Number.NaN, 'number')).toThrow(/finite/);
  });
});
