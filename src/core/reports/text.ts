import type { Trend } from './model';

/**
 * Escaping for every format. Text from data (segment names, event names) and from a model is
 * always rendered as text: a segment named "<img src=x onerror=...>" must show as those characters.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * Markdown inline text: backslash-escape the characters that start markup, and HTML-escape angle
 * brackets and ampersands so a raw tag in data never becomes HTML in a Markdown viewer.
 */
export function escapeMd(s: string): string {
  return (
    s
      .replace(/[\\`*_{}[\]|~]/g, (c) => `\\${c}`)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/\r?\n/g, ' ')
      // GFM turns bare URLs, www. names and e-mail addresses into links: escaping breaks the pattern.
      .replace(/:\/\//g, ':\\/\\/')
      .replace(/\b(www)\./gi, '$1\\.')
      .replace(/@/g, '\\@')
      // Only a line start can open a heading, list, quote or rule; escape those there, nowhere else.
      .replace(/^(\s*)([#+-]|\d+\.(?=\s)|=+$)/, (_m, sp: string, mark: string) => `${sp}${mark.replace(/^([#+-])/, '\\$1').replace(/^(\d+)\./, '$1\\.')}`)
  );
}

/** A table cell: as inline text, plus no pipes or line breaks. */
export function mdCell(s: string): string {
  return escapeMd(s).replace(/\s+/g, ' ').trim() || ' ';
}

export function wordCount(text: string): number {
  return (text.match(/[\p{L}\p{N}][\p{L}\p{N}'’.,%-]*/gu) ?? []).length;
}

export { fileSlug } from '../../shared/file-slug';

/** "plus 1 isolated day, 2017-09-11, counted in the totals" (dates only, so nothing to escape). */
export function isolatedNote(days: string[]): string {
  const list = days.length <= 3 ? days.join(', ') : `${days.slice(0, 3).join(', ')} and ${days.length - 3} more`;
  return `plus ${days.length === 1 ? '1 isolated day' : `${days.length} isolated days`}, ${list}, counted in the totals`;
}

/** The trend caption's note on the days left out of the chart; `esc` escapes the dates for the output format. */
export function leftOutNote(t: Trend, esc: (s: string) => string): string {
  let note = '';
  if (t.left_out) {
    const range = `${esc(t.points[0].date.display)} – ${esc(t.points[t.points.length - 1].date.display)}`;
    note += ` ${t.left_out === 1 ? 'One isolated day' : `${t.left_out} isolated days`} outside ${range} ${t.left_out === 1 ? 'is' : 'are'} left out.`;
  }
  if (t.left_out_small) {
    const days = t.left_out_small === 1 ? 'One day' : `${t.left_out_small} days`;
    note += ` ${days} with fewer than ${t.min_day_users} users starting ${t.left_out_small === 1 ? 'is' : 'are'} left out (too few for a daily rate).`;
  }
  return note;
}
