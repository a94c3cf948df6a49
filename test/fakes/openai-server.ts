import type http from 'node:http';
import { listen, pieces, readJson, sendJson, type RecordedRequest } from './http-util';

export type OpenAiReply = { content: string; promptTokens?: number; completionTokens?: number } | { status: number; error: string } | { stall: true };

export interface FakeOpenAi {
  /** Base URL including /v1, as users configure it. */
  url: string;
  requests: RecordedRequest[];
  reply(...r: OpenAiReply[]): void;
  close(): Promise<void>;
}

/** Speaks the OpenAI chat-completions API on 127.0.0.1: /v1/models and /v1/chat/completions (JSON or SSE). */
export async function startFakeOpenAi(opts: { models?: string[]; apiKey?: string } = {}): Promise<FakeOpenAi> {
  const models = opts.models ?? ['gpt-4o-mini'];
  const queue: OpenAiReply[] = [];
  let last: OpenAiReply = { content: '{}' };
  const requests: RecordedRequest[] = [];

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await readJson(req);
    requests.push({ method: req.method ?? 'GET', path: url.pathname, headers: req.headers, body });
    if (opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
      return sendJson(res, 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } });
    }
    if (url.pathname === '/v1/models')
      return sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake' })) });
    if (url.pathname === '/v1/chat/completions' && req.method === 'POST') {
      const model = String(body?.model ?? '');
      if (!models.includes(model))
        return sendJson(res, 404, {
          error: { message: `The model \`${model}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', code: 'model_not_found' },
        });
      const r = queue.shift() ?? last;
      last = r;
      if ('stall' in r) return;
      if ('status' in r) return sendJson(res, r.status, { error: { message: r.error, type: 'server_error' } });
      const usage = {
        prompt_tokens: r.promptTokens ?? 150,
        completion_tokens: r.completionTokens ?? 70,
        total_tokens: (r.promptTokens ?? 150) + (r.completionTokens ?? 70),
      };
      if (!body?.stream) {
        return sendJson(res, 200, {
          id: 'chatcmpl-fake',
          object: 'chat.completion',
          created: 0,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: r.content }, finish_reason: 'stop' }],
          usage,
        });
      }
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      const event = (o: unknown) => res.write(`data: ${JSON.stringify(o)}\n\n`);
      event({
        id: 'chatcmpl-fake',
        object: 'chat.completion.chunk',
        model,
        choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
      });
      for (const p of pieces(r.content))
        event({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: { content: p }, finish_reason: null }] });
      event({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
      event({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', model, choices: [], usage });
      res.end('data: [DONE]\n\n');
      return;
    }
    sendJson(res, 404, { error: { message: 'not found' } });
  };

  const server = await listen((req, res) => void handler(req, res));
  return { url: `${server.url}/v1`, requests, reply: (...r) => queue.push(...r), close: server.close };
}
