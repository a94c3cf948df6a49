import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..', '..');

describe('the WebAssembly import kernel', () => {
  it('is committed as its AssemblyScript source compiles today', () => {
    // Throws (non-zero exit) when src/core/import/wasm/parse-wasm.ts is stale.
    const out = execFileSync(process.execPath, [path.join(root, 'scripts/build-wasm.mjs'), '--check'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toBe('');
  }, 60_000);
});

describe('a kernel that cannot hold a chunk', () => {
  it('stops with an error the chunk reader recognises (and then reads it in JavaScript)', async () => {
    const { newParseKernel, isKernelFailure } = await import('../../../src/core/import/wasm/kernel');
    const k = newParseKernel();
    k.configure(3, 0, 1, 2, 1, 44, 1024);
    let caught: unknown = null;
    try {
      k.reserve(1 << 29);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(Error);
    expect(isKernelFailure(caught)).toBe(true);
    expect(isKernelFailure(new Error('a bad row'))).toBe(false);
  });
});

describe("the kernel's memory", () => {
  it('grows without detaching the buffers already handed out (a detach slows every typed array in the thread)', async () => {
    const { newParseKernel } = await import('../../../src/core/import/wasm/kernel');
    const k = newParseKernel();
    k.configure(3, 0, 1, 2, 1, 44, 1024);
    const before = k.memory.buffer;
    const size = before.byteLength;
    k.reserve(1 << 20); // tens of megabytes: the memory must grow
    expect(k.memory.buffer.byteLength).toBeGreaterThan(size);
    // An ordinary WebAssembly memory would have detached `before` (its length now 0).
    expect(before.byteLength).toBe(size);
  });
});

describe("the first range's kept index", () => {
  it("gives the later ranges' ids their merged codes once, then lets the kernel go", async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const { parseChunk } = await import('../../../src/core/import/parse-chunk');
    const { matchLaterUsers } = await import('../../../src/core/import/parse-chunk-wasm');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-kept-'));
    try {
      // Range one: ids a0..a299 and some UUIDs; range two: half of them again, then new ones
      // (short, long, UUID-shaped), with an empty id in between.
      const uuid = (i: number) => `${String(i).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const first = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? uuid(i) : `a${i}`));
      const second = [...first.filter((_, i) => i % 2 === 0).reverse(), '', 'b-new', 'a-much-longer-identifier-than-sixteen-bytes', uuid(9999), first[1]];
      const header = 'user_id,ts,event\n';
      const rows = (ids: string[]) => ids.map((id, i) => `${id},${1_700_000_000 + i},view\n`).join('');
      const file = path.join(dir, 'log.csv');
      fs.writeFileSync(file, header + rows(first) + rows(second));
      const cut = Buffer.byteLength(header + rows(first));
      const base = {
        file,
        delim: ',',
        header: ['user_id', 'ts', 'event'],
        mapping: { user: 'user_id', time: 'ts', event: 'event', timeFormat: 'unix_s' as const },
      };
      // (Range two first: every parse lets go of what an earlier one kept, as a worker parses one range.)
      const two = parseChunk({ ...base, start: cut, end: fs.statSync(file).size }, () => {});
      const one = parseChunk({ ...base, start: header.length, end: cut, keepUsers: true }, () => {});
      const text = (d: typeof one.users, c: number) => Buffer.from(d.pool.buffer, d.pool.byteOffset + d.offs[c], d.lens[c]).toString('utf8');
      // What one dictionary filled with range one's ids, then range two's, gives.
      const codes = new Map<string, number>([['', 0]]);
      for (let c = 1; c < one.users.offs.length; c++) codes.set(text(one.users, c), c);
      for (let c = 1; c < two.users.offs.length; c++) if (!codes.has(text(two.users, c))) codes.set(text(two.users, c), codes.size);
      const maps = matchLaterUsers([two.users]);
      expect(maps).not.toBeNull();
      const got = Array.from(maps![0], (code, c) => [text(two.users, c), code]);
      expect(got).toEqual(Array.from({ length: two.users.offs.length }, (_, c) => [text(two.users, c), codes.get(text(two.users, c))]));
      expect(codes.size).toBe(first.length + 4);
      // Asked again (or by a thread that kept nothing): null, the kernel is no longer held.
      expect(matchLaterUsers([two.users])).toBeNull();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
