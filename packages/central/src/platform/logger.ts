import type { LoggerOptions } from 'pino';

/** Paths whose values never reach a log line. */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.token',
  '*.totpCode',
  '*.code',
  '*.secret',
  '*.passwordHash',
  '*.password_hash',
  '*.sessionSecret',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req(request: { id: string; method: string; url: string; ip?: string; headers?: Record<string, unknown> }) {
        return {
          id: request.id,
          method: request.method,
          url: request.url.split('?')[0],
          ip: request.ip,
          headers: request.headers,
        };
      },
    },
  };
}
