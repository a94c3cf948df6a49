import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine, type Engine } from '../../src/core/services';

/** A real engine on a throw-away data folder: real migrations, real files, nothing shared between tests. */
export function tempEngine(env: NodeJS.ProcessEnv = {}): { engine: Engine; dataDir: string; cleanup(): void } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-test-'));
  const engine = createEngine({ dataDir, env: { OLLAMA_HOST: 'http://127.0.0.1:2', ...env } });
  return {
    engine,
    dataDir,
    cleanup() {
      engine.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function tempDir(prefix = 'iafa-tmp-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
