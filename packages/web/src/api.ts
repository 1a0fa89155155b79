import { ErrorResponse } from '@osiris/protocol';
import type { z } from 'zod';

/** An answer from central that is not a success: its stable code, message and details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  /** Field errors of a VALIDATION_FAILED answer, by dotted path. */
  fieldErrors(): Record<string, string> {
    const issues = (this.details as { issues?: { path: (string | number)[]; message: string }[] } | undefined)?.issues;
    return Object.fromEntries((issues ?? []).map((i) => [i.path.join('.'), i.message]));
  }
}

let csrfToken: string | null = null;
/** The session's CSRF token (from sign-in or /v1/auth/me), sent on every mutation. */
export const setCsrfToken = (token: string | null) => {
  csrfToken = token;
};

/**
 * The typed client: every answer is parsed with the same zod schema the server answers with, so a
 * contract drift shows as an error here, never as undefined on a page.
 */
export async function api<T extends z.ZodType>(
  schema: T,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<z.infer<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Central Command cannot be reached. Check your connection and try again.');
  }
  if (response.status === 204) return schema.parse(undefined);
  const text = await response.text();
  const json: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const parsed = ErrorResponse.safeParse(json);
    if (parsed.success)
      throw new ApiError(response.status, parsed.data.error.code, parsed.data.error.message, parsed.data.error.details);
    throw new ApiError(response.status, 'INTERNAL', `Unexpected answer (${response.status})`);
  }
  return schema.parse(json);
}

/** Builds a query string from defined values only. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`;
}
