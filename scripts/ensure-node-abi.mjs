#!/usr/bin/env node
// better-sqlite3 is a native module built for one ABI at a time. `npm start` and `npm run dist`
// rebuild it for Electron (electron-builder install-app-deps); the tests, the CLI and the server
// run under plain Node. This puts the Node build back when the Electron one is in place, so both
// kinds of command work from one checkout, in either order.
import { createRequire } from 'node:module';
import { execSync } from 'node:child_process';

const require = createRequire(import.meta.url);
const quiet = process.argv.includes('--quiet');

function loads() {
  try {
    const Database = require('better-sqlite3');
    new Database(':memory:').close();
    return null;
  } catch (e) {
    return e;
  }
}

const err = loads();
if (!err) {
  if (!quiet) console.log('better-sqlite3: Node build in place.');
  process.exit(0);
}
if (!/NODE_MODULE_VERSION|compiled against|invalid ELF|Could not locate the bindings|wrong ELF/i.test(String(err.message))) {
  console.error(`better-sqlite3 does not load: ${err.message}`);
  process.exit(1);
}
console.log('better-sqlite3 is built for another runtime (Electron); rebuilding it for Node…');
execSync('npm rebuild better-sqlite3', { stdio: 'inherit' });
const again = loads();
if (again) {
  console.error(`better-sqlite3 still does not load after the rebuild: ${again.message}`);
  process.exit(1);
}
console.log('better-sqlite3: Node build restored.');
