/**
 * How names (stages, segment values) become parts of fact ids. The engine builds ids with these
 * and the renderer reads them back (to highlight the metric a fact cites), so both share them.
 */

/** Id-safe key: keeps case so `segment.Planner...` stays readable, replaces separators. */
export function factKey(name: string): string {
  const k = name
    .trim()
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return k || 'blank';
}

/** Stage keys: lower-case, and numbered when two stages share a name (a → a). */
export function stageKeys(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = factKey(n).toLowerCase();
    const c = (seen.get(k) ?? 0) + 1;
    seen.set(k, c);
    return c === 1 ? k : `${k}_${c}`;
  });
}
