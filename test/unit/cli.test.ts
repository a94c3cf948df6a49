import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { runCli } from '../../src/cli/run';
import { commands } from '../../src/cli/commands';
import { tempDir } from '../helpers/engine';
import { runCliCaptured } from '../helpers/cli';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

async function cli(args: string[]) {
  const dataDir = tempDir();
  dirs.push(dataDir);
  return { ...(await runCliCaptured(args, { IAFA_DATA_DIR: dataDir })), dataDir };
}

describe('iafa CLI', () => {
  it('lists datasets as a table and as JSON', async () => {
    const human = await cli(['datasets', 'list']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/No datasets yet/);
    const json = await cli(['datasets', 'list', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ datasets: [] });
  });

  it('has --help on every subcommand, without touching the data folder', async () => {
    for (const c of commands) {
      const r = await cli([...c.path, '--help']);
      expect(r.code, c.path.join(' ')).toBe(0);
      expect(r.stdout).toContain(`iafa ${c.path.join(' ')}`);
      expect(r.stdout).toMatch(/Usage: iafa/);
      expect(fs.readdirSync(r.dataDir)).toEqual([]);
    }
  });

  it('fails with a non-zero exit and a one-line reason', async () => {
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    const missing = await cli(['datasets', 'show', 'ds_nope']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toBe('iafa: No dataset with id "ds_nope".\n');
    const badFlag = await cli(['datasets', 'list', '--frob']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/^iafa: .*--frob/);
    const badPort = await cli(['serve', '--port', 'abc']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/--port/);
  });

  it('serve prints a loopback URL with the token and stops on signal', async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    const ac = new AbortController();
    let stdout = '';
    const done = runCli(
      ['serve', '--port', '0', '--json'],
      { stdout: (s) => (stdout += s), stderr: () => {}, env: { IAFA_DATA_DIR: dataDir }, isTTY: false },
      ac.signal,
    );
    for (let i = 0; i < 100 && !stdout; i++) await new Promise((r) => setTimeout(r, 20));
    const info = JSON.parse(stdout);
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.open).toContain(`#token=${info.token}`);
    const res = await fetch(`${info.url}/api/v1/health`, { headers: { authorization: `Bearer ${info.token}` } });
    expect(res.status).toBe(200);
    ac.abort();
    expect(await done).toBe(0);
  });
});
