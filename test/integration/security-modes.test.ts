import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/engine';

const CLI = path.resolve(__dirname, '../../out/main/cli.js');

/** Every file and folder under `dir` with its permission bits. */
function modes(dir: string): { p: string; dir: boolean; mode: number }[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map((p) => {
    const st = fs.statSync(path.join(dir, p));
    return { p, dir: st.isDirectory(), mode: st.mode & 0o777 };
  });
}

describe.skipIf(process.platform === 'win32')('the data folder is private', () => {
  it.skipIf(!fs.existsSync(CLI))('the CLI writes folders 0700 and files 0600 under it, and a report you export keeps the usual mode', () => {
    const root = tempDir('iafa-modes-');
    try {
      const dataDir = path.join(root, 'data');
      const csv = path.join(root, 'events.csv');
      const lines = ['user_id,timestamp,event'];
      for (let u = 0; u < 30; u++) lines.push(`u${u},2026-01-05T06:00:00Z,view`, `u${u},2026-01-05T07:00:00Z,buy`);
      fs.writeFileSync(csv, lines.join('\n') + '\n');
      const env = { ...process.env, IAFA_DATA_DIR: dataDir, IAFA_SECRET_STORE: 'file' };
      const imp = spawnSync(process.execPath, [CLI, 'import', csv, '--json'], { env, encoding: 'utf8' });
      expect(imp.status, imp.stderr).toBe(0);
      const out = path.join(root, 'report.md');
      const rep = spawnSync(process.execPath, [CLI, 'report', csv, '--steps', 'view,buy', '--format', 'md', '--provider', 'none', '-o', out], {
        env,
        encoding: 'utf8',
      });
      expect(rep.status, rep.stderr).toBe(0);
      const all = modes(dataDir);
      expect(all.some((e) => e.p.startsWith('datasets') && !e.dir)).toBe(true);
      expect(all.filter((e) => e.dir && e.mode !== 0o700)).toEqual([]);
      expect(all.filter((e) => !e.dir && e.mode !== 0o600)).toEqual([]);
      expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
      // The exported report is the user's file, not the data folder's: readable as usual.
      expect(fs.statSync(out).mode & 0o777).toBe(0o666 & ~process.umask());
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
