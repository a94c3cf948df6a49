import type { Fact } from '../../shared/contract';
import { vocabulary, type Vocabulary } from './question';

/** The small toolkit every computed answer is written with: facts in, cited sentences out. */

export type Fit = 'answered' | 'closest_facts' | 'not_in_data';

export interface Said {
  text: string;
  ids: string[];
  /** The facts that answer the question, as opposed to context ("of the 812 who entered"). */
  keys?: string[];
}

/** A fact that is the answer itself: a model answer must cite one of these to count as answering. */
export function main(f: Fact): Said {
  return { text: f.display, ids: [f.id], keys: [f.id] };
}

/** Only facts bring numbers into a sentence; strings are names. */
export function say(strings: TemplateStringsArray, ...parts: (Fact | string | Said)[]): Said {
  let text = strings[0];
  const ids: string[] = [];
  const keys: string[] = [];
  parts.forEach((p, i) => {
    if (typeof p === 'string') text += p;
    else if ('display' in p) {
      text += p.display;
      ids.push(p.id);
    } else {
      text += p.text;
      ids.push(...p.ids);
      keys.push(...(p.keys ?? []));
    }
    text += strings[i + 1];
  });
  return keys.length ? { text, ids, keys: [...new Set(keys)] } : { text, ids };
}

export function joinSaid(parts: Said[], sep = ' '): Said {
  const keys = [...new Set(parts.flatMap((p) => p.keys ?? []))];
  const out = { text: parts.map((p) => p.text).join(sep), ids: [...new Set(parts.flatMap((p) => p.ids))] };
  return keys.length ? { ...out, keys } : out;
}

export const unsigned = (f: Fact): Fact => ({ ...f, display: f.display.replace(/^[+-]/, '') });

export class Sheet {
  readonly byId: Map<string, Fact>;
  readonly v: Vocabulary;
  constructor(
    readonly facts: Fact[],
    columns: string[],
  ) {
    this.byId = new Map(facts.map((f) => [f.id, f]));
    this.v = vocabulary(facts, columns);
  }
  get(id: string): Fact | undefined {
    return this.byId.get(id);
  }
  matching(rx: RegExp): Fact[] {
    return this.facts.filter((f) => rx.test(f.id));
  }
  stageIndex(key: string): number {
    return this.v.stages.findIndex((s) => s.key === key);
  }
  stageName(i: number): string {
    return this.v.stages[i]?.name ?? '';
  }
  segName(key: string): string {
    return this.v.segments.find((s) => s.key === key)?.name ?? key;
  }
}

export interface Found {
  said: Said;
  fit?: Fit;
  note?: string | null;
  missing?: string[];
}
export type Result = Found | null;

export const answered = (said: Said): Found => ({ said, fit: 'answered' });
export const closest = (said: Said, note: string): Found => ({ said, fit: 'closest_facts', note });
export const absent = (missing: string[], text: string): Found => ({ said: { text, ids: [] }, fit: 'not_in_data', missing, note: text });

export function describeData(s: Sheet): string {
  const parts: string[] = [];
  if (s.v.stages.length) parts.push(`The funnel's steps are ${s.v.stages.map((x) => x.name).join(' → ')}`);
  if (s.v.segments.length)
    parts.push(
      `it is broken down by ${s.v.segmentColumn ?? 'segment'} (${s.v.segments
        .slice(0, 6)
        .map((x) => x.name)
        .join(', ')})`,
    );
  else if (s.v.stages.length) parts.push('it is not broken down by any column');
  if (s.v.metrics.length) parts.push(`The experiment's metrics are ${s.v.metrics.map((m) => m.name).join(', ')}`);
  const other = s.v.columns.filter((c) => c !== s.v.segmentColumn);
  let text = parts.length ? `${parts.join('; ')}.` : '';
  if (other.length)
    text += ` Other columns in the data: ${other.slice(0, 8).join(', ')}; break the funnel down by one of them in the Dashboard to compare its values.`;
  return text.trim();
}

export function refusal(s: Sheet, missing: string[]): Found {
  const list = missing.length > 1 ? `${missing.slice(0, -1).join(', ')} and ${missing[missing.length - 1]}` : missing[0];
  return absent(missing, `This analysis has no ${list}, so no computed figure answers that question. ${describeData(s)}`.trim());
}
