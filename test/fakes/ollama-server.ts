import type http from 'node:http';
import { listen, pieces, readJson, sendJson, type RecordedRequest } from './http-util';

/**
 * What the fake does for the next generation request. `content` is the model's text, sent as one
 * response or as NDJSON chunks when the client asks to stream; `stall` never answers.
 */
export type OllamaReply =
  | { content: string; promptTokens?: number; evalTokens?: number; /** Characters per streamed chunk (default 12). */ chunk?: number }
  | { status: number; error: string }
  | { stall: true };

export interface FakeOllama {
  url: string;
  requests: RecordedRequest[];
  /** Queue replies; the last one repeats when the queue runs dry. */
  reply(...r: OllamaReply[]): void;
  setModels(models: string[]): void;
  close(): Promise<void>;
}

/** Speaks Ollama's HTTP API on 127.0.0.1: /api/tags, /api/chat, /api/generate, /api/version. */
export async function startFakeOllama(opts: { models?: string[] } = {}): Promise<FakeOllama> {
  let models = opts.models ?? ['llama3.2:3b'];
  const queue: OllamaReply[] = [];
  let last: OllamaReply = { content: '{}' };
  const requests: RecordedRequest[] = [];

  const next = (): OllamaReply => {
    const r = queue.shift();
    if (r) last = r;
    return r ?? last;
  };

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await readJson(req);
    requests.push({ method: req.method ?? 'GET', path: url.pathname, headers: req.headers, body });
    if (url.pathname === '/api/version') return sendJson(res, 200, { version: '0.12.0' });
    if (url.pathname === '/api/tags' && req.method === 'GET') {
      return sendJson(res, 200, {
        models: models.map((name) => ({
          name,
          model: name,
          modified_at: '2026-01-01T00:00:00Z',
          size: 2_019_393_189,
          digest: 'sha256:0000',
          details: { format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
        })),
      });
    }
    if ((url.pathname === '/api/chat' || url.pathname === '/api/generate') && req.method === 'POST') {
      const model = String(body?.model ?? '');
      if (!models.includes(model)) return sendJson(res, 404, { error: `model "${model}" not found, try pulling it first` });
      const r = next();
      if ('stall' in r) return; // keep the socket open until the client gives up
      if ('status' in r) return sendJson(res, r.status, { error: r.error });
      const chat = url.pathname === '/api/chat';
      const frame = (text: string, done: boolean) => ({
        model,
        created_at: new Date().toISOString(),
        ...(chat ? { message: { role: 'assistant', content: text } } : { response: text }),
        done,
        ...(done
          ? {
              done_reason: 'stop',
              total_duration: 1,
              load_duration: 1,
              prompt_eval_count: r.promptTokens ?? 120,
              prompt_eval_duration: 1,
              eval_count: r.evalTokens ?? 60,
              eval_duration: 1,
            }
          : {}),
      });
      if (body?.stream === false) return sendJson(res, 200, frame(r.content, true));
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
      for (const p of pieces(r.content, r.chunk)) res.write(JSON.stringify(frame(p, false)) + '\n');
      res.end(JSON.stringify(frame('', true)) + '\n');
      return;
    }
    sendJson(res, 404, { error: 'not found' });
  };

  const server = await listen((req, res) => void handler(req, res));
  return {
    url: server.url,
    requests,
    reply: (...r) => queue.push(...r),
    setModels: (m) => {
      models = m;
    },
    close: server.close,
  };
}
