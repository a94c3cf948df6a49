import type { Fact, FactUnit } from '../../shared/contract';
import { dateToEpoch, display } from '../insights/format';

/**
 * The report's view of the fact sheet. Figures the analyst already published are reused by id;
 * a figure the report needs that the sheet lacks (a chart axis, one day of the trend) is derived
 * from the same engine output under a `report.` id, formatted by the one shared formatter, so the
 * grounding check treats it like any other fact. `used()` is the appendix: only what was printed.
 */
export class ReportFacts {
  private readonly byId = new Map<string, Fact>();
  private readonly order: string[] = [];
  private readonly usedIds = new Set<string>();

  constructor(
    sheet: Fact[],
    private readonly provenance: Fact['provenance'] = {},
  ) {
    for (const f of sheet) if (!this.byId.has(f.id)) this.byId.set(f.id, f);
  }

  get(id: string): Fact | undefined {
    return this.byId.get(id);
  }

  /** Mark a fact as printed; returns it for inline use. */
  use(f: Fact): Fact {
    if (!this.usedIds.has(f.id)) {
      this.usedIds.add(f.id);
      this.order.push(f.id);
    }
    return f;
  }

  cite(ids: string[]): void {
    for (const id of ids) {
      const f = this.byId.get(id);
      if (f) this.use(f);
    }
  }

  /**
   * The first sheet fact among `ids` whose value agrees with `value`, else a derived one. The
   * value check keeps a differently-scaled sheet fact (fraction vs percent) from being printed.
   */
  pick(ids: string[], id: string, label: string, value: number, unit: FactUnit, signed = false): Fact {
    for (const cand of ids) {
      const f = this.byId.get(cand);
      if (f && f.unit === unit && Math.abs(f.value - value) <= 1e-6 * Math.max(1, Math.abs(value))) return this.use(f);
    }
    return this.derive(id, label, value, unit, signed);
  }

  derive(id: string, label: string, value: number, unit: FactUnit, signed = false): Fact {
    const existing = this.byId.get(id);
    if (existing) return this.use(existing);
    const f: Fact = {
      id,
      label,
      value,
      unit,
      display: display(value, unit, signed),
      provenance: { ...this.provenance, note: 'derived for the report from the same engine output' },
    };
    this.byId.set(id, f);
    return this.use(f);
  }

  day(id: string, label: string, day: string): Fact {
    const ms = dateToEpoch(day.slice(0, 10));
    const sheet = [...this.byId.values()].find((f) => f.unit === 'date' && f.value === ms && f.id === id);
    return sheet ? this.use(sheet) : this.derive(id, label, ms, 'date');
  }

  /** Marks the facts whose display a text contains (engine prose that carries no citations). */
  citeText(text: string): string[] {
    const ids: string[] = [];
    for (const f of this.byId.values()) {
      if (f.display.length >= 2 && text.includes(f.display)) {
        this.use(f);
        ids.push(f.id);
      }
    }
    return ids;
  }

  used(): Fact[] {
    return this.order.map((id) => this.byId.get(id)!).filter(Boolean);
  }

  all(): Fact[] {
    return [...this.byId.values()];
  }
}

/** Id fragments come from the shared keys, so the renderer can read report fact ids back. */
export { factKey as idKey } from '../../shared/fact-keys';
