import { FunnelDefinition, funnelModeProblem, IafaError, type FunnelDefinitionInput, type FunnelStep, type ImportMapping, type StepCondition } from '../../shared/contract';

export interface FunnelCliArgs {
  /** A file path, an imported dataset id, or `sample`. */
  source: string;
  definition: FunnelDefinition;
  /** Column overrides for importing a file on the fly. */
  mapping: ImportMapping;
  json: boolean;
}

const VALUE_FLAGS = new Set(['steps', 'window', 'mode', 'by', 'where', 'from', 'to', 'tz', 'user-col', 'time-col', 'event-col']);
/** The mode flags (ClickHouse windowFunnel's options) and the definition fields they set. */
export const MODE_FLAGS = { 'strict-order': 'strictOrder', 'strict-deduplication': 'strictDeduplication', 'strict-once': 'strictOnce', 'allow-reentry': 'allowReentry' } as const;
const BOOL_FLAGS = new Set(['strict', 'json', ...Object.keys(MODE_FLAGS)]);

/**
 * `iafa funnel <file|datasetId|sample> --steps a,b,c [--window 24h|7d|30m|none]
 *  [--mode any-start|first-touch|unordered] [--strict] [--strict-order] [--strict-deduplication]
 *  [--strict-once] [--allow-reentry] [--by col] [--where col=v1,v2 ...]
 *  [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--tz Zone] [--user-col c --time-col c --event-col c] [--json]`
 *
 * A step may be any of several events and carry its own conditions, all of which must hold:
 * `click|tap[surface=home|search,platform=ios]`. `--where col!=v` or
 * `--where col=!v1,v2` excludes values. Both `--flag value` and `--flag=value` work.
 */
export function parseFunnelArgs(argv: string[]): FunnelCliArgs {
  const positional: string[] = [];
  const values = new Map<string, string[]>();
  const bools = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (BOOL_FLAGS.has(name)) {
      bools.add(name);
      continue;
    }
    if (!VALUE_FLAGS.has(name)) throw new IafaError('validation', `Unknown option --${name}.`);
    const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (v === undefined || (eq < 0 && v.startsWith('--'))) throw new IafaError('validation', `--${name} needs a value.`);
    values.set(name, [...(values.get(name) ?? []), v]);
  }
  if (positional.length !== 1) throw new IafaError('validation', 'Usage: iafa funnel <file|datasetId|sample> --steps a,b,c [options]');
  const one = (k: string) => values.get(k)?.at(-1);
  const stepsRaw = one('steps');
  if (!stepsRaw) throw new IafaError('validation', '--steps is required, e.g. --steps pin_view,save,click,purchase');
  const steps = splitSteps(stepsRaw).map(parseStep);

  // Without a prototype, a column named "constructor" or "toString" is just a key (and
  // "__proto__" stays a key too, which the contract then refuses by name).
  const include: Record<string, string[]> = Object.create(null);
  const exclude: Record<string, string[]> = Object.create(null);
  for (const w of values.get('where') ?? []) {
    const m = /^([^=!]+)(!?=)(.*)$/.exec(w);
    if (!m || !m[3]) throw new IafaError('validation', `--where must look like col=v1,v2 or col!=v (got "${w}").`);
    let list = m[3];
    let neg = m[2] === '!=';
    if (list.startsWith('!')) {
      neg = true;
      list = list.slice(1);
    }
    const target = neg ? exclude : include;
    target[m[1].trim()] = [...(target[m[1].trim()] ?? []), ...list.split(',').map((v) => v.trim()).filter(Boolean)];
  }
  const input: FunnelDefinitionInput = {
    steps,
    window: one('window') ?? '7d',
    mode: (one('mode') ?? 'any-start') as FunnelDefinitionInput['mode'],
    strict: bools.has('strict'),
    ...Object.fromEntries(Object.entries(MODE_FLAGS).filter(([flag]) => bools.has(flag)).map(([, key]) => [key, true])),
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
  return { source: positional[0], definition: parsed.data, mapping, json: bools.has('json') };
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
  const events = m[1].split('|').map((e) => e.trim()).filter(Boolean);
  if (events.length === 0) throw new IafaError('validation', `A step needs an event name (got "${s}").`);
  const step: FunnelStep = { event: events[0] };
  if (events.length > 1) step.orEvents = events.slice(1);
  if (m[2] === undefined) return step;
  const conds: StepCondition[] = [];
  for (const part of m[2].split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const values = (eq >= 0 ? part.slice(eq + 1) : part).split('|').map((v) => v.trim()).filter(Boolean);
    if (eq > 0) conds.push({ column: part.slice(0, eq).trim(), values });
    else if (eq < 0 && conds.length > 0) conds[conds.length - 1].values.push(...values);
    else throw new IafaError('validation', `A step condition must look like column=v1|v2 (got "${part}" in "${s}").`);
    if (values.length === 0) throw new IafaError('validation', `The condition "${part}" in "${s}" has no value.`);
  }
  if (conds.length === 0) throw new IafaError('validation', `A step filter must look like event[column=v1|v2] (got "${s}").`);
  step.where = conds.length === 1 ? conds[0] : conds;
  return step;
}
