import { describe, expect, it } from 'vitest';
import { display } from '../../../src/core/experiments/facts';
import { designExperiment } from '../../../src/core/experiments';
import { DesignInput } from '../../../src/shared/contract/experiments';
import { plural } from '../../../src/shared/plural';

describe('plural: never "1 days" (issue 15, item 6)', () => {
  it('uses the singular for exactly one and the plural otherwise', () => {
    expect(plural(1, 'day')).toBe('1 day');
    expect(plural(0, 'day')).toBe('0 days');
    expect(plural(2, 'week')).toBe('2 weeks');
    expect(plural(1234, 'user')).toBe('1,234 users');
    expect(plural(1, 'person')).toBe('1 person');
    expect(plural(3, 'person')).toBe('3 people');
    expect(plural(2, 'analysis', 'analyses')).toBe('2 analyses');
  });

  it('reads a one-day fact and a one-day design as "1 day"', () => {
    expect(display(1, 'days')).toBe('1 day');
    expect(display(14, 'days')).toBe('14 days');
    // So much traffic that the sample is reached in a day: the text says "1 day" and "1 week".
    const d = designExperiment(DesignInput.parse({ baseline_rate: 0.5, mde: 0.2, daily_users: 10_000_000 }));
    const text = JSON.stringify(d);
    expect(d.experiment_design.duration.weeks).toBe(1);
    expect(text).toMatch(/\b1 week\b/);
    expect(text).not.toMatch(/\b1 days\b|\b1 weeks\b/);
  });
});
