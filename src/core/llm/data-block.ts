import type { Fact } from '../../shared/contract';

export interface DataBlock {
  text: string;
  /** Puts redacted segment names back into model output. */
  restore: (s: string) => string;
  /** Ids as the model sees them (redacted when redaction is on). */
  factIds: string[];
}

const SEGMENT_ID = /^segments?\.([^.]+)\./;

function collectIds(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) node.forEach((n) => collectIds(n, out));
  else if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'fact_ids' && Array.isArray(v)) v.forEach((id) => typeof id === 'string' && out.add(id));
      else collectIds(v, out);
    }
  }
}

/** The data block must not be able to close itself or reopen as instructions. */
function neutralise(s: string): string {
  // Control characters (other than tab and newline) can hide text from a reader but not from a model.
  let out = '';
  for (const ch of s.replace(/<<<|>>>/g, '"""').slice(0, 300)) out += ch < ' ' && ch !== '\t' && ch !== '\n' ? ' ' : ch;
  return out;
}

function mapStrings(node: unknown, f: (s: string) => string): unknown {
  if (typeof node === 'string') return f(node);
  if (Array.isArray(node)) return node.map((n) => mapStrings(n, f));
  if (typeof node === 'object' && node !== null) return Object.fromEntries(Object.entries(node).map(([k, v]) => [f(k), mapStrings(v, f)]));
  return node;
}

/**
 * The model sees facts (id, label, value, display), the context and the app's own text, never
 * rows. Facts the computed text cites go first so a small context keeps the ones that matter.
 */
export function buildDataBlock(input: {
  facts: Fact[];
  context: Record<string, unknown>;
  deterministic: Record<string, unknown>;
  budgetChars: number | null;
  redactSegments: boolean;
}): DataBlock {
  const cited = new Set<string>();
  collectIds(input.deterministic, cited);
  const ordered = [...input.facts.filter((f) => cited.has(f.id)), ...input.facts.filter((f) => !cited.has(f.id))];

  const aliases = new Map<string, string>();
  if (input.redactSegments) {
    for (const f of input.facts) {
      const m = SEGMENT_ID.exec(f.id);
      if (m && !aliases.has(m[1])) aliases.set(m[1], `SEGMENT_${aliases.size + 1}`);
    }
  }
  // Longest names first so "Planner Pro" is not half-replaced by "Planner".
  const pairs = [...aliases.entries()].sort((a, b) => b[0].length - a[0].length);
  const redact = (s: string) => pairs.reduce((acc, [name, alias]) => acc.split(name).join(alias), s);
  const back = [...pairs].sort((a, b) => b[1].length - a[1].length);
  const restore = (s: string) => back.reduce((acc, [name, alias]) => acc.split(alias).join(name), s);

  const head = mapStrings({ context: input.context, computed_text: input.deterministic }, (s) => neutralise(redact(s)));
  const headText = JSON.stringify(head);
  const lines: string[] = [];
  const factIds: string[] = [];
  let used = headText.length + 40;
  for (const f of ordered) {
    const id = redact(neutralise(f.id));
    const line = JSON.stringify({ id, label: redact(neutralise(f.label)), value: f.value, display: neutralise(f.display) });
    if (input.budgetChars !== null && used + line.length > input.budgetChars && lines.length >= 3) break;
    lines.push(line);
    factIds.push(id);
    used += line.length + 2;
  }
  const text = `<<<DATA\n{"facts":[\n${lines.join(',\n')}\n],\n${headText.slice(1, -1)}}\nDATA>>>`;
  return { text, restore, factIds };
}
