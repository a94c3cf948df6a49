import { describe, expect, it } from 'vitest';
import { WarningLog } from '../../../src/core/import/warnings';

describe('import warnings', () => {
  it('explains lost rows by a reason that skipped rows, not by a more frequent note', () => {
    const w = new WarningLog();
    for (let line = 2; line < 40; line += 2) w.note('quoted_newline', line);
    for (const line of [3, 5, 7]) w.add('bad_timestamp', line);
    expect(w.total).toBe(3);
    expect(w.top()?.reason).toBe('bad_timestamp');
    const q = w.list().find((x) => x.reason === 'quoted_newline')!;
    expect(q.count).toBe(19);
    expect(q.lines).toEqual([2, 4, 6, 8, 10]);
    expect(q.message).toMatch(/^19 rows have quoted fields running over several lines \(first at lines 2, 4, 6, 8, 10\)/);
    // With nothing skipped, a note is still the top entry.
    const only = new WarningLog();
    only.note('missing_count', 4);
    expect(only.top()?.reason).toBe('missing_count');
  });
});
