import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/core/services';
import { readOpenAiKey } from '../../src/core/services/settings';
import { encryptedFileStore, type Cipher } from '../../src/core/secrets';
import { tempDir } from '../helpers/engine';

const KEY = 'sk-test-0123456789abcdef-secret';

/** Every byte under the data folder, to prove a secret is not in any of them. */
function allBytes(dir: string): string {
  let out = '';
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const f = path.join(e.parentPath, e.name);
    if (e.isFile()) out += fs.readFileSync(f).toString('latin1');
  }
  return out;
}

const mode = (f: string) => fs.statSync(f).mode & 0o777;

function engineIn(dataDir: string, env: NodeJS.ProcessEnv = {}) {
  return createEngine({ dataDir: path.join(dataDir, 'data'), env });
}

/** A stand-in for `secret-tool` (libsecret's CLI): keeps secrets in a file outside the data folder, keyed by the attributes. */
function fakeSecretTool(root: string): { bin: string; vault: string } {
  const bin = path.join(root, 'bin');
  const vault = path.join(root, 'vault');
  fs.mkdirSync(bin, { recursive: true });
  fs.mkdirSync(vault, { recursive: true });
  const script = `#!/bin/sh
cmd="$1"; shift
if [ "$cmd" = store ]; then shift; fi
key=$(printf '%s_' "$@" | tr -c 'A-Za-z0-9_' '_')
case "$cmd" in
  store) cat > "${vault}/$key" ;;
  lookup) [ -f "${vault}/$key" ] || exit 1; cat "${vault}/$key" ;;
  clear) rm -f "${vault}/$key" ;;
esac
`;
  fs.writeFileSync(path.join(bin, 'secret-tool'), script, { mode: 0o755 });
  return { bin, vault };
}

describe('the OpenAI key is never stored in plain text in the database', () => {
  it('without an OS secret store: a 0600 file, a warning in Settings, nothing in the database; folder 0700, files 0600', async () => {
    const root = tempDir('iafa-secrets-');
    const engine = engineIn(root, { PATH: '/nonexistent' });
    try {
      const dataDir = engine.app.dataDir;
      const view = await engine.dispatch('settings:update', { openaiApiKey: KEY });
      expect(view.openaiApiKeySet).toBe(true);
      expect(view.secrets).toMatchObject({ store: 'file', keySource: 'stored' });
      expect(view.secrets.warning).toMatch(/0600|plain/i);
      expect(readOpenAiKey(engine.app)).toBe(KEY);
      engine.app.db.$client.pragma('wal_checkpoint(TRUNCATE)');
      const files = fs.readdirSync(dataDir, { recursive: true }) as string[];
      const holding = files.filter((f) => fs.statSync(path.join(dataDir, f)).isFile() && fs.readFileSync(path.join(dataDir, f)).includes(KEY));
      expect(holding).toHaveLength(1);
      expect(holding[0]).not.toMatch(/sqlite/);
      expect(mode(path.join(dataDir, holding[0]))).toBe(0o600);
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(path.join(dataDir, 'iafa.sqlite'))).toBe(0o600);
      await engine.dispatch('settings:update', { openaiApiKey: '' });
      expect(allBytes(dataDir)).not.toContain(KEY);
      expect((await engine.dispatch('settings:get', {})).openaiApiKeySet).toBe(false);
    } finally {
      engine.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('with secret-tool on PATH and a session bus: the OS secret store, nothing in the data folder', async () => {
    const root = tempDir('iafa-secrets-');
    const tool = fakeSecretTool(root);
    const engine = engineIn(root, { PATH: `${tool.bin}:/usr/bin:/bin`, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' });
    try {
      const view = await engine.dispatch('settings:update', { openaiApiKey: KEY });
      expect(view.secrets).toMatchObject({ store: 'os-keyring', warning: null });
      expect(allBytes(engine.app.dataDir)).not.toContain(KEY);
      expect(allBytes(tool.vault)).toContain(KEY);
      expect(readOpenAiKey(engine.app)).toBe(KEY);
    } finally {
      engine.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('from IAFA_OPENAI_API_KEY (or OPENAI_API_KEY): used, never stored', async () => {
    const root = tempDir('iafa-secrets-');
    const engine = engineIn(root, { PATH: '/nonexistent', IAFA_OPENAI_API_KEY: KEY });
    try {
      const view = await engine.dispatch('settings:get', {});
      expect(view.openaiApiKeySet).toBe(true);
      expect(view.secrets.keySource).toBe('env');
      expect(readOpenAiKey(engine.app)).toBe(KEY);
      expect(allBytes(engine.app.dataDir)).not.toContain(KEY);
    } finally {
      engine.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
    const other = engineIn(tempDir('iafa-secrets-'), { PATH: '/nonexistent', OPENAI_API_KEY: 'sk-other' });
    try {
      expect(readOpenAiKey(other.app)).toBe('sk-other');
    } finally {
      other.close();
    }
  });

  it('a plain key left in the database by an older version moves to the secret store at start', async () => {
    const root = tempDir('iafa-secrets-');
    const first = engineIn(root, { PATH: '/nonexistent' });
    first.app.db.$client.prepare("INSERT INTO settings (key, value_json, updated_at) VALUES ('secret.openaiApiKey', ?, '2026-01-01')").run(JSON.stringify(KEY));
    first.close();
    const engine = engineIn(root, { PATH: '/nonexistent' });
    try {
      expect(readOpenAiKey(engine.app)).toBe(KEY);
      engine.app.db.$client.pragma('wal_checkpoint(TRUNCATE)');
      for (const f of fs.readdirSync(engine.app.dataDir).filter((n) => n.startsWith('iafa.sqlite'))) {
        expect(fs.readFileSync(path.join(engine.app.dataDir, f)).includes(KEY), f).toBe(false);
      }
    } finally {
      engine.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('an encrypting store (Electron safeStorage behind the Cipher interface)', () => {
  it('keeps only ciphertext on disk, 0600', () => {
    const dir = tempDir('iafa-enc-');
    const cipher: Cipher = {
      available: () => true,
      encrypt: (s) => Buffer.from(s, 'utf8').map((b) => b ^ 0x5a) as Buffer,
      decrypt: (b) => Buffer.from(b.map((x) => x ^ 0x5a)).toString('utf8'),
    };
    try {
      const store = encryptedFileStore(dir, cipher, 'electron-safe-storage');
      store.set('openai-api-key', KEY);
      expect(encryptedFileStore(dir, cipher, 'electron-safe-storage').get('openai-api-key')).toBe(KEY);
      expect(allBytes(dir)).not.toContain(KEY);
      const file = fs
        .readdirSync(dir, { recursive: true })
        .map(String)
        .find((f) => fs.statSync(path.join(dir, f)).isFile())!;
      expect(mode(path.join(dir, file))).toBe(0o600);
      expect(store.warning).toBeNull();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
