import fs from 'node:fs';
import path from 'node:path';

/**
 * An import builds its dataset in tmp/ds_<id> and renames it into place when complete; a crash
 * (kill -9, power loss) leaves the folder behind. Each staging folder names its owner's pid, so
 * the next start removes exactly the folders no live process is still writing.
 */
const OWNER_FILE = '.owner.pid';
const DAY_MS = 86_400_000;

export function claimStaging(dir: string): void {
  fs.writeFileSync(path.join(dir, OWNER_FILE), String(process.pid), { mode: 0o600 });
}

/** Before the rename: the stored dataset carries no stamp. */
export function releaseStaging(dir: string): void {
  fs.rmSync(path.join(dir, OWNER_FILE), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Orphaned staging folders in `tmpDir`; a folder without a stamp counts only once it is a day old (a new import writes its stamp right after creating it). */
export function sweepStaging(tmpDir: string, now = Date.now()): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(tmpDir).filter((n) => n.startsWith('ds_'));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    const dir = path.join(tmpDir, n);
    try {
      const pid = Number(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8').trim());
      if (!Number.isInteger(pid) || pid <= 0 || (pid !== process.pid && !alive(pid))) {
        fs.rmSync(dir, { recursive: true, force: true });
        removed.push(n);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') continue;
      try {
        const st = fs.statSync(dir);
        if (st.isDirectory() && now - st.mtimeMs > DAY_MS) {
          fs.rmSync(dir, { recursive: true, force: true });
          removed.push(n);
        }
      } catch {
        // removed meanwhile
      }
    }
  }
  return removed;
}
