import { type DescField, type DescMessage, isMessage, ScalarType } from '@bufbuild/protobuf';
import { getFieldLimits } from '@osiris/protocol/agent-proto';

/**
 * Checks a decoded message against the `(field_limits)` options of its schema, recursively:
 * string byte lengths (UTF-8), bytes lengths, list and map sizes, map key/value lengths and
 * integer ranges. Returns the first violation as `path: problem`, or null when the message fits.
 */
export function findLimitViolation(schema: DescMessage, message: unknown): string | null {
  return checkMessage(schema, message as Record<string, unknown>, schema.typeName.split('.').pop() ?? '');
}

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

function checkScalar(field: DescField, value: unknown, path: string): string | null {
  const limits = getFieldLimits(field);
  if (!limits) return null;
  if (typeof value === 'string') {
    if (limits.maxBytes > 0 && utf8Bytes(value) > limits.maxBytes)
      return `${path}: longer than ${limits.maxBytes} bytes`;
    return null;
  }
  if (value instanceof Uint8Array) {
    if (limits.maxBytes > 0 && value.byteLength > limits.maxBytes)
      return `${path}: longer than ${limits.maxBytes} bytes`;
    return null;
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    const n = BigInt(value);
    if (n < limits.minValue) return `${path}: below ${limits.minValue}`;
    if (limits.maxValue > 0n && n > limits.maxValue) return `${path}: above ${limits.maxValue}`;
  }
  return null;
}

function isBoundedScalar(scalar: ScalarType | undefined): boolean {
  return scalar === ScalarType.STRING || scalar === ScalarType.BYTES;
}

function checkField(field: DescField, value: unknown, path: string): string | null {
  switch (field.fieldKind) {
    case 'scalar':
      return checkScalar(field, value, path);
    case 'enum':
      return null;
    case 'message':
      return value === undefined ? null : checkMessage(field.message, value as Record<string, unknown>, path);
    case 'list': {
      const items = value as unknown[];
      const limits = getFieldLimits(field);
      if (limits && limits.maxItems > 0 && items.length > limits.maxItems)
        return `${path}: more than ${limits.maxItems} items`;
      for (const [index, item] of items.entries()) {
        const at = `${path}[${index}]`;
        const problem =
          field.listKind === 'message'
            ? checkMessage(field.message, item as Record<string, unknown>, at)
            : isBoundedScalar(field.scalar)
              ? checkScalar(field, item, at)
              : null;
        if (problem) return problem;
      }
      return null;
    }
    case 'map': {
      const entries = Object.entries(value as Record<string, unknown>);
      const limits = getFieldLimits(field);
      if (limits && limits.maxItems > 0 && entries.length > limits.maxItems)
        return `${path}: more than ${limits.maxItems} entries`;
      for (const [key, item] of entries) {
        if (limits && limits.maxKeyBytes > 0 && utf8Bytes(key) > limits.maxKeyBytes)
          return `${path}: a key is longer than ${limits.maxKeyBytes} bytes`;
        const at = `${path}[${JSON.stringify(key.slice(0, 64))}]`;
        const problem =
          field.mapKind === 'message'
            ? checkMessage(field.message, item as Record<string, unknown>, at)
            : field.mapKind === 'scalar'
              ? checkScalar(field, item, at)
              : null;
        if (problem) return problem;
      }
      return null;
    }
  }
}

function checkMessage(schema: DescMessage, message: Record<string, unknown>, path: string): string | null {
  if (!isMessage(message, schema)) return `${path}: not a ${schema.typeName}`;
  for (const field of schema.fields) {
    const value = (message as Record<string, unknown>)[field.localName];
    if (value === undefined) continue;
    const problem = checkField(field, value, `${path}.${field.name}`);
    if (problem) return problem;
  }
  return null;
}
