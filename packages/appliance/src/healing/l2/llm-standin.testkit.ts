import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in LLM for tests and the lab: one HTTP server on 127.0.0.1 that speaks the wire
 * formats of OpenAI chat completions (`/v1/chat/completions`), Anthropic Messages (`/v1/messages`)
 * and Ollama (`/api/chat`). It records every request so tests can assert what the appliance sent,
 * and answers from a queue of scripted replies (or a responder function, for longer scenarios).
 */

export type StandinFlavor = 'openai' | 'anthropic' | 'ollama';

interface RecordedRequest {
  flavor: StandinFlavor;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** System and user text joined, whatever the flavour put them in, for assertions and responders. */
  prompt: string;
}

type StandinUsage = { inputTokens: number; outputTokens: number };

type StandinReply =
  /** A well-formed answer carrying `answer` as its JSON content (or tool input, for Anthropic). */
  | { kind: 'answer'; answer: unknown; usage?: StandinUsage }
  /** Content verbatim, e.g. malformed JSON or prose. */
  | { kind: 'text'; text: string; usage?: StandinUsage }
  /** An error status with the provider's error body, e.g. 500 or 429. */
  | { kind: 'status'; status: number; message?: string }
  /** Never answers: the client must time out. The connection is dropped on close(). */
  | { kind: 'hang' };

export interface LlmStandin {
  /** Base URLs to configure each provider with. */
  urls: Record<StandinFlavor, string>;
  requests: RecordedRequest[];
  enqueue(...replies: StandinReply[]): void;
  /** Used when the queue is empty; the default answers 500 "no reply scripted". */
  respondWith(responder: (request: RecordedRequest) => StandinReply): void;
  close(): Promise<void>;
}

const ROUTES: Record<string, StandinFlavor> = {
  '/v1/chat/completions': 'openai',
  '/v1/messages': 'anthropic',
  '/api/chat': 'ollama',
};

const DEFAULT_USAGE: StandinUsage = { inputTokens: 100, outputTokens: 20 };

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map((part) => (part as { text?: unknown }).text)
      .filter((t) => typeof t === 'string')
      .join('\n');
  return '';
}

function promptOf(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? (body.messages as { content?: unknown }[]) : [];
  return [textOf(body.system), ...messages.map((m) => textOf(m.content))].filter(Boolean).join('\n');
}

function errorBody(flavor: StandinFlavor, status: number, message: string): unknown {
  if (flavor === 'anthropic')
    return { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : 'api_error', message } };
  if (flavor === 'ollama') return { error: message };
  return { error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'server_error', code: null } };
}

function successBody(flavor: StandinFlavor, request: RecordedRequest, reply: StandinReply, n: number): unknown {
  const usage = ('usage' in reply && reply.usage) || DEFAULT_USAGE;
  const content = reply.kind === 'answer' ? JSON.stringify(reply.answer) : reply.kind === 'text' ? reply.text : '';
  const model = String(request.body.model ?? 'standin');
  if (flavor === 'anthropic') {
    const tool = (request.body.tools as { name?: string }[] | undefined)?.[0]?.name ?? 'tool';
    const block =
      reply.kind === 'answer'
        ? { type: 'tool_use', id: `toolu_standin_${n}`, name: tool, input: reply.answer }
        : { type: 'text', text: content };
    return {
      id: `msg_standin_${n}`,
      type: 'message',
      role: 'assistant',
      model,
      content: [block],
      stop_reason: reply.kind === 'answer' ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens },
    };
  }
  if (flavor === 'ollama')
    return {
      model,
      created_at: new Date(0).toISOString(),
      message: { role: 'assistant', content },
      done: true,
      done_reason: 'stop',
      prompt_eval_count: usage.inputTokens,
      eval_count: usage.outputTokens,
    };
  return {
    id: `chatcmpl-standin-${n}`,
    object: 'chat.completion',
    created: 0,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: {
      prompt_tokens: usage.inputTokens,
      completion_tokens: usage.outputTokens,
      total_tokens: usage.inputTokens + usage.outputTokens,
    },
  };
}

function isAuthorised(flavor: StandinFlavor, headers: IncomingHttpHeaders, apiKey: string | undefined): boolean {
  if (!apiKey || flavor === 'ollama') return true;
  if (flavor === 'anthropic') return headers['x-api-key'] === apiKey && headers['anthropic-version'] === '2023-06-01';
  return headers.authorization === `Bearer ${apiKey}`;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** Starts the stand-in on an ephemeral loopback port. With `apiKey`, requests without it get 401. */
export async function startLlmStandin(options: { apiKey?: string } = {}): Promise<LlmStandin> {
  const requests: RecordedRequest[] = [];
  const queue: StandinReply[] = [];
  let responder: (request: RecordedRequest) => StandinReply = () => ({
    kind: 'status',
    status: 500,
    message: 'no reply scripted',
  });

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      const flavor = ROUTES[path];
      if (req.method !== 'POST' || !flavor)
        return send(res, 404, { error: { message: `no route ${req.method} ${path}` } });
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return send(res, 400, errorBody(flavor, 400, 'request body is not JSON'));
      }
      const recorded: RecordedRequest = { flavor, path, headers: req.headers, body, prompt: promptOf(body) };
      requests.push(recorded);
      if (!isAuthorised(flavor, req.headers, options.apiKey))
        return send(res, 401, errorBody(flavor, 401, 'invalid api key'));
      const reply = queue.shift() ?? responder(recorded);
      if (reply.kind === 'hang') return;
      if (reply.kind === 'status')
        return send(res, reply.status, errorBody(flavor, reply.status, reply.message ?? `status ${reply.status}`));
      send(res, 200, successBody(flavor, recorded, reply, requests.length));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    urls: { openai: `${origin}/v1`, anthropic: origin, ollama: origin },
    requests,
    enqueue: (...replies) => {
      queue.push(...replies);
    },
    respondWith: (next) => {
      responder = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Hanging replies keep sockets open; drop them so close() finishes.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
