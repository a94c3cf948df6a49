import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Settings } from '../../src/shared/contract';
import { openDatabase } from '../../src/core/db';
import { appPaths } from '../../src/core/paths';
import type { LlmEnv, RunContext } from '../../src/core/llm';
import type { ProgressEvent } from '../../src/shared/contract';

type LlmPatch = Partial<Settings['llm']>;

/** A real database (real migrations) in a temp folder, and settings for one test. */
export function makeLlmEnv(llm: LlmPatch = {}, env: NodeJS.ProcessEnv = {}, openaiKey = ''): LlmEnv & { dispose(): void } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-llm-'));
  const opened = openDatabase(path.join(dataDir, 'iafa.sqlite'), appPaths.migrations());
  return {
    db: opened.db,
    dataDir,
    settings: Settings.parse({ llm: { timeoutMs: 5000, ...llm } }),
    env,
    openaiKey,
    dispose() {
      opened.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function collectingContext(signal: AbortSignal = new AbortController().signal): RunContext & { events: ProgressEvent[]; streamed: () => string } {
  const events: ProgressEvent[] = [];
  return {
    signal,
    events,
    progress: (ev) => events.push(ev),
    streamed: () =>
      events
        .filter((e) => e.text)
        .map((e) => e.text)
        .join(''),
  };
}
