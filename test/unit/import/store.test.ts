import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ColumnStore, importFiles } from '../../../src/core/import';
import { tempDir } from '../../helpers/engine';

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('columnar store', () => {
  it('groups rows by user and sorts each user by time, stably, for small and large users', async () => {
    const rows: [string, number, string][] = [];
    let seed = 3;
    const r = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let u = 0; u < 40; u++) {
      const n = u % 5 === 0 ? 300 + Math.floor(r() * 200) : Math.floor(r() * 40);
      for (let i = 0; i < n; i++) rows.push([`u${u}`, 1700000000 + Math.floor(r() * 50), `e${i}`]);
    }
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [rows[i], rows[j]] = [rows[j], rows[i]];
    }
    const file = path.join(dir, 'heavy.csv');
    fs.writeFileSync(file, ['user_id,timestamp,event', ...rows.map((x) => x.join(','))].join('\n'));
    const out = await importFiles({ path: file }, { dataDir: dir, budgetBytes: 1 << 30, signal: new AbortController().signal, progress: () => {} });
    const store = ColumnStore.open(out.dir);
    const users = JSON.parse(fs.readFileSync(path.join(out.dir, 'users.json'), 'utf8')) as string[];
    const ev = store.column('event');
    const got: [string, number, string][] = [];
    for (let u = 0; u < users.length; u++) {
      for (let i = store.userStart[u]; i < store.userStart[u + 1]; i++) got.push([users[u], store.time[i] / 1000, ev.dict[ev.codes[i]]]);
    }
    // Expected: the file's rows, stably sorted by (user, time).
    const expected = rows
      .map((x, i) => ({ x, i }))
      .sort((a, b) => (a.x[0] < b.x[0] ? -1 : a.x[0] > b.x[0] ? 1 : a.x[1] - b.x[1] || a.i - b.i))
      .map((o) => o.x);
    const key = (x: [string, number, string]) => x.join('|');
    const byUser = (list: [string, number, string][]) => {
      const m = new Map<string, string[]>();
      for (const x of list) m.set(x[0], [...(m.get(x[0]) ?? []), key(x)]);
      return m;
    };
    expect(byUser(got)).toEqual(byUser(expected));
    expect(store.manifest.rows).toBe(rows.length);
  });
});
