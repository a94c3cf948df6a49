import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importFiles } from '../../src/core/import';
import { prestartWorkers, reserveWorkers, reservedWorkers } from '../../src/core/import/read-parallel';
import { tempDir, tempEngine } from '../helpers/engine';

// A file's preview starts the worker threads its import will read it with (read-parallel.ts
// reserveWorkers): the import takes them, loaded; untaken, they stop after a while.

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const wanted = Math.max(1, Math.min(4, os.availableParallelism()));

function writeLog(file: string, rows: number): void {
  const lines = ['user_id,ts,event'];
  for (let i = 0; i < rows; i++) lines.push(`u${i % 500},${1_767_225_600 + i},${['view', 'cart', 'buy'][i % 3]}`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

describe('worker threads started at the preview', () => {
  it('are loaded when reserved, taken by the next read, and not started twice', async () => {
    const first = reserveWorkers(1 << 30, 0, 2);
    expect(first.count).toBe(2);
    await first.ready;
    // Reserving again tops up to what is wanted: nothing new.
    expect(reserveWorkers(1 << 30, 0, 2).count).toBe(2);
    const taken = prestartWorkers(1 << 30, 0, 2);
    expect(taken).toHaveLength(2);
    expect(reservedWorkers()).toBe(0);
    await Promise.all(taken.map((w) => w.terminate()));
  });

  it('stop when no import takes them in time', async () => {
    const r = reserveWorkers(1 << 30, 0, 2, 300);
    expect(reservedWorkers()).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(reservedWorkers()).toBe(0);
    // (Stopped: `ready` does not wait for threads that are gone.)
    await r.ready;
  });

  it('an import on reserved workers stores what one on new workers stores', async () => {
    const file = path.join(dir, 'log.csv');
    writeLog(file, 60_000);
    const env = (name: string) => ({
      dataDir: path.join(dir, name),
      budgetBytes: 1 << 30,
      signal: new AbortController().signal,
      progress: () => {},
      parallelMinBytes: 0,
      workers: 2,
    });
    const fresh = await importFiles({ path: file }, env('fresh'));
    await reserveWorkers(fs.statSync(file).size, 0, 2).ready;
    const reserved = await importFiles({ path: file }, env('reserved'));
    expect(reservedWorkers()).toBe(0);
    const bytes = (d: string) => fs.readdirSync(d).map((f) => [f, fs.readFileSync(path.join(d, f)).toString('base64')]);
    expect(bytes(reserved.dir)).toEqual(bytes(fresh.dir));
    expect(reserved.rowCount).toBe(60_000);
  });

  it('datasets:preview reserves them for a large event log, not for a small one or a funnel summary', async () => {
    const log = path.join(dir, 'preview.csv');
    writeLog(log, 2000);
    const summary = path.join(dir, 'summary.csv');
    fs.writeFileSync(summary, 'stage,users\nvisit,1000\nsignup,300\n');
    // Below IAFA_IMPORT_PARALLEL_MIN_MB (default 8 MB) a file is read on the calling thread.
    const small = tempEngine();
    try {
      await small.engine.dispatch('datasets:preview', { path: log });
      expect(reservedWorkers()).toBe(0);
    } finally {
      small.cleanup();
    }
    const large = tempEngine({ IAFA_IMPORT_PARALLEL_MIN_MB: '0' });
    try {
      await large.engine.dispatch('datasets:preview', { path: summary });
      expect(reservedWorkers()).toBe(0);
      await large.engine.dispatch('datasets:preview', { path: log });
      expect(reservedWorkers()).toBe(wanted);
      // The import that follows takes them.
      const ds = await large.engine.dispatch('datasets:import', { path: log });
      expect(ds.rowCount).toBe(2000);
      expect(reservedWorkers()).toBe(0);
    } finally {
      large.cleanup();
    }
  });
});
