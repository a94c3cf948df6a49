import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/core/services';
import { tempDir, tempEngine } from '../helpers/engine';

/** The pid of a process that has exited: nobody owns a folder stamped with it. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

function staging(tmp: string, name: string, pid: number | null, ageMs = 0): string {
  const d = path.join(tmp, name);
  fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(d, 'time.f64'), Buffer.alloc(64));
  if (pid !== null) fs.writeFileSync(path.join(d, '.owner.pid'), String(pid));
  if (ageMs) {
    const t = (Date.now() - ageMs) / 1000;
    fs.utimesSync(d, t, t);
  }
  return d;
}

describe('crash staging (tmp/ds_*) is cleaned at start', () => {
  it('removes folders whose owner process is gone, keeps those a live process owns', () => {
    const dataDir = tempDir('iafa-staging-');
    const tmp = path.join(dataDir, 'tmp');
    const orphan = staging(tmp, 'ds_orphan', deadPid());
    const live = staging(tmp, 'ds_live', process.pid);
    const oldUnowned = staging(tmp, 'ds_legacy', null, 2 * 86400_000);
    const freshUnowned = staging(tmp, 'ds_starting', null);
    const notOurs = staging(tmp, 'something_else', deadPid());
    const engine = createEngine({ dataDir, env: {} });
    try {
      expect(fs.existsSync(orphan)).toBe(false);
      expect(fs.existsSync(oldUnowned)).toBe(false);
      expect(fs.existsSync(live)).toBe(true);
      expect(fs.existsSync(freshUnowned)).toBe(true);
      expect(fs.existsSync(notOurs)).toBe(true);
    } finally {
      engine.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('an import stamps its staging folder with its pid, and the stored dataset carries no stamp', async () => {
    const env = tempEngine();
    const seen: string[] = [];
    try {
      const file = path.join(env.dataDir, 'events.csv');
      const lines = ['user_id,timestamp,event'];
      for (let u = 0; u < 50; u++) lines.push(`u${u},2026-01-05T06:00:00Z,view`, `u${u},2026-01-05T07:00:00Z,buy`);
      fs.writeFileSync(file, lines.join('\n') + '\n');
      const ds = await env.engine.dispatch(
        'datasets:import',
        { path: file },
        {
          onProgress: () => {
            const tmp = path.join(env.dataDir, 'tmp');
            for (const d of fs.existsSync(tmp) ? fs.readdirSync(tmp).filter((n) => n.startsWith('ds_')) : []) {
              const f = path.join(tmp, d, '.owner.pid');
              if (fs.existsSync(f)) seen.push(fs.readFileSync(f, 'utf8'));
            }
          },
        },
      );
      expect(seen.length).toBeGreaterThan(0);
      expect(new Set(seen)).toEqual(new Set([String(process.pid)]));
      expect(fs.readdirSync(path.join(env.dataDir, 'datasets', ds.id))).not.toContain('.owner.pid');
    } finally {
      env.cleanup();
    }
  });
});
