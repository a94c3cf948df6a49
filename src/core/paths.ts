import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where a per-user data folder lives when the Electron shell does not choose one
 * (server and CLI). IAFA_DATA_DIR always wins.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.IAFA_DATA_DIR) return path.resolve(env.IAFA_DATA_DIR);
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'IAFA');
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'IAFA');
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'iafa');
}

/**
 * The app's own files (migrations, prompts, samples, built renderer) are found by walking up
 * from this module to the folder holding package.json: that works from src/ under vitest, from
 * out/main/ after a build, and from an installed npm package. The packaged Electron app passes
 * its resources folder instead.
 */
let appRootOverride: string | null = null;
export function setAppRoot(dir: string): void {
  appRootOverride = dir;
}

export function appRoot(): string {
  if (appRootOverride) return appRootOverride;
  if (process.env.IAFA_APP_ROOT) return process.env.IAFA_APP_ROOT;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (fs.existsSync(path.join(dir, 'drizzle', 'meta', '_journal.json')) && fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error('Cannot locate the IAFA installation (no drizzle/ folder above ' + fileURLToPath(import.meta.url) + ')');
}

export const appPaths = {
  migrations: () => path.join(appRoot(), 'drizzle'),
  prompts: () => path.join(appRoot(), 'prompts'),
  samples: () => path.join(appRoot(), 'resources', 'samples'),
  renderer: () => path.join(appRoot(), 'out', 'renderer'),
};

export function dataPaths(dataDir: string) {
  return {
    root: dataDir,
    db: path.join(dataDir, 'iafa.sqlite'),
    datasets: path.join(dataDir, 'datasets'),
    reports: path.join(dataDir, 'reports'),
    prompts: path.join(dataDir, 'prompts'),
    tmp: path.join(dataDir, 'tmp'),
  };
}
