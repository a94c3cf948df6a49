import { FunnelDefinition, IafaError, type FunnelDefinitionInput, type FunnelStep, type ImportMapping } from '../../shared/contract';

export interface FunnelCliArgs {
  /** A file path, an imported dataset id, or `sample`. */
  source: string;
  definition: FunnelDefinition;
  /** Column overrides for importing a file on the fly. */
  mapping: ImportMapping;
  json: boolean;
}

const VALUE_FLAGS = new Set(['steps', 'window', 'mode', 'by', 'where', 'from', 'to', 'tz', 'user-col', 'time-col', 'event-col']);
const BOOL_FLAGS = new Set(['strict', 'json']);

/**
 * `iafa funnel <file|datasetId|sample> --steps a,b,c [--window 24h|7d|30m|none]
 *  [--mode any-start|first-touch|unordered] [--strict] [--by col] [--where col=v1,v2 ...]
 *  [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--tz Zone] [--user-col c --time-col c --event-col c] [--json]`
 *
 * A step may carry its own filter: `click[surface=home|search]`. `--where col!=v` or
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
    breakdown: one('by'),
    include,
    exclude,
    from: one('from'),
    to: one('to'),
    tz: one('tz') ?? 'UTC',
  };
  const parsed = FunnelDefinition.safeParse(input);
  if (!parsed.success) throw IafaError.from(parsed.error);
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

function parseStep(s: string): FunnelStep {
  const m = /^([^[]+)\[([^=\]]+)=([^\]]+)\]$/.exec(s);
  if (!m) {
    if (s.includes('[')) throw new IafaError('validation', `A step filter must look like event[column=v1|v2] (got "${s}").`);
    return { event: s };
  }
  return { event: m[1].trim(), where: { column: m[2].trim(), values: m[3].split(/[|,]/).map((v) => v.trim()).filter(Boolean) } };
}
