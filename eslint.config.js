import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = ['fs', 'path', 'os', 'crypto', 'child_process', 'worker_threads', 'http', 'net', 'url', 'stream', 'util'];

export default tseslint.config(
  {
    ignores: [
      'src/core/import/wasm/assembly/**',
      'bench/.data/**',
      'out/**',
      'dist/**',
      'node_modules/**',
      'test-results/**',
      'drizzle/**',
      'docs/examples/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The engine, the contract, the server and the CLI run under plain Node: Electron stays in the shell.
    files: ['src/core/**', 'src/shared/**', 'src/server/**', 'src/cli/**', 'src/renderer/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only src/main and src/preload may import electron.' }] }],
    },
  },
  {
    // The contract is imported by the renderer and the preload: no Node, DOM or Electron.
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', ...nodeBuiltins],
          patterns: [{ group: ['node:*'], message: 'src/shared must not depend on Node.' }],
        },
      ],
    },
  },
);
