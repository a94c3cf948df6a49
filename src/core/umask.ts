import fs from 'node:fs';

/**
 * The shells (the `iafa` binary, the Electron main process) make everything they create private:
 * folders 0700, files 0600, under the data folder and anywhere else. Files the user exports on
 * purpose (a report saved with -o or a save dialog) get back the mode the user's umask gives.
 */
let userUmask: number | null = null;

export function usePrivateUmask(): void {
  if (process.platform === 'win32' || userUmask !== null) return;
  userUmask = process.umask(0o077);
}

/** A file written for the user, outside the data folder: the usual mode, not the private one. */
export function writeUserFile(file: string, data: string | Uint8Array): void {
  fs.writeFileSync(file, data);
  if (userUmask !== null) fs.chmodSync(file, 0o666 & ~userUmask);
}
