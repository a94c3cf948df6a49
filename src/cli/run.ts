import { IafaError } from '../shared/contract';
import { IAFA_VERSION } from '../core/version';
import { commands } from './commands';
import { helpText, makeRuntime, parseCommandArgs, type CliIO, type Command } from './framework';

const EXIT: Record<string, number> = { validation: 2, not_found: 3, conflict: 4, llm_unavailable: 5, rate_limited: 6, cancelled: 130, internal: 1 };

function topHelp(): string {
  const groups = new Map<string, Command[]>();
  for (const c of commands) groups.set(c.path[0], [...(groups.get(c.path[0]) ?? []), c]);
  const lines = [
    `iafa ${IAFA_VERSION}: funnel analytics, experiments and reports, computed on this machine.`,
    '',
    'Usage: iafa <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.path.join(' ').padEnd(22)} ${c.summary}`),
    '',
    'Run `iafa <command> --help` for the options of a command. Data lives in $IAFA_DATA_DIR',
    '(default: your per-user application data folder).',
  ];
  return lines.join('\n') + '\n';
}

function findCommand(argv: string[]): { cmd: Command; rest: string[] } | null {
  let best: { cmd: Command; rest: string[] } | null = null;
  for (const cmd of commands) {
    if (cmd.path.every((w, i) => argv[i] === w) && (!best || cmd.path.length > best.cmd.path.length)) {
      best = { cmd, rest: argv.slice(cmd.path.length) };
    }
  }
  return best;
}

/** Runs one CLI invocation; returns the exit code. Separated from process so tests call it in-process. */
export async function runCli(argv: string[], io: CliIO, signal: AbortSignal = new AbortController().signal): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout(topHelp());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version' || argv[0] === '-v') {
    io.stdout(IAFA_VERSION + '\n');
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = commands.filter((c) => c.path[0] === argv[0]);
    if (group.length && (argv.length === 1 || argv.includes('--help') || argv.includes('-h'))) {
      io.stdout(`Subcommands of iafa ${argv[0]}:\n${group.map((c) => `  ${c.path.join(' ').padEnd(26)} ${c.summary}`).join('\n')}\n`);
      return argv.length === 1 ? 2 : 0;
    }
    io.stderr(`iafa: unknown command "${argv.slice(0, 2).join(' ')}"; run \`iafa --help\`.\n`);
    return 2;
  }
  const { cmd, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(helpText(cmd));
    return 0;
  }
  const json = rest.includes('--json');
  const rt = makeRuntime(io, json, signal);
  try {
    const args = parseCommandArgs(cmd, rest);
    const code = await cmd.run(args, rt);
    return code ?? 0;
  } catch (err) {
    const e = IafaError.from(err);
    if (json) io.stdout(JSON.stringify({ error: e.toPayload() }) + '\n');
    io.stderr(`iafa: ${e.message.split('\n')[0]}\n`);
    return EXIT[e.kind] ?? 1;
  } finally {
    rt.dispose();
  }
}
