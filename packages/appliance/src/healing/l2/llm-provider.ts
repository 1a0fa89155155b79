import type { z } from 'zod';

/**
 * One LLM call as the planner needs it: a system and a user message, a JSON schema the answer
 * must follow, and a deadline. Providers answer with data, never by throwing, so the planner
 * turns every failure into an escalation with a stable reason.
 */
export interface LlmRequest {
  system: string;
  user: string;
  /** JSON schema of the answer object; sent as structured output where the provider has it. */
  schema: Record<string, unknown>;
  schemaName: string;
  maxOutputTokens: number;
  timeoutMs: number;
}

interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
}

export type LlmFailureCode = 'timeout' | 'network' | 'http_error' | 'rate_limited' | 'bad_response' | 'refused';

export type LlmResult =
  | {
      ok: true;
      /** The answer as JSON text (a tool-use answer is re-serialised) for the planner to parse. */
      text: string;
      /** null when the provider did not report usage; the planner then estimates. */
      usage: LlmUsage | null;
    }
  | { ok: false; code: LlmFailureCode; message: string; status?: number; usage?: LlmUsage | null };

export interface LlmProvider {
  /** `openai`, `anthropic` or `ollama`, for logs. */
  readonly kind: string;
  readonly model: string;
  complete(request: LlmRequest): Promise<LlmResult>;
}

export type FetchImpl = typeof fetch;

const MAX_ERROR_TEXT = 300;

/** Never let a secret reach a message, even if a provider echoes it back in an error body. */
function withoutSecret(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('[redacted]') : text;
}

/** The provider's own error message (`{error:{message}}`, `{error:"…"}`), shortened. */
function describeErrorBody(text: string): string {
  let message = text;
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    const error = body.error as { message?: unknown } | string | undefined;
    if (typeof error === 'string') message = error;
    else if (typeof error?.message === 'string') message = error.message;
    else if (typeof body.message === 'string') message = body.message;
  } catch {
    // Not JSON: use the raw text.
  }
  return message.replace(/\s+/g, ' ').slice(0, MAX_ERROR_TEXT);
}

/**
 * POSTs JSON and parses a 2xx reply with `schema`, then hands it to `read`. Headers (and the key
 * in them) never appear in a result; the URL does, so it must not carry credentials.
 */
export async function postToProvider<S extends z.ZodType>(options: {
  fetchImpl: FetchImpl;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  timeoutMs: number;
  secret?: string;
  schema: S;
  read: (reply: z.infer<S>) => LlmResult;
}): Promise<LlmResult> {
  const { secret } = options;
  let text: string;
  let status: number;
  try {
    // One signal for the whole exchange: a server that sends headers and then stalls the body also times out.
    const response = await options.fetchImpl(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
      body: JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'TimeoutError' || name === 'AbortError')
      return { ok: false, code: 'timeout', message: `no answer from ${options.url} within ${options.timeoutMs} ms` };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = withoutSecret(cause?.code ?? cause?.message ?? (error as Error).message, secret);
    return { ok: false, code: 'network', message: `cannot reach ${options.url}: ${reason}` };
  }
  if (status < 200 || status >= 300) {
    const details = withoutSecret(describeErrorBody(text), secret);
    return {
      ok: false,
      code: status === 429 ? 'rate_limited' : 'http_error',
      status,
      message: `HTTP ${status} from ${options.url}: ${details}`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad_response', message: `${options.url} answered with something that is not JSON` };
  }
  const parsed = options.schema.safeParse(json);
  if (!parsed.success)
    return { ok: false, code: 'bad_response', message: `${options.url} answered in an unexpected shape` };
  return options.read(parsed.data);
}
