import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkCallPaths, folderAccess, GrantedFiles, realPath } from '../../../src/core/file-access';
import { tempDir } from '../../helpers/engine';

const root = tempDir('iafa-access-');
const picked = path.join(root, 'picked.csv');
const other = path.join(root, 'other.csv');
fs.writeFileSync(picked, 'a\n1\n');
fs.writeFileSync(other, 'a\n2\n');
fs.symlinkSync(other, path.join(root, 'alias.csv'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('the desktop app opens only files the user picked or dropped', () => {
  it('allows a granted file, by any spelling of its real path, and nothing else', () => {
    const g = new GrantedFiles();
    expect(() => g.resolve(picked)).toThrow(/pick or drop/);
    g.grant(picked);
    expect(g.resolve(picked)).toBe(realPath(picked));
    expect(g.resolve(path.join(root, '.', 'x', '..', 'picked.csv'))).toBe(realPath(picked));
    expect(() => g.resolve(other)).toThrow(/pick or drop/);
    expect(() => g.resolve(path.join(root, 'alias.csv'))).toThrow(/pick or drop/);
  });

  it('checks the main path and every extra file of an import, and leaves the sample and other calls alone', () => {
    const g = new GrantedFiles();
    g.grant(picked);
    expect(checkCallPaths('datasets:import', { path: picked, also: [{ path: picked }] }, g)).toEqual({
      path: realPath(picked),
      also: [{ path: realPath(picked) }],
    });
    expect(() => checkCallPaths('datasets:import', { path: picked, also: [{ path: '/etc/passwd' }] }, g)).toThrow(/pick or drop/);
    expect(() => checkCallPaths('datasets:preview', { path: '/etc/passwd' }, g)).toThrow(/pick or drop/);
    expect(checkCallPaths('datasets:import', { path: 'sample' }, g)).toEqual({ path: 'sample' });
    expect(checkCallPaths('datasets:list', { path: '/etc/passwd' }, g)).toEqual({ path: '/etc/passwd' });
    // Only the import calls know the word; for an experiment file it would be a relative path.
    expect(() => checkCallPaths('experiment:analyze', { file: 'sample' }, g)).toThrow(/pick or drop/);
    expect(checkCallPaths('experiment:causal', { control_file: picked, treatment_file: picked }, g)).toEqual({
      control_file: realPath(picked),
      treatment_file: realPath(picked),
    });
    // Paths one level down: a join preview's files and a report's experiment file.
    expect(checkCallPaths('datasets:join-preview', { paths: [picked, picked] }, g)).toEqual({ paths: [realPath(picked), realPath(picked)] });
    expect(() => checkCallPaths('datasets:join-preview', { paths: [picked, '/etc/passwd'] }, g)).toThrow(/pick or drop/);
    expect(() => checkCallPaths('reports:generate', { audience: 'executive', experiment: { file: '/etc/passwd', variant_column: 'a' } }, g)).toThrow(
      /pick or drop/,
    );
    expect(checkCallPaths('reports:generate', { experiment: { control_file: picked } }, g)).toEqual({ experiment: { control_file: realPath(picked) } });
  });
});

describe('folder access', () => {
  it('resolves a missing file behind a symlinked folder to where it would really be', () => {
    const inside = path.join(root, 'in');
    fs.mkdirSync(inside);
    fs.symlinkSync('/etc', path.join(inside, 'etc'));
    const a = folderAccess([inside], '');
    expect(() => a.resolve(path.join(inside, 'etc', 'no-such-file'))).toThrow(/outside the folders/);
    expect(() => a.resolve(path.join(inside, 'etc', 'passwd'))).toThrow(/outside the folders/);
    expect(a.resolve(path.join(inside, 'new.csv'))).toBe(path.join(realPath(inside), 'new.csv'));
  });
});
