import { ERROR_STATUS, type ErrorCode, type ValidationIssue } from '@osiris/protocol';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';

/** The one error type services throw. The message is shown to the user; the cause never is. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: unknown; cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);

/** A 400 `VALIDATION_FAILED` naming one field, for checks a schema cannot make (the database, the clock, other rows). */
export const invalidField = (path: string | (string | number)[], message: string, code = 'custom') =>
  new AppError('VALIDATION_FAILED', 'Invalid request', {
    details: { issues: [{ path: Array.isArray(path) ? path : [path], message, code }] },
  });

/** Network-level and server-availability failures of PostgreSQL. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08006',
  '53300', // too_many_connections
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  const err = error as { code?: string; message?: string } | undefined;
  if (!err) return false;
  if (err.code && UNAVAILABLE_CODES.has(err.code)) return true;
  const message = err.message ?? '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    message,
  );
}

/** Map PostgreSQL constraint errors to user-facing ones; anything else stays unknown. */
export function fromDatabaseError(error: unknown): AppError | undefined {
  const err = error as { code?: string; constraint?: string } | undefined;
  if (isDatabaseUnavailable(error)) {
    return new AppError('DATABASE_UNAVAILABLE', 'The database is unavailable; try again shortly', {
      cause: error,
      headers: { 'retry-after': '5' },
    });
  }
  if (err?.code === '23505') return new AppError('CONFLICT', 'An object with the same unique value already exists');
  if (err?.code === '23503' || err?.code === '23001') {
    return new AppError('CONFLICT', 'The object is referenced by or refers to another object', { cause: error });
  }
  return undefined;
}

function toIssues(error: FastifyError): ValidationIssue[] {
  return (error.validation ?? []).flatMap((issue) => {
    const raw = issue as unknown as {
      keyword?: string;
      instancePath?: string;
      message?: string;
      params?: { keys?: unknown };
    };
    const path = (raw.instancePath ?? '')
      .split('/')
      .filter(Boolean)
      .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
    const code = raw.keyword;
    // One issue per unknown field, each with its own path, so a client can point at it.
    const keys = raw.params?.keys;
    if (code === 'unrecognized_keys' && Array.isArray(keys) && keys.length > 0) {
      return keys.map((key) => ({ path: [...path, String(key)], message: 'unknown field', code }));
    }
    return [{ path, message: raw.message ?? 'invalid', ...(code ? { code } : {}) }];
  });
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const appError = classify(error);
  if (appError.status >= 500) {
    request.log.error({ err: appError.cause ?? error, code: appError.code }, 'request failed');
  } else {
    request.log.info({ code: appError.code, status: appError.status }, appError.message);
  }
  void reply
    .code(appError.status)
    .headers(appError.headers)
    .send({
      error: {
        code: appError.code,
        message: appError.message,
        ...(appError.details === undefined ? {} : { details: appError.details }),
        requestId: String(request.id),
      },
    });
}

function classify(error: FastifyError): AppError {
  if (error instanceof AppError) return error;
  if (hasZodFastifySchemaValidationErrors(error) || error.validation) {
    const where = error.validationContext ?? 'request';
    return new AppError('VALIDATION_FAILED', `Invalid ${where}`, { details: { issues: toIssues(error) } });
  }
  if (isResponseSerializationError(error)) {
    return new AppError('INTERNAL', 'Internal error', { cause: error });
  }
  const fromDb = fromDatabaseError(error);
  if (fromDb) return fromDb;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', 'Request body is too large', {
        details: { issues: [{ path: [], message: 'body exceeds the size limit', code: 'too_big' }] },
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send JSON with Content-Type: application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('VALIDATION_FAILED', 'Request body is not valid JSON', {
        details: { issues: [{ path: [], message: error.message, code: 'invalid_json' }] },
      });
  }
  if (error.statusCode === 400 || (error as { status?: number }).status === 400) {
    return new AppError('BAD_REQUEST', 'Malformed request', {
      details: { issues: [{ path: [], message: error.message }] },
    });
  }
  if (error.statusCode === 429) return new AppError('RATE_LIMITED', 'Too many requests');
  return new AppError('INTERNAL', 'Internal error', { cause: error });
}
