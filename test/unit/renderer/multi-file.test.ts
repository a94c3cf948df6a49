import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../../src/shared/contract';
import { distinctiveNames } from '../../../src/renderer/src/features/data/MultiImport';
import { yearChoices } from '../../../src/renderer/src/features/data/YearField';
import { constantArms, defaultsFor, metricColumns } from '../../../src/renderer/src/workspaces/experiments/analysisConfig';

describe('multi-file import helpers (issue 15, item 5)', () => {
  it('names each file by what it does not share with the others', () => {
    expect(distinctiveNames(['udacity_control_data.csv', 'udacity_experiment_data.csv'])).toEqual(['control', 'experiment']);
    expect(distinctiveNames(['olist_marketing_qualified_leads_dataset.csv', 'olist_closed_deals_dataset.csv'])).toEqual([
      'marketing_qualified_leads',
      'closed_deals',
    ]);
    // Identical names still get a name each (the stem), never an empty one.
    expect(distinctiveNames(['a.csv', 'a.csv'])).toEqual(['a', 'a']);
  });

  it('offers the years the engine found consistent with the weekdays', () => {
    const note = 'Dates in "Date" have no year: 2025 assumed from the weekdays (also consistent: 2014, 2008, 2003); set mapping.year to change it.';
    expect(yearChoices([note, 'Wide aggregated export: stages in column order.'], [2025])).toEqual([2025, 2014, 2008, 2003]);
    expect(yearChoices(['Wide aggregated export, 2024 rows'], [])).toEqual([]);
  });

  it('reads a control + treatment pair as an experiment on stage ratios', () => {
    const ds = {
      id: 'ds_x',
      name: 'pair',
      kind: 'aggregated',
      format: 'csv',
      sourceName: 'a + b',
      sourceBytes: 1,
      rowCount: 74,
      userCount: null,
      columns: [
        { name: 'Date', role: 'date', type: 'date' },
        { name: 'variant', role: 'segment', type: 'string', distinct: 2 },
        { name: 'Pageviews', role: 'count', type: 'number' },
        { name: 'Clicks', role: 'count', type: 'number' },
        { name: 'Enrollments', role: 'count', type: 'number' },
      ],
      mapping: { constants: { variant: 'control' }, also: [{ path: 'b.csv', mapping: { constants: { variant: 'experiment' } } }] },
      warnings: [],
      events: [],
      timeRange: null,
      createdAt: '2026-01-01T00:00:00Z',
    } as unknown as Dataset;
    expect(constantArms(ds)).toEqual({ column: 'variant', values: ['control', 'experiment'] });
    expect(metricColumns(ds).map((c) => c.name)).toEqual(['Clicks/Pageviews', 'Enrollments/Clicks', 'Enrollments/Pageviews']);
    expect(defaultsFor(ds)).toMatchObject({
      variantColumn: 'variant',
      control: 'control',
      treatment: 'experiment',
      primary: 'Clicks/Pageviews',
      dateColumn: 'Date',
    });
  });
});
