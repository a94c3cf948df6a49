import { parseArgs, type ParseArgsConfig } from 'node:util';
import { IafaError, type ProgressEvent } from '../shared/contract';
import { createEngine, type Engine } from '../core/services';
import { defaultDataDir } from '../core/paths';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  /** True when stderr is a terminal: progress redraws in place instead of printing lines. */
  isTTY: boolean;
}

export interface CommandArgs {
  positionals: string[];
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
}

export interface CliRuntime {
  io: CliIO;
  json: boolean;
  /** Created on first use so `--help` never touches the data folder. */
  engine(): Engine;
  progress(ev: ProgressEvent): void;
  signal: AbortSignal;
}

export interface Command {
  /** Words that select it, e.g. ['datasets', 'list']. */
  path: string[];
  summary: string;
  usage: string;
  /** Extra help lines shown under the usage. */
  details?: string[];
  options: Options;
  allowPositionals?: boolean;
  run(args: CommandArgs, rt: CliRuntime): Promise<number | void>;
}

export const COMMON_OPTIONS: Options = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
};

export function helpText(cmd: Command): string {
  const lines = [`iafa ${cmd.path.join(' ')}: ${cmd.summary}`, '', `Usage: ${cmd.usage}`];
  if (cmd.details?.length) lines.push('', ...cmd.details);
  lines.push('', 'Common options:', '  --json     machine-readable output on stdout', '  -h, --help show this help');
  return lines.join('\n') + '\n';
}

export function parseCommandArgs(cmd: Command, argv: string[]): CommandArgs {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...COMMON_OPTIONS, ...cmd.options },
      allowPositionals: cmd.allowPositionals ?? false,
      strict: true,
    });
    return { values: values as CommandArgs['values'], positionals };
  } catch (e) {
    throw new IafaError('validation', `${(e as Error).message.split('\n')[0]} (see: iafa ${cmd.path.join(' ')} --help)`);
  }
}

/** Plain aligned columns; numbers right-aligned so figures line up. */
export function formatTable(rows: Record<string, unknown>[], columns: { key: string; title: string }[]): string {
  const cells = rows.map((r) => columns.map((c) => formatCell(r[c.key])));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i].length)));
  const numeric = columns.map((c) => rows.length > 0 && rows.every((r) => typeof r[c.key] === 'number' || r[c.key] == null));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.title)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

function formatCell(v: unknown): string {
  if (v == null) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 2 });
  return String(v);
}

export function makeRuntime(io: CliIO, json: boolean, signal: AbortSignal): CliRuntime & { dispose(): void } {
  let engine: Engine | null = null;
  let lastLen = 0;
  return {
    io,
    json,
    signal,
    engine() {
      engine ??= createEngine({ dataDir: defaultDataDir(io.env), env: io.env });
      return engine;
    },
    progress(ev) {
      const pct = ev.fraction !== undefined ? ` ${(ev.fraction * 100).toFixed(0)}%` : '';
      const rows = ev.rows !== undefined ? ` ${ev.rows.toLocaleString('en-US')} rows` : '';
      const msg = `${ev.phase}${pct}${rows}${ev.message ? ` ${ev.message}` : ''}`;
      if (io.isTTY) {
        io.stderr(`\r${msg.padEnd(lastLen)}`);
        lastLen = msg.length;
      } else io.stderr(msg + '\n');
    },
    dispose() {
      if (io.isTTY && lastLen) io.stderr('\n');
      engine?.close();
    },
  };
}
