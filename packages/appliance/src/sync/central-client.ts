import type { z } from 'zod';

/** A call to central that did not give the expected answer; `code` is stable for callers to branch on. */
export class CentralError extends Error {
  constructor(
    readonly code:
      | 'NETWORK'
      | 'BAD_CODE'
      | 'UNAUTHENTICATED'
      | 'CONFLICT'
      | 'REJECTED'
      | 'BAD_RESPONSE'
      | 'NOT_REGISTERED',
    message: string,
    readonly status: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CentralError';
  }

  /** Central's error envelope when there was one (`{ error: { code, message, details } }`). */
  envelope: { code?: unknown; message?: unknown; details?: unknown } | null = null;
}

export type FetchImpl = typeof fetch;

/** Central's error envelope `{ error: { code, message } }`, as far as it can be read. */
function describeError(body: unknown): string {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (typeof error?.message === 'string') return `${error.message} (${String(error.code ?? 'no code')})`;
  return 'no error details';
}

type CallOptions = { token?: string; describeStatus: (status: number, details: string) => CentralError | null };

/** POSTs JSON to central and parses a 2xx reply with `schema`; anything else becomes a CentralError. */
export function postJson<T extends z.ZodType>(
  fetchImpl: FetchImpl,
  url: string,
  body: unknown,
  schema: T,
  options: CallOptions,
): Promise<z.infer<T>> {
  return callJson(fetchImpl, url, body, schema, options);
}

/** GETs from central and parses a 2xx reply with `schema`, as postJson does. */
export function getJson<T extends z.ZodType>(
  fetchImpl: FetchImpl,
  url: string,
  schema: T,
  options: CallOptions,
): Promise<z.infer<T>> {
  return callJson(fetchImpl, url, undefined, schema, options);
}

async function callJson<T extends z.ZodType>(
  fetchImpl: FetchImpl,
  url: string,
  body: unknown,
  schema: T,
  options: CallOptions,
): Promise<z.infer<T>> {
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        accept: 'application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new CentralError('NETWORK', `Cannot reach central at ${url}: ${reason}`, null, { cause: error });
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: reported below as an unexpected reply.
  }
  if (!response.ok) {
    const details = describeError(parsed);
    const error =
      options.describeStatus(response.status, details) ??
      new CentralError(
        'REJECTED',
        `Central refused the request with HTTP ${response.status}: ${details}`,
        response.status,
      );
    const envelope = (parsed as { error?: unknown } | null)?.error;
    if (typeof envelope === 'object' && envelope !== null) error.envelope = envelope;
    throw error;
  }
  const result = schema.safeParse(parsed);
  if (!result.success)
    throw new CentralError(
      'BAD_RESPONSE',
      `Central sent an unexpected reply to ${url} (HTTP ${response.status}): ${result.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')}`,
      response.status,
    );
  return result.data;
}
