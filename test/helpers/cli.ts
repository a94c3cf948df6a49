import { runCli } from '../../src/cli/run';

/** One `iafa` invocation in-process, with stdout and stderr captured as text. */
export async function runCliCaptured(args: string[], env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env, isTTY: false }, signal);
  return { code, stdout, stderr };
}
