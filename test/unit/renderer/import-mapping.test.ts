import { describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../../../src/shared/contract';
import { assignRole, mappingFromRoles } from '../../../src/renderer/src/features/data/mapping';

const col = (name: string, role: string): ColumnInfo => ({ name, role, type: 'string' });

describe('the Data workspace turns edited column roles into an import mapping', () => {
  it('event log: user, time and event; options that are not about columns survive', () => {
    const cols = [col('uid', 'user'), col('ts', 'time'), col('what', 'event'), col('country', 'segment')];
    expect(mappingFromRoles('event_log', cols, { delimiter: ';', time: 'ts', timeFormat: 'unix_s' })).toEqual({
      delimiter: ';',
      user: 'uid',
      time: 'ts',
      event: 'what',
      timeFormat: 'unix_s',
    });
  });

  it('drops the detected time format when the time column changes, so the engine detects it again', () => {
    const cols = [col('uid', 'user'), col('created', 'time'), col('what', 'event')];
    expect(mappingFromRoles('event_log', cols, { time: 'ts', timeFormat: 'unix_s' })).not.toHaveProperty('timeFormat');
  });

  it('aggregated: wide form keeps the count columns in order as stages; long form uses stage + count', () => {
    const wide = [col('Date', 'date'), col('Pageviews', 'count'), col('Clicks', 'count'), col('Payments', 'count')];
    expect(mappingFromRoles('aggregated', wide, {})).toEqual({ date: 'Date', stages: ['Pageviews', 'Clicks', 'Payments'] });
    const long = [col('day', 'date'), col('step', 'stage'), col('n', 'count'), col('seg', 'segment')];
    expect(mappingFromRoles('aggregated', long, {})).toEqual({ date: 'day', stage: 'step', count: 'n' });
  });

  it('a single-valued role moves: the column that held it becomes a segment', () => {
    const cols = [col('a', 'event'), col('b', 'segment')];
    expect(assignRole(cols, 'b', 'event').map((c) => c.role)).toEqual(['segment', 'event']);
    // Count columns may be many (wide aggregated exports).
    expect(assignRole([col('x', 'count'), col('y', 'segment')], 'y', 'count').map((c) => c.role)).toEqual(['count', 'count']);
  });
});
