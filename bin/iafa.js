#!/usr/bin/env node
// Loads the built CLI. `npm install` builds it (prepare script); from a checkout without a
// build, run `npm run build` first.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const built = path.join(here, '..', 'out', 'main', 'cli.js');
if (!existsSync(built)) {
  process.stderr.write('iafa: the CLI is not built yet; run `npm run build` in the IAFA folder.\n');
  process.exit(1);
}
await import(pathToFileURL(built).href);
