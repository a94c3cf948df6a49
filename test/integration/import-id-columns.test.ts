import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalDatasets } from '../../src/core/backends/local';
import { importFiles, type ImportEnv } from '../../src/core/import/importer';
import { ColumnStore } from '../../src/core/import/store';
import { FunnelDefinition } from '../../src/shared/contract';
import { tempDir } from '../helpers/engine';

// An id-like column (more than 65,536 values: an insert id, a uuid per event) keeps its values
// as bytes and lengths (c<i>.ids, c<i>.lens) rather than JSON; every reader writes the same
// files, a reopened dataset reads them back, and datasets stored as JSON still open.
const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ROWS = 90_000;
const idOf = (i: number) => (i % 7 === 0 ? `évt\\${i}` : `evt-${i.toString(36)}-${i}`);

function writeLog(file: string): void {
  const lines = ['user_id,ts,event,event_id'];
  for (let i = 0; i < ROWS; i++) lines.push(`${i % 3000},${1_767_225_600 + i},${['view', 'buy'][i % 2]},${idOf(i)}`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

const env = (name: string, workers: number, reader?: ImportEnv['reader']): ImportEnv => ({
  dataDir: path.join(dir, name),
  budgetBytes: 1 << 30,
  signal: new AbortController().signal,
  progress: () => {},
  parallelMinBytes: workers ? 0 : 1 << 40,
  workers: workers || undefined,
  reader,
});

describe('id-like columns', () => {
  it('are stored as bytes and lengths, the same by every reader, and read back as their values', async () => {
    const file = path.join(dir, 'log.csv');
    writeLog(file);
    const two = await importFiles({ path: file }, env('two', 2));
    const manifest = JSON.parse(fs.readFileSync(path.join(two.dir, 'manifest.json'), 'utf8')) as {
      columns: { name: string; dictFile: string; lensFile?: string }[];
    };
    const meta = manifest.columns.find((c) => c.name === 'event_id')!;
    expect(meta.dictFile).toMatch(/\.ids$/);
    expect(meta.lensFile).toMatch(/\.lens$/);
    for (const other of [await importFiles({ path: file }, env('one', 0)), await importFiles({ path: file }, env('scanner', 0, 'scanner'))])
      for (const f of fs.readdirSync(two.dir)) expect(fs.readFileSync(path.join(other.dir, f)).equals(fs.readFileSync(path.join(two.dir, f))), f).toBe(true);

    const store = ColumnStore.open(two.dir);
    const col = store.column('event_id');
    const expected = Array.from({ length: ROWS }, (_, i) => idOf(i));
    expect(col.dict.length).toBe(ROWS + 1);
    expect(new Set(col.dict.slice(1))).toEqual(new Set(expected));
    // Each row's code names its own id: the rows of user "0" (code 1; code 0 is the empty id)
    // are the file's rows 0, 3000, 6000, ...
    const user0 = Array.from(col.codes.subarray(store.userStart[1], store.userStart[2]), (c) => col.dict[c]);
    expect(user0).toEqual(expected.filter((_, i) => i % 3000 === 0));

    // A filter by one id finds its one event.
    const backend = new LocalDatasets().backend(two.id, two.dir);
    const res = await backend.funnel(FunnelDefinition.parse({ steps: [{ event: 'view' }, { event: 'buy' }], include: { event_id: [idOf(14)] } }));
    expect(res.stages[0].users).toBe(1);

    // A dataset stored before (the values as JSON) still opens, with the same values.
    const legacy = path.join(dir, 'legacy');
    fs.cpSync(two.dir, legacy, { recursive: true });
    fs.writeFileSync(path.join(legacy, 'c9.json'), JSON.stringify(col.dict));
    const m = JSON.parse(fs.readFileSync(path.join(legacy, 'manifest.json'), 'utf8'));
    const lm = m.columns.find((c: { name: string }) => c.name === 'event_id');
    lm.dictFile = 'c9.json';
    delete lm.lensFile;
    fs.writeFileSync(path.join(legacy, 'manifest.json'), JSON.stringify(m));
    expect(ColumnStore.open(legacy).column('event_id').dict).toEqual(col.dict);
  }, 120_000);

  it('a damaged values file is refused with a specific message', async () => {
    const file = path.join(dir, 'log2.csv');
    writeLog(file);
    const out = await importFiles({ path: file }, env('damaged', 0));
    const meta = (JSON.parse(fs.readFileSync(path.join(out.dir, 'manifest.json'), 'utf8')) as { columns: { name: string; dictFile: string }[] }).columns.find(
      (c) => c.name === 'event_id',
    )!;
    fs.appendFileSync(path.join(out.dir, meta.dictFile), 'xx');
    expect(() => ColumnStore.open(out.dir).column('event_id')).toThrow(/stored values of this dataset are damaged/);
  }, 120_000);
});
