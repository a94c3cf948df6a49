import type { Fact, FactUnit } from '../../shared/contract';
import { display, unsigned } from './format';

export type Provenance = Fact['provenance'];

/** A text and the facts whose displays it contains. */
export interface Cited {
  text: string;
  fact_ids: string[];
}

/** Interpolate a fact's display without its sign (direction is carried by the words). */
export interface Mag {
  mag: Fact;
}

type Part = Fact | Mag | Cited | string;

function isFact(p: Part): p is Fact {
  return typeof p === 'object' && 'display' in p && 'id' in p;
}

/**
 * Tagged template that only lets numbers into a sentence as fact displays, and records which facts
 * the sentence cites. Plain strings are for names (stages, segments), never for numbers.
 */
export function cite(strings: TemplateStringsArray, ...parts: Part[]): Cited {
  let text = strings[0];
  const ids: string[] = [];
  parts.forEach((p, i) => {
    if (typeof p === 'string') text += p;
    else if (isFact(p)) {
      text += p.display;
      ids.push(p.id);
    } else if ('mag' in p) {
      text += unsigned(p.mag.display);
      ids.push(p.mag.id);
    } else {
      text += p.text;
      ids.push(...p.fact_ids);
    }
    text += strings[i + 1];
  });
  return { text, fact_ids: [...new Set(ids)] };
}

export function mag(f: Fact): Mag {
  return { mag: f };
}

export function join(parts: Cited[], sep = ' '): Cited {
  return {
    text: parts
      .map((p) => p.text)
      .filter(Boolean)
      .join(sep),
    fact_ids: [...new Set(parts.flatMap((p) => p.fact_ids))],
  };
}

export { factKey as key } from '../../shared/fact-keys';

/**
 * Collects facts with stable ids. Adding the same id twice keeps the first (detectors may both
 * want e.g. a stage's step rate) unless the value differs, which is a bug worth failing on.
 */
export class FactBook {
  private readonly byId = new Map<string, Fact>();
  constructor(private readonly provenance: Provenance) {}

  add(id: string, label: string, value: number, unit: FactUnit, opts: { signed?: boolean; note?: string; period?: { start: string; end: string } } = {}): Fact {
    if (!Number.isFinite(value)) throw new Error(`fact ${id} is not a finite number (${value})`);
    const existing = this.byId.get(id);
    if (existing) {
      if (Math.abs(existing.value - value) > 1e-9 * Math.max(1, Math.abs(value))) throw new Error(`fact ${id} added twice with different values`);
      return existing;
    }
    const provenance: Provenance = { ...this.provenance };
    if (opts.note) provenance.note = opts.note;
    if (opts.period) provenance.period = opts.period;
    const fact: Fact = { id, label, value, unit, display: display(value, unit, opts.signed ?? false), provenance };
    this.byId.set(id, fact);
    return fact;
  }

  get(id: string): Fact | undefined {
    return this.byId.get(id);
  }

  need(id: string): Fact {
    const f = this.byId.get(id);
    if (!f) throw new Error(`missing fact ${id}`);
    return f;
  }

  all(): Fact[] {
    return [...this.byId.values()];
  }
}
