import { safeStorage } from 'electron';
import { encryptedFileStore, plainFileStore, secretsDir, type SecretStore } from '../core/secrets';

/**
 * The desktop app's secrets: encrypted with safeStorage (Keychain on macOS, DPAPI on Windows,
 * the Secret Service or KWallet on Linux). Where Linux has none, Chromium would fall back to a
 * hard-coded key ("basic_text"), which protects nothing: then the 0600 file and its warning.
 */
export function electronSecretStore(dataDir: string): SecretStore {
  const dir = secretsDir(dataDir);
  const weak = process.platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text';
  if (!safeStorage.isEncryptionAvailable() || weak) return plainFileStore(dir);
  return encryptedFileStore(
    dir,
    {
      available: () => safeStorage.isEncryptionAvailable(),
      encrypt: (plain) => safeStorage.encryptString(plain),
      decrypt: (data) => safeStorage.decryptString(data),
    },
    'electron-safe-storage',
  );
}
