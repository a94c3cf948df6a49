import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The workplace's shared folder sits beside the repository (../shared), wherever the clone is:
// never an absolute path, so a clone in another folder (CI) finds its own copy.
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED_DIR = process.env.IAFA_SHARED_DIR ?? path.resolve(REPO, '..', 'shared');
export const SHARED_DATA = process.env.IAFA_SHARED_DATA ?? path.join(SHARED_DIR, 'data');
export const SHARED_MODELS = process.env.IAFA_TEST_MODELS_DIR ?? path.join(SHARED_DIR, 'models');
export const HAS_SHARED_DATA = existsSync(SHARED_DATA);
/** Why a test that needs the shared data is skipped (printed by `describe.skipIf` callers). */
export const NO_SHARED_DATA = `no shared data folder at ${SHARED_DATA} (set IAFA_SHARED_DIR)`;

export function sharedData(name: string): string {
  return path.join(SHARED_DATA, name);
}
