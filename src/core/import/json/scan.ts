import { MAX_JSON_DEPTH } from '../json-errors';
import { emitValue, Fields, PathTable, Scratch } from './fields';

const QUOTE = 34;
const BACKSLASH = 92;

/** Thrown (one shared instance) when a record runs past the bytes at hand: the caller reads more. */
export const INCOMPLETE = { incomplete: true };

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    /** Set when the JSON is well formed but nests too deep to flatten ('too_deep'). */
    readonly reason?: string,
  ) {
    super(message);
  }
}

/**
 * Reads one JSON object straight from bytes into flat fields (dotted paths), without JSON.parse
 * and without a string per value: string values are byte ranges of the input (copied only when
 * they hold escapes). Nested objects become dotted paths; key/value lists (GA4's event_params)
 * one property per key; other arrays are kept as their JSON text.
 */
export class JsonFlattener {
  fields = new Fields();
  scratch = new Scratch();
  private buf: Uint8Array = new Uint8Array(0);
  private end = 0;
  /**
   * The keys of the previous record, in order: events of one export repeat the same keys in the
   * same order, so the k-th key is usually the previous record's k-th key, found by comparing
   * its bytes (no hashing, no table).
   */
  private keyNo = 0;
  private keyParent = new Int32Array(256).fill(-1);
  private keyPath = new Int32Array(256);
  private keyLen = new Int32Array(256);
  private keyBytes = new Uint8Array(256 * 32);
  /** Objects open around the current value: past MAX_JSON_DEPTH, the recursion (and JSON.stringify of an array) would overflow the stack. */
  private depth = 0;

  /**
   * Paths whose string values hold a JSON object (a warehouse dump's `properties` column
   * exported as text): such a value is read as a nested object instead of kept as text.
   */
  private objectStrings: Set<string> | null = null;
  private isObjectString = new Int8Array(0);

  constructor(readonly paths: PathTable) {}

  setObjectStrings(names: Iterable<string>): void {
    const s = new Set(names);
    this.objectStrings = s.size ? s : null;
    this.isObjectString = new Int8Array(0);
  }

  private objectString(path: number): boolean {
    if (path >= this.isObjectString.length) {
      const next = new Int8Array(Math.max(64, this.paths.size * 2)).fill(-1);
      next.set(this.isObjectString);
      this.isObjectString = next;
    }
    let v = this.isObjectString[path];
    if (v < 0) v = this.isObjectString[path] = this.objectStrings!.has(this.paths.names[path]) ? 1 : 0;
    return v === 1;
  }

  /** Reads the object at buf[p] (which must be '{'); returns the offset after it. Throws INCOMPLETE or JsonSyntaxError. */
  record(buf: Uint8Array, p: number, end: number): number {
    this.buf = buf;
    this.end = end;
    this.fields.n = 0;
    this.keyNo = 0;
    this.depth = 0;
    this.scratch.reset();
    return this.object(p, 0);
  }

  /** Reads the object at buf[p] into the current fields, under `parent` (a JSON cell of a CSV row). */
  append(buf: Uint8Array, p: number, end: number, parent: number): number {
    this.buf = buf;
    this.end = end;
    this.depth = 0;
    return this.object(p, parent);
  }

  private key(parent: number, ks: number, ke: number): number {
    const k = this.keyNo++;
    const len = ke - ks;
    const b = this.buf;
    if (k < 256 && len <= 32) {
      if (this.keyParent[k] === parent && this.keyLen[k] === len) {
        const kb = this.keyBytes;
        const o = k * 32;
        let i = 0;
        while (i < len && kb[o + i] === b[ks + i]) i++;
        if (i === len) return this.keyPath[k];
      }
      const id = this.paths.child(parent, b, ks, ke);
      this.keyParent[k] = parent;
      this.keyLen[k] = len;
      this.keyPath[k] = id;
      this.keyBytes.set(b.subarray(ks, ke), k * 32);
      return id;
    }
    return this.paths.child(parent, b, ks, ke);
  }

  private ws(p: number): number {
    const b = this.buf;
    const end = this.end;
    while (p < end) {
      const c = b[p];
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return p;
      p++;
    }
    throw INCOMPLETE;
  }

  private fail(msg: string, p: number): never {
    throw new JsonSyntaxError(msg, p);
  }

  private tooDeep(p: number): never {
    throw new JsonSyntaxError(`nested more than ${MAX_JSON_DEPTH} levels deep`, p, 'too_deep');
  }

