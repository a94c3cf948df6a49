import { describe, expect, it } from 'vitest';
import { modeFlagsProblem, walkMode } from '../../src/core/backends/clickhouse/funnel-walk';
import { FunnelDefinition } from '../../src/shared/contract';

/** What the options' SQL compiler refuses, and the shape 18.16 needs (results: test/integration/clickhouse-modes.test.ts). */
describe('ClickHouse funnel options compiler', () => {
  const def = (steps: { event: string; orEvents?: string[] }[], extra = {}) => FunnelDefinition.parse({ steps, ...extra });

  it('refuses strict-once only when two steps share an event, naming it and the steps', () => {
    expect(modeFlagsProblem(def([{ event: 'a' }, { event: 'b' }], { strictOnce: true }))).toBeNull();
    expect(modeFlagsProblem(def([{ event: 'a' }, { event: 'a' }], { strictOrder: true }))).toBeNull();
    expect(modeFlagsProblem(def([{ event: 'a' }, { event: 'b' }, { event: 'c', orEvents: ['a'] }], { strictOnce: true }))).toMatch(/"a" in steps 1 and 3/);
  });

  it('splits the columns into layers, none using a column of its own layer that a later layer defines', () => {
    for (const f of [
      { order: true, dedup: true, once: true, reentry: false, increase: true },
      { order: false, dedup: true, once: false, reentry: false, increase: false },
    ]) {
      const m = walkMode(5, 3_600_000, f);
      expect(m.layers!.length).toBeGreaterThan(5);
      const defined = new Set(['_T0', '_T1', '_T2', '_T3', '_T4', '_T5']);
      for (const layer of m.layers!) {
        const here = layer.map((c) => c.slice(c.lastIndexOf(' AS ') + 4));
        for (const c of layer)
          for (const used of c.match(/_[A-Z]+\d*/g) ?? []) expect(defined.has(used) || here.includes(used), `${used} in ${c.slice(0, 80)}`).toBe(true);
        for (const h of here) defined.add(h);
      }
      expect(defined.has('_lvl') && defined.has('_d5')).toBe(true);
    }
  });
});
