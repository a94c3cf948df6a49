/**
 * "1 day", "2 days", "1,234 users": a count with its noun, singular only for exactly one. Shared
 * by the engine's texts and the renderer so no screen or report says "1 days".
 */
const IRREGULAR: Record<string, string> = {
  day: 'days',
  week: 'weeks',
  user: 'users',
  row: 'rows',
  file: 'files',
  variant: 'variants',
  entry: 'entries',
  person: 'people',
};

export function plural(n: number, singular: string, pluralForm?: string): string {
  const many = pluralForm ?? IRREGULAR[singular] ?? `${singular}s`;
  const shown = Number.isInteger(n) ? n.toLocaleString('en-US') : String(n);
  return `${shown} ${n === 1 ? singular : many}`;
}
