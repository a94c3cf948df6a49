/**
 * Nested properties are stored under their dotted path ("properties.user_intent"); the last
 * segment alone ("user_intent") names the same column wherever a column is named (--by, --where,
 * the API, the UI) as long as no other column has that last segment or that full name.
 */
export function shortNames(names: string[]): Map<string, string> {
  const full = new Set(names);
  const count = new Map<string, number>();
  const lastOf = (n: string) => n.slice(n.lastIndexOf('.') + 1);
  for (const n of names) if (n.includes('.')) count.set(lastOf(n), (count.get(lastOf(n)) ?? 0) + 1);
  const out = new Map<string, string>();
  for (const n of names) {
    if (!n.includes('.')) continue;
    const s = lastOf(n);
    if (s && count.get(s) === 1 && !full.has(s)) out.set(n, s);
  }
  return out;
}

/** The stored column a name means: itself, or the one whose unique last segment it is. */
export function resolveColumnName(names: string[], name: string): string {
  if (names.includes(name)) return name;
  for (const [n, s] of shortNames(names)) if (s === name) return n;
  return name;
}
