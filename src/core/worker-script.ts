import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What `new Worker(code, { eval })` needs to start one of IAFA's worker scripts. */
export interface WorkerScript {
  code: string;
  eval: boolean;
}

/**
 * Where the worker script `name` is, for the module at `moduleUrl` (its import.meta.url): next to
 * that module under tsx/vitest (a .ts file), or the `name` entry of the electron-vite build (in
 * out/main or one folder up, since chunks sit in a subfolder). Null when neither is there.
 */
export function workerScript(moduleUrl: string, name: string): WorkerScript | null {
  const here = fileURLToPath(moduleUrl);
  if (here.endsWith('.ts')) {
    // Node 20 workers do not apply `--import tsx` before loading a .ts entry, so a tiny
    // bootstrap registers tsx's loader first and then imports the TypeScript worker.
    let api: string;
    try {
      // require.resolve picks the CommonJS build; the ESM one sits next to it.
      api = createRequire(moduleUrl)
        .resolve('tsx/esm/api')
        .replace(/\.cjs$/, '.mjs');
    } catch {
      return null;
    }
    const entry = pathToFileURL(path.join(path.dirname(here), `${name}.ts`)).href;
    return { code: `import(${JSON.stringify(pathToFileURL(api).href)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, eval: true };
  }
  for (const p of [path.join(path.dirname(here), `${name}.js`), path.join(path.dirname(here), '..', `${name}.js`)]) {
    if (fs.existsSync(p)) return { code: p, eval: false };
  }
  return null;
}
