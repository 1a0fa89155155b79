import { randomBytes } from 'node:crypto';

/** UUID version 7 (RFC 9562): 48-bit millisecond time then randomness, so ids sort by creation. */
export function newId(now = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A random secret token, URL-safe. 32 bytes unless told otherwise. */
export function newToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
