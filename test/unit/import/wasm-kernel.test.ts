import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..', '..');

describe('the WebAssembly import kernel', () => {
  it('is committed as its AssemblyScript source compiles today', () => {
    // Throws (non-zero exit) when src/core/import/wasm/parse-wasm.ts is stale.
    const out = execFileSync(process.execPath, [path.join(root, 'scripts/build-wasm.mjs'), '--check'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toBe('');
  }, 60_000);
});
