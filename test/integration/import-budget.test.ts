import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importFiles, type ImportEnv } from '../../src/core/import';
import { tempDir } from '../helpers/engine';

// The memory budget's estimate follows how the file will be read: ranges through the
// WebAssembly kernel hold ~68 bytes a row at 7 columns (measured by the scale bench), the
// sequential reader (quoted files) half as much again. A budget between the two takes an
// unquoted log and refuses the same log with quotes, having stored nothing.
const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ROWS = 200_000;
function log(file: string, quoted: boolean): void {
  const q = (v: string) => (quoted ? `"${v}"` : v);
  const lines = ['user_id,time,event,country,platform,plan,page'];
  for (let i = 0; i < ROWS; i++) {
    const t = new Date(Date.UTC(2026, 0, 1) + i * 6000).toISOString();
    lines.push(`u${(i * 7919) % 20000},${t},${['view', 'cart', 'buy'][i % 3]},${q(['US', 'DE'][i % 2])},ios,free,/p/${i % 500}`);
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

const env = (name: string, budgetMb: number): ImportEnv => ({
  dataDir: path.join(dir, name),
  budgetBytes: budgetMb * 1048576,
  signal: new AbortController().signal,
  progress: () => {},
  parallelMinBytes: 0,
  workers: 2,
});

describe('the import memory budget', () => {
  it('estimates by reader: the kernel path fits where the sequential reader does not', async () => {
    const plain = path.join(dir, 'plain.csv');
    const quoted = path.join(dir, 'quoted.csv');
    log(plain, false);
    log(quoted, true);
    // ~200k rows: about 14 MB on the kernel path, 18 MB on the sequential one.
    const ok = await importFiles({ path: plain }, env('a', 16));
    expect(ok.rowCount).toBe(ROWS);
    const err = await importFiles({ path: quoted }, env('b', 16)).then(
      () => null,
      (e: unknown) => e as { kind: string; message: string; details: { reason: string } },
    );
    expect(err?.details.reason).toBe('over_budget');
    expect(err?.message).toMatch(/memory budget/);
    expect(fs.existsSync(path.join(dir, 'b', 'datasets')) ? fs.readdirSync(path.join(dir, 'b', 'datasets')) : []).toEqual([]);
    // Either is refused under a budget below both estimates, before anything is read.
    const low = await importFiles({ path: plain }, env('c', 8)).then(
      () => null,
      (e: unknown) => e as { details: { reason: string } },
    );
    expect(low?.details.reason).toBe('over_budget');
    // And the quoted file imports with room for the sequential reader: same rows.
    expect((await importFiles({ path: quoted }, env('d', 24))).rowCount).toBe(ROWS);
  }, 120_000);
});
