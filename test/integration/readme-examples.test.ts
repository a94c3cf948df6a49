import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/engine';
import { runCliCaptured } from '../helpers/cli';
import { HAS_SHARED_DATA, NO_SHARED_DATA, SHARED_DATA } from '../helpers/shared';

/**
 * Every command in the README's two example blocks runs and succeeds (issue 15, item 7): the
 * block on the shipped files always, the block on the real datasets where the shared data folder
 * has them. The commands are read from the README itself, so an edited example is a tested one.
 */
const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md');

function examples(block: 'shipped' | 'real'): string[][] {
  const text = fs.readFileSync(README, 'utf8');
  const at = text.indexOf(`<!-- readme-examples: ${block} -->`);
  if (at < 0) throw new Error(`README has no "${block}" example block`);
  const body = text.slice(text.indexOf('```sh', at) + 5, text.indexOf('```', text.indexOf('```sh', at) + 5));
  return body
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('npx iafa '))
    .map((l) => l.slice('npx iafa '.length).split(/\s+/));
}

async function runAll(commands: string[][], fix: (arg: string) => string): Promise<void> {
  const dataDir = tempDir('iafa-readme-');
  const out = tempDir('iafa-readme-out-');
  let lastId: string | null = null;
  try {
    for (const cmd of commands) {
      const args = cmd.map((a) => (a === '<dataset-id>' ? (lastId ?? a) : a.endsWith('.pdf') || a.endsWith('.html') ? path.join(out, a) : fix(a)));
      const r = await runCliCaptured(args, { IAFA_DATA_DIR: dataDir, OLLAMA_HOST: 'http://127.0.0.1:2' });
      expect({ command: `iafa ${cmd.join(' ')}`, code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({
        command: `iafa ${cmd.join(' ')}`,
        code: 0,
        stderr: '',
      });
      expect(r.stdout.trim().length).toBeGreaterThan(0);
      lastId = /Imported .* as (ds_\w+)/.exec(r.stdout)?.[1] ?? lastId;
      const file = args[args.indexOf('-o') + 1];
      if (args.includes('-o')) expect(fs.statSync(file).size).toBeGreaterThan(1000);
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(out, { recursive: true, force: true });
  }
}

describe('README CLI examples', () => {
  it('the block on the shipped files has the commands the README promises, and each one runs', async () => {
    const cmds = examples('shipped');
    expect(cmds.map((c) => c[0])).toEqual(['funnel', 'insights', 'experiment', 'experiment', 'import', 'funnel', 'report']);
    // Paths are relative to the IAFA folder, where the README says to run them.
    const repo = path.dirname(README);
    await runAll(cmds, (a) => (a.startsWith('resources/') ? path.join(repo, a) : a));
  }, 180_000);

  it.skipIf(!HAS_SHARED_DATA)(
    `the block on the real datasets runs on the shared copies ${HAS_SHARED_DATA ? '' : NO_SHARED_DATA}`,
    async () => {
      const cmds = examples('real');
      expect(cmds.length).toBeGreaterThanOrEqual(5);
      await runAll(cmds, (a) => (/\.csv$/.test(a) && fs.existsSync(path.join(SHARED_DATA, a)) ? path.join(SHARED_DATA, a) : a));
    },
    180_000,
  );
});