  private object(p: number, path: number): number {
    if (++this.depth > MAX_JSON_DEPTH) this.tooDeep(p);
    const b = this.buf;
    p = this.ws(p + 1);
    if (b[p] === 125) {
      this.depth--;
      return p + 1;
    }
    for (;;) {
      if (b[p] !== QUOTE) this.fail('expected a property name in double quotes', p);
      const ks = p + 1;
      const ke = this.stringEnd(ks);
      let child: number;
      if (ke < 0) {
        const [sb, ss, se] = this.unescape(ks);
        child = this.paths.child(path, sb, ss, se);
        p = this.stringEnd(ks, true) + 1;
      } else {
        child = this.key(path, ks, ke);
        p = ke + 1;
      }
      p = this.ws(p);
      if (b[p] !== 58) this.fail("expected ':'", p);
      p = this.value(this.ws(p + 1), child);
      p = this.ws(p);
      const c = b[p];
      if (c === 44) {
        p = this.ws(p + 1);
        continue;
      }
      if (c === 125) {
        this.depth--;
        return p + 1;
      }
      this.fail("expected ',' or '}'", p);
    }
  }

  /**
   * End of the string starting at s (the byte after the quote): the closing quote's offset, or
   * -1 when it holds an escape (unless `raw`, which returns the offset anyway).
   */
  private stringEnd(s: number, raw = false): number {
    const b = this.buf;
    const end = this.end;
    let esc = false;
    for (let p = s; p < end; p++) {
      const c = b[p];
      if (c === QUOTE) return esc && !raw ? -1 : p;
      if (c === BACKSLASH) {
        esc = true;
        p++;
      } else if (c < 32) this.fail('control character in string', p);
    }
    throw INCOMPLETE;
  }

  private unescape(s: number): [Uint8Array, number, number] {
    const e = this.stringEnd(s, true);
    const text = Buffer.from(this.buf.buffer, this.buf.byteOffset + s - 1, e - s + 2).toString('utf8');
    let v: string;
    try {
      v = JSON.parse(text) as string;
    } catch {
      this.fail('bad escape in string', s);
    }
    return this.scratch.write(v);
  }

  private value(p: number, path: number): number {
    const b = this.buf;
    const c = b[p];
    if (c === QUOTE) {
      const e = this.stringEnd(p + 1);
      if (e >= 0) {
        if (e > p + 1) this.fields.push(path, b, p + 1, e);
        return e + 1;
      }
      const [sb, ss, se] = this.unescape(p + 1);
      const after = this.stringEnd(p + 1, true) + 1;
      if (this.objectStrings && sb[ss] === 123 && this.objectString(path)) {
        const before = this.fields.n;
        const { buf, end, depth } = this;
        try {
          this.buf = sb;
          this.end = se;
          this.object(ss, path);
          return after;
        } catch {
          // Not a whole object after all: kept as its text.
          this.fields.n = before;
        } finally {
          this.buf = buf;
          this.end = end;
          this.depth = depth;
        }
      }
      if (se > ss) this.fields.push(path, sb, ss, se);
      return after;
    }
    if (c === 123) return this.object(p, path);
    if (c === 91) return this.array(p, path);
    if (c === 110) return this.literal(p, 'null', path, false);
    if (c === 116) return this.literal(p, 'true', path, true);
    if (c === 102) return this.literal(p, 'false', path, true);
    if (c === 45 || (c >= 48 && c <= 57)) {
      const end = this.end;
      let q = p + 1;
      while (q < end) {
        const d = b[q];
        if ((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45) q++;
        else break;
      }
      if (q === end) throw INCOMPLETE;
      this.fields.push(path, b, p, q);
      return q;
    }
    this.fail('unexpected character', p);
  }

  private literal(p: number, word: string, path: number, keep: boolean): number {
    if (p + word.length > this.end) throw INCOMPLETE;
    for (let i = 0; i < word.length; i++) if (this.buf[p + i] !== word.charCodeAt(i)) this.fail('unexpected character', p + i);
    if (keep) this.fields.push(path, this.buf, p, p + word.length);
    return p + word.length;
  }

  /** Arrays are rare in event exports: found by bracket matching, then read with JSON.parse. */
  private array(p: number, path: number): number {
    const b = this.buf;
    const end = this.end;
    let depth = 0;
    let q = p;
    for (; q < end; q++) {
      const c = b[q];
      if (c === QUOTE) q = this.stringEnd(q + 1, true);
      else if (c === 91 || c === 123) {
        if (++depth + this.depth > MAX_JSON_DEPTH) this.tooDeep(q);
      } else if (c === 93 || c === 125) {
        if (--depth === 0) break;
      }
    }
    if (q >= end) throw INCOMPLETE;
    const text = Buffer.from(b.buffer, b.byteOffset + p, q + 1 - p).toString('utf8');
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      this.fail('malformed array', p);
    }
    emitValue(this.paths, this.fields, this.scratch, path, v);
    return q + 1;
  }
}
