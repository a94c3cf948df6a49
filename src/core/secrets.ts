import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { IafaError } from '../shared/contract';

/**
 * Where secrets (the OpenAI API key) live: never in the database. The desktop app encrypts them
 * with Electron's safeStorage (the OS keychain's key); `iafa serve` and the CLI use the OS secret
 * store where there is one (libsecret's `secret-tool` on Linux), else a 0600 file, and say so.
 */
export type SecretStoreKind = 'electron-safe-storage' | 'os-keyring' | 'file';

export interface SecretStore {
  readonly kind: SecretStoreKind;
  /** Shown in Settings when the store is weaker than the OS keychain. */
  readonly warning: string | null;
  /** '' when unset. */
  get(name: string): string;
  /** '' removes it. */
  set(name: string, value: string): void;
}

/** Encryption by the OS (Electron's safeStorage); core never imports electron. */
export interface Cipher {
  available(): boolean;
  encrypt(plain: string): Buffer;
  decrypt(data: Buffer): string;
}

export function secretsDir(dataDir: string): string {
  return path.join(dataDir, 'secrets');
}

function safeName(name: string): string {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`Bad secret name "${name}".`);
  return name;
}

/** Writes via a temp file and rename, created 0600 so the secret is never readable by others, even briefly. */
function writePrivate(file: string, data: Buffer | string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function readOrEmpty(file: string): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch {
    return null;
  }
}

function cached(kind: SecretStoreKind, warning: string | null, read: (n: string) => string, write: (n: string, v: string) => void): SecretStore {
  const memo = new Map<string, string>();
  return {
    kind,
    warning,
    get(name) {
      if (!memo.has(name)) memo.set(name, read(safeName(name)));
      return memo.get(name)!;
    },
    set(name, value) {
      write(safeName(name), value);
      memo.set(name, value);
    },
  };
}

/** Ciphertext in <dir>/<name>.enc, 0600. */
export function encryptedFileStore(dir: string, cipher: Cipher, kind: SecretStoreKind, warning: string | null = null): SecretStore {
  return cached(
    kind,
    warning,
    (name) => {
      const data = readOrEmpty(path.join(dir, `${name}.enc`));
      if (!data) return '';
      try {
        return cipher.decrypt(data);
      } catch {
        // Encrypted under another OS account or keychain: unreadable, as if unset.
        return '';
      }
    },
    (name, value) => {
      const file = path.join(dir, `${name}.enc`);
      if (value === '') fs.rmSync(file, { force: true });
      else writePrivate(file, cipher.encrypt(value));
    },
  );
}

export const PLAIN_FILE_WARNING =
  'No OS secret store was found, so the API key is kept in a file only your user can read (mode 0600) in the data folder, unencrypted. Set IAFA_OPENAI_API_KEY instead to keep it off the disk.';

/** The fallback: a file only the user can read, with a warning. */
export function plainFileStore(dir: string): SecretStore {
  return cached(
    'file',
    PLAIN_FILE_WARNING,
    (name) => readOrEmpty(path.join(dir, name))?.toString('utf8') ?? '',
    (name, value) => {
      const file = path.join(dir, name);
      if (value === '') fs.rmSync(file, { force: true });
      else writePrivate(file, value);
    },
  );
}

function onPath(cmd: string, env: NodeJS.ProcessEnv): string | null {
  for (const d of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const f = path.join(d, cmd);
    try {
      fs.accessSync(f, fs.constants.X_OK);
      return f;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * libsecret's command-line tool (GNOME Keyring, KWallet's Secret Service): the secret goes in on
 * stdin, never on a command line. Attributes name the data folder, so two data folders keep
 * two keys.
 */
export function secretToolStore(dataDir: string, env: NodeJS.ProcessEnv): SecretStore | null {
  if (process.platform !== 'linux' || !env.DBUS_SESSION_BUS_ADDRESS) return null;
  const tool = onPath('secret-tool', env);
  if (!tool) return null;
  const attrs = (name: string) => ['application', 'iafa', 'secret', name, 'folder', path.resolve(dataDir)];
  const opts = { env: { ...env }, timeout: 10_000, stdio: ['pipe', 'pipe', 'pipe'] as 'pipe'[] };
  return cached(
    'os-keyring',
    null,
    (name) => {
      try {
        return execFileSync(tool, ['lookup', ...attrs(name)], { ...opts, encoding: 'utf8' }).replace(/\n$/, '');
      } catch {
        return ''; // exit 1: no such secret
      }
    },
    (name, value) => {
      try {
        if (value === '') execFileSync(tool, ['clear', ...attrs(name)], opts);
        else execFileSync(tool, ['store', `--label=IAFA ${name}`, ...attrs(name)], { ...opts, input: value });
      } catch (e) {
        const why = String((e as { stderr?: Buffer | string }).stderr ?? (e as Error).message)
          .trim()
          .slice(0, 200);
        throw new IafaError(
          'internal',
          `The OS keyring did not take the key (secret-tool: ${why}). Unlock the keyring, or start IAFA with IAFA_SECRET_STORE=file or IAFA_OPENAI_API_KEY.`,
        );
      }
    },
  );
}

/** For `iafa serve` and the CLI: the OS secret store when present (IAFA_SECRET_STORE=file forces the file). */
export function defaultSecretStore(dataDir: string, env: NodeJS.ProcessEnv): SecretStore {
  const os = env.IAFA_SECRET_STORE === 'file' ? null : secretToolStore(dataDir, env);
  return os ?? plainFileStore(secretsDir(dataDir));
}

export const OPENAI_KEY = 'openai-api-key';

/** A key in the environment is used as is and never stored. */
export function envOpenAiKey(env: NodeJS.ProcessEnv): string {
  return (env.IAFA_OPENAI_API_KEY || env.OPENAI_API_KEY || '').trim();
}
