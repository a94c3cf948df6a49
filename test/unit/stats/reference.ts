import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

const dir = path.resolve(__dirname, '../../fixtures/stats');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixture JSON is shaped by the Python/R scripts
export type Json = any;

export function loadReference(): Json {
  return JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8'));
}

export function loadPowerReference(): Json {
  return JSON.parse(fs.readFileSync(path.join(dir, 'power_reference.json'), 'utf8'));
}

/** |actual − expected| ≤ rel·|expected| + abs: relative for ordinary values, absolute near 0. */
export function close(actual: number, expected: number, rel = 1e-9, abs = 1e-300, label = ''): void {
  const tol = rel * Math.abs(expected) + abs;
  if (!(Math.abs(actual - expected) <= tol)) {
    expect.fail(`${label}: got ${actual}, expected ${expected} (diff ${Math.abs(actual - expected)}, tol ${tol})`);
  }
}
