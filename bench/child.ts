import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * A bench child script (bench/<name>.ts) measured in processes of its own, so each peak RSS is its
 * own. It is bundled to plain JavaScript first, as the app ships it, with the parse and funnel-pass
 * workers beside it: under tsx every worker thread would spend most of a second starting the
 * TypeScript loader.
 */
export function benchChild(name: string, folder: string) {
  const built = path.join(here, '.data', folder);
  return {
    async bundle(): Promise<void> {
      await build({
        entryPoints: {
          [name]: path.join(here, `${name}.ts`),
          'parse-worker': path.join(here, '..', 'src/core/import/parse-worker.ts'),
          'pass-worker': path.join(here, '..', 'src/core/backends/local/pass-worker.ts'),
        },
        outdir: built,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        packages: 'external',
        logLevel: 'warning',
      });
    },
    /** Runs the bundled child with these arguments; its last line of output is its JSON result. */
    run<T>(...args: string[]): T {
      const out = execFileSync(process.execPath, ['--expose-gc', path.join(built, `${name}.js`), ...args], {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      return JSON.parse(out.trim().split('\n').pop()!) as T;
    },
  };
}
