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
  const re =
    /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;
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
        importedModules(fs.readFileSync(f, 'utf8')).some(
          (m) => m === 'electron' || m.startsWith('electron/') || m.includes('/main/') || m.includes('/preload/'),
        ),
      );
      expect(offenders.map((f) => path.relative(root, f))).toEqual([]);
    });
  }

  it('src/shared (the contract) imports neither Node nor the DOM-only modules', () => {
    const offenders = sourceFiles(path.join(root, 'src/shared')).flatMap((f) =>
      importedModules(fs.readFileSync(f, 'utf8'))
        .filter((m) => m.startsWith('node:') || ['fs', 'path', 'os', 'crypto', 'child_process', 'http'].includes(m))
        .map((m) => `${path.relative(root, f)}: ${m}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the version constant matches package.json', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const { IAFA_VERSION } = await import('../../src/core/version');
    expect(IAFA_VERSION).toBe(pkg.version);
  });
});

/** A file's imports with the names they bind ('*' for a namespace or default import). */
function importsOf(code: string): { spec: string; names: string[] }[] {
  const out: { spec: string; names: string[] }[] = [];
  const re = /(?:import|export)\s+(?:type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;
  for (const m of code.matchAll(re)) {
    if (m[2] === undefined) {
      out.push({ spec: (m[3] ?? m[4])!, names: ['*'] });
      continue;
    }
    const braces = /\{([^}]*)\}/.exec(m[1]);
    const names = braces
      ? braces[1]
          .split(',')
          .map(
            (n) =>
              n
                .trim()
                .replace(/^type\s+/, '')
                .split(/\s+as\s+/)[0],
          )
          .filter(Boolean)
      : [];
    if (!braces || /^\s*[\w$*]/.test(m[1].replace(/\{[^}]*\}/, '').replace(/^\s*,/, ''))) names.push('*');
    out.push({ spec: m[2], names });
  }
  return out;
}

/** A relative import's file (repository-relative), or null for a package. */
function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = path.resolve(path.dirname(path.join(root, from)), spec);
  for (const c of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')])
    if (fs.existsSync(c) && fs.statSync(c).isFile()) return path.relative(root, c);
  return null;
}

const rel = (f: string) => path.relative(root, f);
const graph = new Map(
  sourceFiles(path.join(root, 'src')).map((f) => [rel(f), importsOf(fs.readFileSync(f, 'utf8')).map((i) => ({ ...i, file: resolveImport(rel(f), i.spec) }))]),
);

/** The column store: where its types and class live, and the import helper it uses. */
const STORE = new Set(['src/core/store-types.ts', 'src/core/import/store.ts']);
/** What the import folder's index re-exports of the store. */
const STORE_NAMES = new Set(['ColumnStore', 'StoreCache', 'StoreManifest', 'AggregatedData', 'Codes', '*']);

/** The funnel engine: the modules of funnel/ that read columns, directly or through another module of funnel/. */
function funnelEngine(): Set<string> {
  const engine = new Set<string>();
  const funnel = [...graph.keys()].filter((f) => f.startsWith('src/core/funnel/'));
  for (let changed = true; changed;) {
    changed = false;
    for (const f of funnel) {
      if (engine.has(f)) continue;
      if (graph.get(f)!.some((i) => i.file !== null && (STORE.has(i.file) || engine.has(i.file)))) {
        engine.add(f);
        changed = true;
      }
    }
  }
  return engine;
}

/** Modules that reach a dataset's rows directly, by which import; empty when all go through a backend. */
function directStoreUses(file: string, engine: Set<string>): string[] {
  return graph.get(file)!.flatMap((i) => {
    if (i.file === null) return [];
    if (STORE.has(i.file) || engine.has(i.file)) return [`${file} imports ${i.spec}`];
    if (i.file === 'src/core/import/index.ts' && i.names.some((n) => STORE_NAMES.has(n)))
      return [`${file} imports ${i.names.filter((n) => STORE_NAMES.has(n)).join(', ')} from ${i.spec}`];
    return [];
  });
}

/**
 * Reads of the store still to move behind the backend on another branch: each entry must still be
 * needed (a stale one fails too, so it is removed when that branch lands).
 */
const PENDING: Record<string, string> = {};

describe('the backend seam', () => {
  const engine = funnelEngine();

  it('the scanner sees the funnel engine and the store (so the checks below can fail)', () => {
    expect(engine).toContain('src/core/funnel/pass.ts');
    expect(engine).toContain('src/core/funnel/event-funnel.ts');
    expect(engine).toContain('src/core/funnel/index.ts');
    // Pure helpers shared with the ClickHouse backend are not the engine.
    expect(engine).not.toContain('src/core/funnel/time.ts');
    expect(directStoreUses('src/core/backends/local/index.ts', engine).length).toBeGreaterThan(0);
    expect(importsOf("import { importFiles, type ColumnStore } from '../import';")[0].names).toEqual(['importFiles', 'ColumnStore']);
    expect(importsOf("import * as imp from '../import';")[0].names).toEqual(['*']);
  });

  it('services, the CLI, the server, insights, reports and experiments reach datasets only through a backend', () => {
    const guarded = ['src/core/services/', 'src/cli/', 'src/server/', 'src/core/insights/', 'src/core/reports/', 'src/core/experiments/'];
    const files = [...graph.keys()].filter((f) => guarded.some((g) => f.startsWith(g)));
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.filter((f) => !(f in PENDING)).flatMap((f) => directStoreUses(f, engine));
    expect(offenders).toEqual([]);
    const stale = Object.keys(PENDING).filter((f) => directStoreUses(f, engine).length === 0);
    expect(stale, 'these no longer read the store directly: remove them from PENDING').toEqual([]);
  });

  it('import/ and funnel/ do not import each other', () => {
    const arrows = [...graph].flatMap(([f, imports]) =>
      imports
        .filter(
          (i) =>
            i.file !== null &&
            ((f.startsWith('src/core/import/') && i.file.startsWith('src/core/funnel/')) ||
              (f.startsWith('src/core/funnel/') && i.file.startsWith('src/core/import/'))),
        )
        .map((i) => `${f} -> ${i.file}`),
    );
    expect(arrows).toEqual([]);
  });
});

/** The modules a file loads at run time: its value imports (type-only ones are erased), followed through the repository. */
function loadedModules(entry: string): Set<string> {
  const seen = new Set<string>();
  const walk = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    const code = fs.readFileSync(path.join(root, f), 'utf8');
    const re = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/g;
    for (const m of code.matchAll(re)) {
      const braces = /^\{([^}]*)\}$/.exec(m[2].trim());
      const typeOnly = m[1] !== undefined || (braces !== null && braces[1].split(',').every((n) => !n.trim() || /^type\s/.test(n.trim())));
      if (typeOnly) continue;
      const file = resolveImport(f, m[3]);
      if (file) walk(file);
      else seen.add(m[3]);
    }
  };
  walk(entry);
  return seen;
}

describe('worker threads start light', () => {
  // A parse worker is on the import's critical path: loading zod and the whole contract there
  // once cost ~100 ms of every large import (each worker built every schema before parsing).
  const entries = ['src/core/import/parse-worker.ts', 'src/core/backends/local/pass-worker.ts'];

  it('the walk sees a module that loads the contract (so the check below can fail)', () => {
    expect(loadedModules('src/core/import/importer.ts')).toContain('zod');
  });

  for (const entry of entries) {
    it(`${entry} loads neither zod nor the contract's schemas`, () => {
      const loaded = [...loadedModules(entry)];
      expect(loaded.filter((m) => m === 'zod' || (m.startsWith('src/shared/contract/') && !m.endsWith('iafa-error.ts')))).toEqual([]);
    });
  }
});
