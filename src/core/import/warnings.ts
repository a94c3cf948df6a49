import type { ImportWarning } from '../../shared/contract';

const MESSAGES: Record<string, string> = {
  bad_timestamp: 'the time could not be read',
  missing_user: 'the user id is empty',
  missing_event: 'the event name is empty',
  bad_count: 'a stage count is not a number',

  bad_date: 'the date could not be read',
  unterminated_quote: 'a quoted field is never closed',
};

/** Skipped rows per reason, with the first few line numbers so the user can look them up. */
export class WarningLog {
  private byReason = new Map<string, { count: number; lines: number[] }>();
  /** Reasons recorded by note(): they skip no row, so they never explain why rows were lost. */
  private notesOnly = new Set<string>();
  total = 0;

  add(reason: string, line: number): void {
    this.notesOnly.delete(reason);
    this.record(reason, line);
    this.total++;
  }

  /** Something worth telling that does not skip the row (e.g. an empty count cell). */
  note(reason: string, line: number): void {
    if (!this.byReason.has(reason)) this.notesOnly.add(reason);
    this.record(reason, line);
  }

  private record(reason: string, line: number): void {
    let w = this.byReason.get(reason);
    if (!w) this.byReason.set(reason, (w = { count: 0, lines: [] }));
    w.count++;
    if (w.lines.length < 5 && !w.lines.includes(line)) w.lines.push(line);
  }

  entries(): { reason: string; count: number; lines: number[] }[] {
    return [...this.byReason.entries()].map(([reason, w]) => ({ reason, count: w.count, lines: [...w.lines] }));
  }

  /** Merges a worker's log; its line numbers are shifted by the lines before its chunk. */
  merge(entries: { reason: string; count: number; lines: number[] }[], lineOffset: number, countsAsBad = true): void {
    for (const e of entries) {
      let w = this.byReason.get(e.reason);
      if (!w) this.byReason.set(e.reason, (w = { count: 0, lines: [] }));
      if (countsAsBad) this.notesOnly.delete(e.reason);
      else if (w.count === 0) this.notesOnly.add(e.reason);
      w.count += e.count;
      for (const l of e.lines) if (w.lines.length < 5) w.lines.push(l + lineOffset);
      if (countsAsBad) this.total += e.count;
    }
  }

  list(): ImportWarning[] {
    return [...this.byReason.entries()].map(([reason, w]) => ({
      reason,
      count: w.count,
      lines: w.lines,
      message:
        reason === 'quoted_newline'
          ? `${w.count.toLocaleString('en-US')} row${w.count === 1 ? ' has a quoted field' : 's have quoted fields'} running over several lines (first at line${w.lines.length > 1 ? 's' : ''} ${w.lines.join(', ')}). ` +
            'Fine for multi-line text; otherwise a stray quote character has paired with one further down and merged rows.'
          : reason === 'missing_count'
            ? `${w.count.toLocaleString('en-US')} empty stage cell${w.count === 1 ? '' : 's'}, left out of the sums (first at line${w.lines.length > 1 ? 's' : ''} ${w.lines.join(', ')}).`
            : `${w.count.toLocaleString('en-US')} row${w.count === 1 ? '' : 's'} skipped: ${MESSAGES[reason] ?? reason} (first at line${w.lines.length > 1 ? 's' : ''} ${w.lines.join(', ')}).`,
    }));
  }

  /** The most frequent reason rows were skipped (notes only when nothing was skipped). */
  top(): ImportWarning | undefined {
    const all = this.list().sort((a, b) => b.count - a.count);
    return all.find((w) => !this.notesOnly.has(w.reason)) ?? all[0];
  }
}
