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
