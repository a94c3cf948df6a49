import { contract, IafaError, type CallInput, type CallName, type CallOutput, type ErrorPayload, type ProgressEvent } from '../../../shared/contract';

export interface CallOptions {
  onProgress?: (ev: ProgressEvent) => void;
  signal?: AbortSignal;
}

interface Transport {
  kind: 'electron' | 'http';
  call(name: CallName, input: unknown, opts: CallOptions): Promise<unknown>;
}

function newOpId(): string {
  return `op_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 10)}`;
}

function electronTransport(): Transport {
  const api = window.api!;
  return {
    kind: 'electron',
    async call(name, input, opts) {
      const opId = newOpId();
      const off = opts.onProgress ? api.onProgress((id, ev) => id === opId && opts.onProgress!(ev)) : () => {};
      const onAbort = () => void api.cancel(opId);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const r = await api.call(name, input, opId);
        if (!r.ok) throw IafaError.fromPayload(r.error);
        return r.value;
      } finally {
        off();
        opts.signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}

const TOKEN_KEY = 'iafa.token';

/** The browser mode receives its token once in the URL fragment (never sent to the server) and keeps it for the tab. */
export function captureToken(): string | null {
  const m = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', window.location.pathname + '#/data');
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function httpTransport(token: string | null): Transport {
  return {
    kind: 'http',
    async call(name, input, opts) {
      const def = contract[name];
      const rest: Record<string, unknown> = { ...(input as Record<string, unknown>) };
      // A call like analytics:recommendations is served on /analytics/:funnelId/... and on an alias
      // without the parameter: an unsaved funnel (no funnelId) must use the alias, not "/analytics//...".
      const paths: string[] = [def.http.path, ...(def.http.aliases ?? [])];
      const complete = paths.find((p) => [...p.matchAll(/:([A-Za-z_]\w*)/g)].every((m) => rest[m[1]] !== undefined && rest[m[1]] !== '')) ?? def.http.path;
      const path = complete.replace(/:([A-Za-z_]\w*)/g, (_m, p: string) => {
        const v = rest[p];
        delete rest[p];
        return encodeURIComponent(String(v ?? ''));
      });
      const method = def.http.method;
      let url = path;
      const headers: Record<string, string> = { authorization: `Bearer ${token ?? ''}`, 'x-iafa-op': newOpId() };
      let body: string | undefined;
      if (method === 'GET' || method === 'DELETE') {
        const qs = new URLSearchParams();
        for (const [k, v] of Object.entries(rest)) if (v !== undefined) qs.set(k, String(v));
        if ([...qs].length) url += `?${qs}`;
      } else {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(rest);
      }
      const streaming = Boolean(opts.onProgress) && def.streams === true;
      if (streaming) headers.accept = 'text/event-stream';
      const res = await fetch(url, { method, headers, body, signal: opts.signal });
      if (!streaming || !res.headers.get('content-type')?.includes('text/event-stream')) {
        const json = await res.json().catch(() => ({ error: { kind: 'internal', message: `HTTP ${res.status}` } }));
        if (!res.ok) throw IafaError.fromPayload((json as { error: ErrorPayload }).error);
        return json;
      }
      return readSse(res, opts.onProgress!);
    },
  };
}

async function readSse(res: Response, onProgress: (ev: ProgressEvent) => void): Promise<unknown> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let idx: number;
    while ((idx = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, idx);
      buf = buf.slice(idx + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (!event || data === undefined) continue;
      const payload = JSON.parse(data);
      if (event === 'progress') onProgress(payload as ProgressEvent);
      else if (event === 'result') return payload;
      else if (event === 'error') throw IafaError.fromPayload(payload as ErrorPayload);
    }
  }
  throw new IafaError('internal', 'The server closed the stream without a result.');
}

let transport: Transport | null = null;
function getTransport(): Transport {
  transport ??= window.api ? electronTransport() : httpTransport(captureToken());
  return transport;
}

/** Typed access to every contract call, the same in Electron and in the browser. */
export function api<K extends CallName>(name: K, input: CallInput<K>, opts: CallOptions = {}): Promise<CallOutput<K>> {
  return getTransport().call(name, input, opts) as Promise<CallOutput<K>>;
}

export function shellKind(): 'electron' | 'http' {
  return getTransport().kind;
}

/** Browser mode: send a picked file to the server, which returns a path the import call can read. */
export async function uploadFile(file: File, onProgress?: (fraction: number) => void): Promise<{ path: string; name: string; bytes: number }> {
  const token = captureToken();
  onProgress?.(0);
  const res = await fetch(`/api/v1/uploads?name=${encodeURIComponent(file.name)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token ?? ''}`, 'content-type': 'application/octet-stream' },
    body: file,
  });
  const json = await res.json();
  if (!res.ok) throw IafaError.fromPayload(json.error);
  onProgress?.(1);
  return json;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
