/**
 * V8's JSON.parse messages in Node 20 carry no position for many errors, and the issue asks to
 * name the line and column: this small scanner finds the first offending offset.
 */
export function locateJsonError(text: string): { offset: number; line: number; column: number; reason: string } {
  let i = 0;
  let reason = 'unexpected character';
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const fail = (r: string): never => {
    reason = r;
    throw new Error(r);
  };
  const str = () => {
    i++;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') i++;
      else if (c < ' ') fail('control character in string');
      i++;
    }
    fail('unterminated string');
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a property name in double quotes');
        str();
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
    if (!m) fail(i >= text.length ? 'unexpected end of input' : 'unexpected character');
    i += m![0].length;
  };
  try {
    value();
    ws();
    if (i < text.length) fail('unexpected text after the JSON value');
  } catch {
    // position is in i
  }
  const before = text.slice(0, i);
  const line = (before.match(/\n/g)?.length ?? 0) + 1;
  const column = i - before.lastIndexOf('\n');
  return { offset: i, line, column, reason };
}

/** How deep JSON may nest: far beyond real exports, well within what parsing and stringifying recurse through. */
export const MAX_JSON_DEPTH = 256;

/**
 * The first offset at which brackets nest deeper than `max` (outside strings), or -1. Checked
 * before parsing: V8 parses deep JSON fine, but what follows (stringifying a nested value into
 * a cell, locating a syntax error) recurses and overflows the stack.
 */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string, escapes included.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return -1;
}
