import {
  FunnelDefinition,
  funnelModeProblem,
  IafaError,
  type FunnelDefinitionInput,
  type FunnelStep,
  type ImportMapping,
  type StepCondition,
} from '../shared/contract';
import type { Command, CommandArgs } from './framework';

/** The funnel flags of `iafa funnel`, insights, hypotheses, ask and report, as parsed once by node:util parseArgs (see framework.ts). */
interface FunnelCliArgs {
  /** A file path, an imported dataset id, `sample` or a clickhouse:// URL. */
  source: string;
  definition: FunnelDefinition;
  /** Column overrides for importing a file on the fly. */
  mapping: ImportMapping;
}

/** The mode flags (ClickHouse windowFunnel's options) and the definition fields they set. */
const MODE_FLAGS = {
  'strict-order': 'strictOrder',
  'strict-deduplication': 'strictDeduplication',
  'strict-once': 'strictOnce',
  'allow-reentry': 'allowReentry',
} as const;

export const FUNNEL_OPTIONS: Command['options'] = {
  steps: { type: 'string' },
  window: { type: 'string' },
  mode: { type: 'string' },
  strict: { type: 'boolean' },
  by: { type: 'string' },
  ...Object.fromEntries(Object.keys(MODE_FLAGS).map((f) => [f, { type: 'boolean' as const }])),
  where: { type: 'string', multiple: true },
  from: { type: 'string' },
  to: { type: 'string' },
  tz: { type: 'string' },
  'user-col': { type: 'string' },
  'time-col': { type: 'string' },
  'event-col': { type: 'string' },
};

/**
 * `<file|datasetId|sample> --steps a,b,c [--window 24h|7d|30m|none]
 *  [--mode any-start|first-touch|unordered] [--strict] [--strict-order] [--strict-deduplication]
 *  [--strict-once] [--allow-reentry] [--by col] [--where col=v1,v2 ...]
 *  [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--tz Zone] [--user-col c --time-col c --event-col c]`,
 * from the positionals and values parseArgs gave the command (FUNNEL_OPTIONS in its options).
 *
 * A step may be any of several events and carry its own conditions, all of which must hold:
 * `click|tap[surface=home|search,platform=ios]`. `--where col!=v` or
 * `--where col=!v1,v2` excludes values.
 */
export function funnelFromArgs(positionals: string[], values: CommandArgs['values']): FunnelCliArgs {
  if (positionals.length !== 1) throw new IafaError('validation', 'Usage: iafa funnel <file|datasetId|sample> --steps a,b,c [options]');
  const one = (k: string) => {
    const v = values[k];
    return typeof v === 'string' ? v : undefined;
  };
  const stepsRaw = one('steps');
  if (!stepsRaw) throw new IafaError('validation', '--steps is required, e.g. --steps pin_view,save,click,purchase');
  const steps = splitSteps(stepsRaw).map(parseStep);

  // Without a prototype, a column named "constructor" or "toString" is just a key (and
  // "__proto__" stays a key too, which the contract then refuses by name).
  const include: Record<string, string[]> = Object.create(null);
  const exclude: Record<string, string[]> = Object.create(null);
  const where = values.where;
  for (const w of Array.isArray(where) ? where.map(String) : []) {
    const m = /^([^=!]+)(!?=)(.*)$/.exec(w);
    if (!m || !m[3]) throw new IafaError('validation', `--where must look like col=v1,v2 or col!=v (got "${w}").`);
    let list = m[3];
    let neg = m[2] === '!=';
    if (list.startsWith('!')) {
      neg = true;
      list = list.slice(1);
    }
    const target = neg ? exclude : include;
    target[m[1].trim()] = [
      ...(target[m[1].trim()] ?? []),
      ...list
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    ];
  }
  const input: FunnelDefinitionInput = {
    steps,
    window: one('window') ?? '7d',
    mode: (one('mode') ?? 'any-start') as FunnelDefinitionInput['mode'],
    strict: values.strict === true,
    ...Object.fromEntries(
      Object.entries(MODE_FLAGS)
        .filter(([flag]) => values[flag] === true)
        .map(([, key]) => [key, true]),
    ),
    breakdown: one('by'),
    include,
    exclude,
    from: one('from'),
    to: one('to'),
    tz: one('tz') ?? 'UTC',
  };
  const parsed = FunnelDefinition.safeParse(input);
  if (!parsed.success) throw IafaError.from(parsed.error);
  const problem = funnelModeProblem(parsed.data);
  if (problem) throw new IafaError('validation', problem);
  const mapping: ImportMapping = {};
  if (one('user-col')) mapping.user = one('user-col');
  if (one('time-col')) mapping.time = one('time-col');
  if (one('event-col')) mapping.event = one('event-col');
  return { source: positionals[0], definition: parsed.data, mapping };
}

/** Commas split steps, except inside a step's [filter]. */
function splitSteps(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter(Boolean);
}

/**
 * `a|b[col=v1|v2,col2=w]`: the events a or b, with col in (v1, v2) and col2 = w. A comma part
 * without "=" adds values to the condition before it, so the older `click[surface=Home,Search]`
 * still means surface in (Home, Search).
 */
function parseStep(s: string): FunnelStep {
  const m = /^([^[\]]+?)\s*(?:\[([^\]]*)\])?$/.exec(s);
  if (!m) throw new IafaError('validation', `A step must look like event, event|other or event[column=v1|v2,column2=v] (got "${s}").`);
  const events = m[1]
    .split('|')
    .map((e) => e.trim())
    .filter(Boolean);
  if (events.length === 0) throw new IafaError('validation', `A step needs an event name (got "${s}").`);
  const step: FunnelStep = { event: events[0] };
  if (events.length > 1) step.orEvents = events.slice(1);
  if (m[2] === undefined) return step;
  const conds: StepCondition[] = [];
  for (const part of m[2]
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const values = (eq >= 0 ? part.slice(eq + 1) : part)
      .split('|')
      .map((v) => v.trim())
      .filter(Boolean);
    if (eq > 0) conds.push({ column: part.slice(0, eq).trim(), values });
    else if (eq < 0 && conds.length > 0) conds[conds.length - 1].values.push(...values);
    else throw new IafaError('validation', `A step condition must look like column=v1|v2 (got "${part}" in "${s}").`);
    if (values.length === 0) throw new IafaError('validation', `The condition "${part}" in "${s}" has no value.`);
  }
  if (conds.length === 0) throw new IafaError('validation', `A step filter must look like event[column=v1|v2] (got "${s}").`);
  step.where = conds.length === 1 ? conds[0] : conds;
  return step;
}
