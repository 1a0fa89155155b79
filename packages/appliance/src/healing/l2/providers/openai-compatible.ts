import { z } from 'zod';
import { type FetchImpl, type LlmProvider, type LlmRequest, postToProvider } from '../llm-provider';

/** The parts of an OpenAI chat-completions reply the planner reads; vLLM and LM Studio send the same. */
const ChatCompletionReply = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable().optional(), refusal: z.string().nullable().optional() }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
  usage: z.object({ prompt_tokens: z.number().int().min(0), completion_tokens: z.number().int().min(0) }).nullish(),
});

/**
 * Any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, LM Studio). `baseUrl` includes
 * the version path, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:8000/v1`.
 */
export function createOpenAiCompatibleProvider(options: {
  baseUrl: string;
  model: string;
  /** Optional: local servers (vLLM, LM Studio) usually run without one. */
  apiKey?: string;
  temperature?: number;
  fetchImpl?: FetchImpl;
}): LlmProvider {
  const { apiKey } = options;
  const url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  return {
    kind: 'openai',
    model: options.model,
    complete: (request: LlmRequest) =>
      postToProvider({
        fetchImpl: options.fetchImpl ?? fetch,
        url,
        headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
        secret: apiKey,
        timeoutMs: request.timeoutMs,
        body: {
          model: options.model,
          messages: [
            { role: 'system', content: request.system },
            { role: 'user', content: request.user },
          ],
          temperature: options.temperature ?? 0.1,
          max_tokens: request.maxOutputTokens,
          // Not `strict`: strict mode forbids a free-form `params` object, and params are validated here anyway.
          response_format: {
            type: 'json_schema',
            json_schema: { name: request.schemaName, schema: request.schema, strict: false },
          },
        },
        schema: ChatCompletionReply,
        read: (reply) => {
          const usage = reply.usage
            ? { inputTokens: reply.usage.prompt_tokens, outputTokens: reply.usage.completion_tokens }
            : null;
          const choice = reply.choices[0];
          if (choice?.message.refusal)
            return { ok: false, code: 'refused', message: `model refused: ${choice.message.refusal}`, usage };
          if (choice?.finish_reason === 'length')
            return { ok: false, code: 'bad_response', message: 'answer cut off at the token limit', usage };
          const text = choice?.message.content;
          if (!text) return { ok: false, code: 'bad_response', message: 'answer has no content', usage };
          return { ok: true, text, usage };
        },
      }),
  };
}
