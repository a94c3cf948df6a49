import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { dataPaths } from '../../src/core/paths';
import type { Engine } from '../../src/core/services';
import type { RunningServer } from '../../src/server';
import { apiFetch } from './http';

/**
 * Imports over the real HTTP API the way the browser does: the bytes are uploaded first and the
 * saved copy imported (so the test does not depend on which folders the server reads from).
 */
export async function uploadAndImport(
  server: RunningServer,
  name: string,
  content: string | Buffer,
  extra: Record<string, unknown> = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; json: any }> {
  return apiFetch(server, 'POST', '/api/v1/datasets/import', { path: await upload(server, name, content), ...extra });
}

/** Uploads the bytes as the browser does; returns the saved copy's path for preview or import. */
export async function upload(server: RunningServer, name: string, content: string | Buffer): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/uploads?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/octet-stream' },
    body: typeof content === 'string' ? content : new Uint8Array(content),
  });
  expect(res.status, `upload of ${name}`).toBe(200);
  return ((await res.json()) as { path: string }).path;
}

/** What a refused import must leave as it was: dataset rows, dataset folders, staging folders. */
export interface StoreState {
  ids: string[];
  folders: string[];
  staging: string[];
}

export async function storeState(engine: Engine, dataDir: string): Promise<StoreState> {
  const { datasets } = await engine.dispatch('datasets:list', {});
  const p = dataPaths(dataDir);
  const list = (d: string) => (fs.existsSync(d) ? fs.readdirSync(d).sort() : []);
  return {
    ids: datasets.map((d) => d.id).sort(),
    folders: list(p.datasets),
    // Uploaded files wait in tmp/uploads; anything else in tmp is an import's staging.
    staging: list(p.tmp).filter((f) => f !== 'uploads'),
  };
}

/** The stored files of one dataset, name → bytes, to prove a later refusal did not touch them. */
export function datasetFiles(dataDir: string, id: string): Map<string, Buffer> {
  const dir = path.join(dataPaths(dataDir).datasets, id);
  return new Map(
    fs
      .readdirSync(dir)
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(dir, f))]),
  );
}
