import type { Fact } from '../../shared/contract';

/** Word overlap between a question and the facts' names: the "closest facts" when a question is not recognised. */

const STOP = new Set(
  'a an and are at by did do does for from how i in is it its me of on or our the this to was we what when where which who why with vs versus than there their about'.split(
    ' ',
  ),
);
const MAX_WORDS = /\b(largest|biggest|highest|most|max|maximum|best|top)\b/;
const MIN_WORDS = /\b(lowest|smallest|least|min|minimum|fewest|worst)\b/;

function words(s: string): string[] {
  return s
    .toLowerCase()
    .replace(/[_.·:/()-]/g, ' ')
    .split(/[^a-z0-9%]+/)
    .filter((w) => w.length > 1 && !STOP.has(w))
    .map((w) => w.replace(/(ies|s)$/, (m) => (m === 'ies' ? 'y' : '')));
}

/** Facts ranked by how many of the question's words their label and id share. */
export function matchFacts(question: string, facts: Fact[], limit = 3): Fact[] {
  const q = new Set(words(question));
  if (q.size === 0) return [];
  const scored = facts
    .map((f) => {
      const fw = new Set([...words(f.label), ...words(f.id)]);
      let score = 0;
      // Shared stems count ("converts" / "conversion"), so questions need not use the labels' words.
      for (const w of q) if (fw.has(w) || [...fw].some((x) => x.length >= 5 && w.length >= 5 && x.slice(0, 5) === w.slice(0, 5))) score++;
      // Among equal matches the more specific fact (fewer words) wins: "segment conversion" means
      // a segment's conversion, not a comparison row that also mentions both words.
      return { f, score: score > 0 ? score - fw.size * 0.001 : 0 };
    })
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score);
  if (!scored.length) return [];
  const top = Math.ceil(scored[0].score);
  let best = scored.filter((s) => Math.ceil(s.score) === top).map((s) => s.f);
  // "Which stage has the largest drop-off?" asks for an extreme, not a list.
  const ql = question.toLowerCase();
  if (MAX_WORDS.test(ql) || MIN_WORDS.test(ql)) {
    // Compare like with like: the most specific match's id with its middle part (the stage or
    // segment) left open, e.g. segment.*.overall_conversion_rate.
    const parts = best[0].id.split('.');
    // "Worst" drop-off is the largest one; "worst" conversion the smallest.
    const wantMax = MAX_WORDS.test(ql) !== (/\bworst\b/.test(ql) && /drop/.test(best[0].id));
    const shape = (id: string) => {
      const p = id.split('.');
      return p.length === parts.length && p[0] === parts[0] && p.slice(2).join('.') === parts.slice(2).join('.');
    };
    const same = scored
      .map((x) => x.f)
      .filter((f) => f.unit === best[0].unit && shape(f.id))
      .sort((a, b) => (wantMax ? b.value - a.value : a.value - b.value));
    best = same.slice(0, 1);
  }
  return best.slice(0, limit);
}

/** Questions the deterministic answerer can answer well, offered when the data has those facts. */
export function followUps(facts: Fact[], used: Set<string>): string[] {
  const has = (rx: RegExp) => facts.some((f) => rx.test(f.id) && !used.has(f.id));
  const out: string[] = [];
  if (has(/drop_off/)) out.push('Which stage has the largest drop-off?');
  if (has(/^segments?\./)) out.push('Which segment has the highest overall conversion?');
  if (has(/^previous\./) || has(/previous/)) out.push('How does overall conversion compare with the previous period?');
  for (const f of facts) {
    if (out.length >= 3) break;
    if (!used.has(f.id)) out.push(`What about ${f.label.charAt(0).toLowerCase()}${f.label.slice(1).replace(/[?.]+$/, '')}?`.slice(0, 160));
  }
  return out.slice(0, 3);
}
