import type { ErrorPayload, ProgressEvent } from '../shared/contract';

/** What the preload exposes as `window.api`: the contract's calls and their progress events, nothing else. */
export interface IafaBridge {
  call(name: string, input: unknown, opId?: string): Promise<{ ok: true; value: unknown } | { ok: false; error: ErrorPayload }>;
  cancel(opId: string): Promise<void>;
  onProgress(listener: (opId: string, ev: ProgressEvent) => void): () => void;
  /** The path of a file the user dropped on the window. */
  pathForFile(file: File): string;
  /** Native file picker (Electron only). Resolves to null when the user cancels. */
  pickFile(filters?: { name: string; extensions: string[] }[]): Promise<string | null>;
  /** Native save dialog; writes the bytes and resolves to the path, or null when cancelled. */
  saveFile(suggestedName: string, data: string | Uint8Array): Promise<string | null>;
  /** Opens an http(s) link in the user's browser (other schemes are ignored by the main process). */
  openExternal(url: string): Promise<void>;
  readonly shell: 'electron';
}

declare global {
  interface Window {
    api?: IafaBridge;
  }
}
