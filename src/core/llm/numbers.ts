/**
 * Numbers as written in prose. Grounding compares each one with the fact sheet at the precision it
 * was written, so "42.5%", "+15%", "3x", "1,204 users", "p = 0.003" and "2026-01-15" each carry
 * their value, decimals and kind.
 */
export type NumberKind = 'percent' | 'pp' | 'ratio' | 'p' | 'date' | 'year' | 'plain';

export interface WrittenNumber {
  /** Exactly as it appears in the text (for the report). */
  raw: string;
  value: number;
  /** Digits after the decimal point as written: the precision it must match at. */
  decimals: number;
  kind: NumberKind;
  signed: boolean;
  /** "<" or ">" before a p-value ("p < 0.001"). */
  comparator: '<' | '>' | null;
}

const ISO_DATE = /(?<![\w.])(\d{4})-(\d{2})-(\d{2})(?![\w])/g;
// Words and ids that contain digits ("Q3", "p95", "GPT-4", "step_2") are names, not figures:
// the look-behind refuses a letter, digit, dot or underscore just before the number.
const NUMBER = /(?<![\w.])(?<![A-Za-z][-−])([+\-−±]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?!\.?\d)\s*(%|\s?pp\b|\s?percentage points?\b|x\b|×|-fold\b)?/gi;
const P_PREFIX = /\bp\s*(=|<|>|≤|<=|≥|>=)\s*$/i;

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

// Multiples written as words are claims too: "doubled" says a ratio of 2.
const WORD_RATIOS: [RegExp, number, number][] = [
  [/\b(twice|double[ds]?|doubling)\b(?!-)/gi, 2, 0],
  [/\b(triple[ds]?|tripling|threefold)\b(?!-)/gi, 3, 0],
  [/\b(quadruple[ds]?|fourfold)\b(?!-)/gi, 4, 0],
  [/\b(halved|halves|halving)\b(?!-)/gi, 0.5, 1],
];

export function extractNumbers(input: string): WrittenNumber[] {
  const out: WrittenNumber[] = [];
  // ".5%" is 0.5%: give it its zero so the main pattern sees it.
  const text = input.replace(/(^|[\s(])\.(\d)/g, '$10.$2');
  for (const [rx, value, decimals] of WORD_RATIOS) {
    for (const m of text.matchAll(rx)) out.push({ raw: m[0], value, decimals, kind: 'ratio', signed: false, comparator: null });
  }
  const masked = text.replace(ISO_DATE, (m, y: string, mo: string, d: string) => {
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d));
    out.push({ raw: m, value: ms, decimals: 0, kind: 'date', signed: false, comparator: null });
    return ' '.repeat(m.length);
  });
  for (const m of masked.matchAll(NUMBER)) {
    const [raw, sign, intPart, frac, unitRaw] = m;
    const unit = (unitRaw ?? '').trim().toLowerCase();
    let value = Number(intPart.replace(/,/g, '') + (frac ? `.${frac}` : ''));
    if (sign === '-' || sign === '−') value = -value;
    const before = masked.slice(Math.max(0, (m.index ?? 0) - 8), m.index ?? 0);
    const pm = P_PREFIX.exec(before);
    let kind: NumberKind = 'plain';
    if (pm) kind = 'p';
    else if (unit === '%') kind = 'percent';
    else if (unit.startsWith('pp') || unit.startsWith('percentage')) kind = 'pp';
    else if (unit === 'x' || unit === '×' || unit === '-fold') kind = 'ratio';
    else if (!frac && !sign && /^(19|20)\d\d$/.test(intPart)) kind = 'year';
    const comparator = pm ? (pm[1].startsWith('<') || pm[1] === '≤' ? '<' : pm[1].startsWith('>') || pm[1] === '≥' ? '>' : null) : null;
    out.push({ raw: raw.trim(), value, decimals: frac ? frac.length : 0, kind, signed: sign !== '', comparator });
  }
  return out;
}

/** Bare small counts ("3 steps", "2 weeks", "top 5") are wording, not claims about the data. */
export function isIncidental(n: WrittenNumber): boolean {
  return n.kind === 'plain' && !n.signed && n.decimals === 0 && n.value >= 0 && n.value <= 10;
}

export function roundTo(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round((x + Math.sign(x) * Number.EPSILON * Math.abs(x)) * f) / f;
}

/** The figures a fact stands for: its value and what its display string shows. */
export function referenceValues(fact: { value: number; unit: string; display: string }): number[] {
  const refs = new Set<number>([fact.value]);
  if (fact.unit === 'percent' && Math.abs(fact.value) <= 1) refs.add(fact.value * 100);
  for (const n of extractNumbers(fact.display)) if (n.kind !== 'date') refs.add(Math.abs(n.value));
  return [...refs].map(Math.abs);
}
