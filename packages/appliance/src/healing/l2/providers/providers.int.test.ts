import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlmProvider, LlmRequest } from '../llm-provider';
import { type LlmStandin, type StandinFlavor, startLlmStandin } from '../llm-standin.testkit';
import { createLlmProvider, LlmProviderConfig } from './create-provider';

const API_KEY = 'sk-test-standin-4f1c9a';

const request: LlmRequest = {
  system: 'system text',
  user: 'user text',
  schema: { type: 'object', properties: { runbookId: { type: 'string' } } },
  schemaName: 'submit_plan',
  maxOutputTokens: 321,
  timeoutMs: 2_000,
};

let standin: LlmStandin;
beforeAll(async () => {
  standin = await startLlmStandin({ apiKey: API_KEY });
});
afterAll(async () => {
  await standin.close();
});

function providerFor(flavor: StandinFlavor, apiKey = API_KEY): LlmProvider {
  const config =
    flavor === 'ollama'
      ? { kind: flavor, baseUrl: standin.urls.ollama, model: 'llama3.1:8b' }
      : { kind: flavor, baseUrl: standin.urls[flavor], model: 'test-model', apiKey };
  return createLlmProvider(LlmProviderConfig.parse(config));
}

const lastRequest = () => {
  const last = standin.requests.at(-1);
  if (!last) throw new Error('the stand-in received nothing');
  return last;
};

describe('LLM providers against the stand-in', () => {
  it('OpenAI-compatible: posts chat completions with a Bearer key and a json_schema response format', async () => {
    standin.enqueue({ kind: 'answer', answer: { runbookId: 'x' }, usage: { inputTokens: 11, outputTokens: 7 } });
    const result = await providerFor('openai').complete(request);
    expect(result).toEqual({ ok: true, text: '{"runbookId":"x"}', usage: { inputTokens: 11, outputTokens: 7 } });
    const sent = lastRequest();
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(sent.body).toMatchObject({
      model: 'test-model',
      max_tokens: 321,
      messages: [
        { role: 'system', content: 'system text' },
        { role: 'user', content: 'user text' },
      ],
      response_format: { type: 'json_schema', json_schema: { name: 'submit_plan', schema: request.schema } },
    });
  });

  it('Anthropic: posts messages with x-api-key, the API version and a forced tool carrying the schema', async () => {
    standin.enqueue({ kind: 'answer', answer: { runbookId: 'y' }, usage: { inputTokens: 5, outputTokens: 3 } });
    const result = await providerFor('anthropic').complete(request);
    expect(result).toEqual({ ok: true, text: '{"runbookId":"y"}', usage: { inputTokens: 5, outputTokens: 3 } });
    const sent = lastRequest();
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key']).toBe(API_KEY);
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toMatchObject({
      model: 'test-model',
      max_tokens: 321,
      system: 'system text',
      messages: [{ role: 'user', content: 'user text' }],
      tools: [{ name: 'submit_plan', input_schema: request.schema }],
      tool_choice: { type: 'tool', name: 'submit_plan' },
    });
  });

  it('Ollama: posts a non-streaming chat with the schema as format', async () => {
    standin.enqueue({ kind: 'answer', answer: { runbookId: 'z' }, usage: { inputTokens: 9, outputTokens: 2 } });
    const result = await providerFor('ollama').complete(request);
    expect(result).toEqual({ ok: true, text: '{"runbookId":"z"}', usage: { inputTokens: 9, outputTokens: 2 } });
    const sent = lastRequest();
    expect(sent.path).toBe('/api/chat');
    expect(sent.body).toMatchObject({
      model: 'llama3.1:8b',
      stream: false,
      format: request.schema,
      options: { num_predict: 321 },
    });
  });

  it.each(['openai', 'anthropic', 'ollama'] as const)('%s: passes text content through as it came', async (flavor) => {
    standin.enqueue({ kind: 'text', text: 'not { json' });
    expect(await providerFor(flavor).complete(request)).toMatchObject({ ok: true, text: 'not { json' });
  });

  it.each(['openai', 'anthropic', 'ollama'] as const)('%s: reports 500 and 429 as failures', async (flavor) => {
    standin.enqueue({ kind: 'status', status: 500, message: 'overloaded' }, { kind: 'status', status: 429 });
    const provider = providerFor(flavor);
    expect(await provider.complete(request)).toMatchObject({ ok: false, code: 'http_error', status: 500 });
    expect(await provider.complete(request)).toMatchObject({ ok: false, code: 'rate_limited', status: 429 });
  });

  it.each(['openai', 'anthropic', 'ollama'] as const)(
    '%s: times out on a server that never answers',
    async (flavor) => {
      standin.enqueue({ kind: 'hang' });
      const result = await providerFor(flavor).complete({ ...request, timeoutMs: 200 });
      expect(result).toMatchObject({ ok: false, code: 'timeout' });
    },
  );

  it('keeps the API key out of error messages, even when the server echoes it', async () => {
    standin.enqueue({ kind: 'status', status: 500, message: `key ${API_KEY} is broken` });
    const result = await providerFor('openai').complete(request);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(API_KEY);
    expect(JSON.stringify(result)).toContain('[redacted]');
  });

  it('reports a wrong key as an HTTP error without showing either key', async () => {
    const result = await providerFor('anthropic', 'sk-wrong-key-123').complete(request);
    expect(result).toMatchObject({ ok: false, code: 'http_error', status: 401 });
    expect(JSON.stringify(result)).not.toContain('sk-wrong-key-123');
  });

  it('reports an unreachable server as a network failure', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const provider = createLlmProvider({ kind: 'openai', baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm' });
    expect(await provider.complete(request)).toMatchObject({ ok: false, code: 'network' });
  });

  it('rejects configs without the key a provider needs', () => {
    expect(LlmProviderConfig.safeParse({ kind: 'anthropic', model: 'claude' }).success).toBe(false);
    expect(LlmProviderConfig.safeParse({ kind: 'openai', baseUrl: 'file:///etc', model: 'm' }).success).toBe(false);
  });
});
