import { z } from 'zod';
import { type FetchImpl, type LlmProvider, type LlmRequest, postToProvider } from '../llm-provider';

const MessagesReply = z.object({
  content: z.array(
    z.union([
      z.object({ type: z.literal('tool_use'), name: z.string(), input: z.unknown() }),
      z.object({ type: z.literal('text'), text: z.string() }),
      z.object({ type: z.string() }),
    ]),
  ),
  stop_reason: z.string().nullable().optional(),
  usage: z.object({ input_tokens: z.number().int().min(0), output_tokens: z.number().int().min(0) }).nullish(),
});

/**
 * Anthropic Messages API. Structured output through a forced tool call: the model must "call"
 * a tool whose input schema is the answer schema, so the answer arrives as a JSON object.
 */
export function createAnthropicProvider(options: {
  baseUrl?: string;
  model: string;
  apiKey: string;
  temperature?: number;
  fetchImpl?: FetchImpl;
}): LlmProvider {
  const { apiKey } = options;
  const url = `${(options.baseUrl ?? 'https://api.anthropic.com').replace(/\/+$/, '')}/v1/messages`;
  return {
    kind: 'anthropic',
    model: options.model,
    complete: (request: LlmRequest) =>
      postToProvider({
        fetchImpl: options.fetchImpl ?? fetch,
        url,
        headers: { 'x-api-key': apiKey, 'anthropic-version': '2023-06-01' },
        secret: apiKey,
        timeoutMs: request.timeoutMs,
        body: {
          model: options.model,
          max_tokens: request.maxOutputTokens,
          temperature: options.temperature ?? 0.1,
          system: request.system,
          messages: [{ role: 'user', content: request.user }],
          tools: [
            {
              name: request.schemaName,
              description: 'Submit the remediation plan. Always answer through this tool.',
              input_schema: request.schema,
            },
          ],
          tool_choice: { type: 'tool', name: request.schemaName },
        },
        schema: MessagesReply,
        read: (reply) => {
          const usage = reply.usage
            ? { inputTokens: reply.usage.input_tokens, outputTokens: reply.usage.output_tokens }
            : null;
          if (reply.stop_reason === 'max_tokens')
            return { ok: false, code: 'bad_response', message: 'answer cut off at the token limit', usage };
          for (const block of reply.content) {
            if ('input' in block && 'name' in block && block.name === request.schemaName)
              return { ok: true, text: JSON.stringify(block.input), usage };
          }
          // A model that ignored the forced tool may still have written JSON as text: the planner judges it.
          const text = reply.content.flatMap((block) => ('text' in block ? [block.text] : [])).join('');
          if (!text) return { ok: false, code: 'bad_response', message: 'answer has no tool call or text', usage };
          return { ok: true, text, usage };
        },
      }),
  };
}
