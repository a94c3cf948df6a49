import { startServer, type RunningServer } from '../../src/server';
import type { Engine } from '../../src/core/services';

export async function serverFor(engine: Engine, rendererDir?: string): Promise<RunningServer> {
  return startServer({ engine, port: 0, rendererDir });
}

/** Calls the API like the browser client does: bearer token, JSON body. */
export async function apiFetch(
  server: RunningServer,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; json: any }> {
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${server.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}
