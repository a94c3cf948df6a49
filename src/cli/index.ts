import { runCli } from './run';
import { usePrivateUmask } from '../core/umask';

usePrivateUmask();

// Entry point of the `iafa` binary (bin/iafa.js loads the built copy of this file).
const controller = new AbortController();
let interrupted = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    interrupted++;
    if (interrupted > 1) process.exit(130);
    controller.abort();
  });
}

runCli(
  process.argv.slice(2),
  {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
    isTTY: Boolean(process.stderr.isTTY),
  },
  controller.signal,
).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`iafa: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
