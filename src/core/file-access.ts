import fs from 'node:fs';
import path from 'node:path';
import { IafaError, type CallName } from '../shared/contract';

/**
 * Which files a shell lets a call read. The CLI reads what its user names on the command line;
 * `iafa serve` only its uploads folder and the folders listed with --allow-dir; the desktop app
 * only files the user picked or dropped. The engine itself trusts its caller, so each shell
 * checks paths before dispatching.
 */
export interface FileAccess {
  /** The real path to read, or an IafaError that says nothing about whether `p` exists. */
  resolve(p: string): string;
}

/**
 * The real path, symlinks and `..` resolved, even for a path that does not exist yet: the
 * deepest existing ancestor is resolved and the rest appended, so a missing file behind a
 * symlinked folder is judged by where it would really be.
 */
export function realPath(p: string): string {
  const abs = path.resolve(p);
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(cur), ...rest.reverse());
    } catch {
      const up = path.dirname(cur);
      if (up === cur) return abs;
      rest.push(path.basename(cur));
      cur = up;
    }
  }
}

function inside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Files under these folders (resolved once, at start), and nothing else. */
export function folderAccess(dirs: string[], hint: string): FileAccess {
  const roots = [...new Set(dirs.filter(Boolean).map(realPath))];
  return {
    resolve(p) {
      const real = realPath(p);
      if (roots.some((r) => inside(real, r))) return real;
      // One message whatever is at the path, so a refusal never tells a file from a folder or nothing.
      throw new IafaError('validation', `${p} is outside the folders this server may read. ${hint}`, { reason: 'path_not_allowed' });
    },
  };
}

/** Exactly the files granted (picked in a dialog or dropped on the window). */
export class GrantedFiles implements FileAccess {
  private granted = new Set<string>();

  grant(p: string): void {
    if (p) this.granted.add(realPath(p));
  }

  resolve(p: string): string {
    const real = realPath(p);
    if (this.granted.has(real)) return real;
    throw new IafaError('validation', `IAFA opens only files you pick or drop on the window; choose ${path.basename(p)} again.`, {
      reason: 'path_not_allowed',
    });
  }
}

/** The word the import calls take for the shipped sample; it names no file of the caller's. */
const SAMPLE = 'sample';

/** The input fields that name files, per call. */
const PATH_FIELDS: Partial<Record<CallName, string[]>> = {
  'datasets:preview': ['path'],
  'datasets:import': ['path'],
  'experiment:analyze': ['file', 'control_file', 'treatment_file'],
  'experiment:causal': ['file', 'control_file', 'treatment_file'],
  // Fields that hold paths one level down: handled below (the list says the call has paths).
  'datasets:join-preview': [],
  'reports:generate': [],
};

/**
 * Checks every file path in a call's input and returns the input with the real paths, so what is
 * read is what was checked (a symlink swapped afterwards cannot redirect the read).
 */
export function checkCallPaths(name: CallName | string, input: unknown, access: FileAccess): unknown {
  const fields = PATH_FIELDS[name as CallName];
  if (!fields || !input || typeof input !== 'object') return input;
  // `sample` names the shipped sample only for the import calls; elsewhere it would be a relative path.
  const sampleOk = name === 'datasets:preview' || name === 'datasets:import';
  const one = (p: unknown) => (typeof p === 'string' && !(sampleOk && p === SAMPLE) ? access.resolve(p) : p);
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const f of fields) if (out[f] !== undefined) out[f] = one(out[f]);
  // An import's extra files (`also`: a second file of a two-file funnel, one file per variant).
  if (name === 'datasets:import' && Array.isArray(out.also)) {
    out.also = out.also.map((f) => (f && typeof f === 'object' ? { ...f, path: one((f as { path?: unknown }).path) } : f));
  }
  // The files a join is previewed over, and a report's experiment (read through experiment:analyze
  // inside the engine, past this check otherwise).
  if (name === 'datasets:join-preview' && Array.isArray(out.paths)) out.paths = out.paths.map(one);
  if (name === 'reports:generate' && out.experiment && typeof out.experiment === 'object')
    out.experiment = checkCallPaths('experiment:analyze', out.experiment, access);
  return out;
}

/**
 * The embedded provider loads a GGUF file by path: the one in Settings, or a per-call `model`
 * when the call's provider is embedded. The server checks those like data files (the desktop app
 * and the CLI take the path from their user).
 */
export function checkModelPaths(name: CallName | string, input: unknown, configuredProvider: string, access: FileAccess): unknown {
  if (!input || typeof input !== 'object') return input;
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  if (name === 'settings:update') {
    const llm = out.llm as { embeddedModelPath?: unknown } | undefined;
    if (llm && typeof llm.embeddedModelPath === 'string' && llm.embeddedModelPath !== '') {
      out.llm = { ...llm, embeddedModelPath: access.resolve(llm.embeddedModelPath) };
    }
    return out;
  }
  for (const key of ['options', 'llm']) {
    const o = out[key] as { provider?: unknown; model?: unknown } | undefined;
    if (!o || typeof o !== 'object' || typeof o.model !== 'string' || o.model === '') continue;
    if ((o.provider ?? configuredProvider) === 'embedded') out[key] = { ...o, model: access.resolve(o.model) };
  }
  return out;
}
