import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|tsx|mts|cts|js|mjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Static and dynamic imports and requires, including type-only ones. */
function importedModules(code: string): string[] {
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;
  const mods: string[] = [];
  for (const m of code.matchAll(re)) mods.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
  return mods;
}

describe('layering', () => {
  it('the scanner sees electron imports (so the checks below can fail)', () => {
    expect(importedModules("import { app } from 'electron';\nconst x = require('electron');")).toEqual(['electron', 'electron']);
    const main = fs.readFileSync(path.join(root, 'src/main/index.ts'), 'utf8');
    expect(importedModules(main)).toContain('electron');
  });

  for (const layer of ['src/core', 'src/shared', 'src/server', 'src/cli']) {
    it(`${layer} never imports electron`, () => {
      const offenders = sourceFiles(path.join(root, layer)).filter((f) =>
        importedModules(fs.readFileSync(f, 'utf8')).some((m) => m === 'electron' || m.startsWith('electron/') || m.includes('/main/') || m.includes('/preload/')),
      );
      expect(offenders.map((f) => path.relative(root, f))).toEqual([]);
    });
  }

  it('src/shared (the contract) imports neither Node nor the DOM-only modules', () => {
    const offenders = sourceFiles(path.join(root, 'src/shared')).flatMap((f) =>
      importedModules(fs.readFileSync(f, 'utf8')).filter((m) => m.startsWith('node:') || ['fs', 'path', 'os', 'crypto', 'child_process', 'http'].includes(m)).map((m) => `${path.relative(root, f)}: ${m}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the version constant matches package.json', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const { IAFA_VERSION } = await import('../../src/core/version');
    expect(IAFA_VERSION).toBe(pkg.version);
  });
});
