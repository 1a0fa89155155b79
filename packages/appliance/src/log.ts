/** Levels in order; `silent` logs nothing. */
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LEVELS)[number] | 'silent';

type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Keys whose values are never written, whatever the caller passes. */
const SECRET_KEY = /token|password|secret|private|authorization|api[-_]?key/i;

function redact(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields))
    out[key] = SECRET_KEY.test(key) ? '[redacted]' : value instanceof Error ? value.message : value;
  return out;
}

/** JSON lines on `write` (stderr by default): one object per event, with time, level and message. */
export function createLogger(level: LogLevel, write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const threshold = level === 'silent' ? Number.POSITIVE_INFINITY : LEVELS.indexOf(level);
  const emit =
    (at: (typeof LEVELS)[number]) =>
    (message: string, fields: LogFields = {}) => {
      if (LEVELS.indexOf(at) < threshold) return;
      write(`${JSON.stringify({ time: new Date().toISOString(), level: at, msg: message, ...redact(fields) })}\n`);
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
