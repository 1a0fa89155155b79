import { z } from 'zod';
import { type FetchImpl, type LlmProvider, type LlmRequest, postToProvider } from '../llm-provider';

const ChatReply = z.object({
  message: z.object({ content: z.string() }),
  done: z.boolean().optional(),
  done_reason: z.string().optional(),
  prompt_eval_count: z.number().int().min(0).optional(),
  eval_count: z.number().int().min(0).optional(),
});

/** Ollama `/api/chat`, not streaming; `format` carries the JSON schema (Ollama ≥ 0.5 structured outputs). */
export function createOllamaProvider(options: {
  baseUrl?: string;
  model: string;
  temperature?: number;
  fetchImpl?: FetchImpl;
}): LlmProvider {
  const url = `${(options.baseUrl ?? 'http://127.0.0.1:11434').replace(/\/+$/, '')}/api/chat`;
  return {
    kind: 'ollama',
    model: options.model,
    complete: (request: LlmRequest) =>
      postToProvider({
        fetchImpl: options.fetchImpl ?? fetch,
        url,
        headers: {},
        timeoutMs: request.timeoutMs,
        body: {
          model: options.model,
          stream: false,
          format: request.schema,
          messages: [
            { role: 'system', content: request.system },
            { role: 'user', content: request.user },
          ],
          options: { temperature: options.temperature ?? 0.1, num_predict: request.maxOutputTokens },
        },
        schema: ChatReply,
        read: (reply) => {
          const usage =
            reply.prompt_eval_count !== undefined && reply.eval_count !== undefined
              ? { inputTokens: reply.prompt_eval_count, outputTokens: reply.eval_count }
              : null;
          if (reply.done_reason === 'length')
            return { ok: false, code: 'bad_response', message: 'answer cut off at the token limit', usage };
          if (!reply.message.content) return { ok: false, code: 'bad_response', message: 'answer is empty', usage };
          return { ok: true, text: reply.message.content, usage };
        },
      }),
  };
}
