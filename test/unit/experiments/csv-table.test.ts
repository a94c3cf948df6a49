import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../src/core/experiments/table';
import { openSource } from '../../../src/core/import/source';

/** The experiment table reads a CSV exactly as the importer does: the same delimiter, the same fields. */
function importerRows(text: string): { header: string[]; rows: string[][] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-csv-table-'));
  try {
    const file = path.join(dir, 'x.csv');
    fs.writeFileSync(file, text);
    const src = openSource(file, { budgetBytes: 1 << 30 });
    if (src.format !== 'csv') throw new Error(`read as ${src.format}`);
    return { header: src.header, rows: src.rows };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('parseCsv (experiments) uses the import reader', () => {
  it('guesses the delimiter as the importer does when quoted headers hold the other delimiter', () => {
    // Counting raw splits of the first line (the old guess) picked the comma here: three commas
    // inside quotes against two semicolons.
    const text = '"group, arm, cohort";converted;"revenue, EUR"\ncontrol;1;"3,5"\ntreatment;0;""\n';
    const t = parseCsv(text);
    const imp = importerRows(text);
    expect(Object.keys(t.columns)).toEqual(imp.header);
    expect(Object.keys(t.columns)).toEqual(['group, arm, cohort', 'converted', 'revenue, EUR']);
    expect(t.columns['revenue, EUR']).toEqual(['3,5', null]);
    expect(imp.rows.map((r) => r[0])).toEqual(t.columns['group, arm, cohort']);
  });

  it('reads bare-CR line ends and skips blank lines like the importer', () => {
    const text = 'variant,clicks\rA,3\r\rB,"4"\r';
    const t = parseCsv(text);
    expect(t.columns).toEqual({ variant: ['A', 'B'], clicks: ['3', '4'] });
    expect(importerRows(text).rows).toEqual([
      ['A', '3'],
      ['B', '4'],
    ]);
  });
});
