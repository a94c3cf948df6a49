import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { funnel } from '../../../src/cli/commands/funnel';
import { importCommand } from '../../../src/cli/commands/import';
import { makeRuntime, parseCommandArgs, type Command } from '../../../src/cli/framework';
import { tempDir } from '../../helpers/engine';
import { HAS_SHARED_DATA, sharedData } from '../../helpers/shared';

const dataDir = tempDir();
const SAMPLE = path.resolve(__dirname, '../../../resources/samples/pinterest_events.csv');
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** Runs a command object the way the CLI's runner does (it is registered by the lead in src/cli/commands/index.ts). */
async function run(cmd: Command, argv: string[]): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { stdout: (s: string) => void (out += s), stderr: (s: string) => void (err += s), env: { IAFA_DATA_DIR: dataDir }, isTTY: false };
  const rt = makeRuntime(io, argv.includes('--json'), new AbortController().signal);
  try {
    await cmd.run(parseCommandArgs(cmd, argv), rt);
  } finally {
    rt.dispose();
  }
  return { out, err };
}

describe('iafa funnel / iafa import commands', () => {
  it('runs a funnel with a breakdown on the sample and reuses the import the second time', async () => {
    const first = await run(funnel, ['sample', '--steps', 'pin_view,save,click,purchase', '--by', 'user_intent', '--window', '7d']);
    // The row count comes from the file itself (its lines minus the header), not from a figure copied from an old import.
    const rows = fs.readFileSync(SAMPLE, 'utf8').trimEnd().split('\n').length - 1;
    expect(first.err).toContain(`Imported ${rows.toLocaleString('en-US')} rows`);
    expect(first.out).toMatch(/pin_view → save → click → purchase/);
    expect(first.out).toMatch(/By user_intent:/);
    expect(first.out).toMatch(/Planner/);
    const second = await run(funnel, ['sample', '--steps', 'pin_view,save', '--json', '--where', 'platform=iOS']);
    expect(second.err).toMatch(/Using imported dataset/);
    const json = JSON.parse(second.out);
    expect(json.stages).toHaveLength(2);
    expect(json.definition.include).toEqual({ platform: ['iOS'] });
  });

  it.skipIf(!HAS_SHARED_DATA)('imports a file with column flags and previews without storing', async () => {
    const pv = await run(importCommand, [sharedData('taobao_userbehavior_head.csv'), '--preview', '--json']);
    expect(JSON.parse(pv.out).kind).toBe('event_log');
    const im = await run(importCommand, [
      sharedData('taobao_userbehavior_head.csv'),
      '--user-col',
      'user_id',
      '--time-col',
      'timestamp',
      '--event-col',
      'behavior_type',
      '--json',
    ]);
    const ds = JSON.parse(im.out);
    expect(ds.rowCount).toBe(84287);
    const f = await run(funnel, [ds.id, '--steps', 'pv,cart,buy', '--window', '24h', '--mode', 'first-touch']);
    expect(f.out).toMatch(/first-touch/);
  });
});
