/**
 * A small DER (X.690) reader and writer: just what RFC 3161 time-stamp requests, responses and tokens
 * need (single-byte tags, definite lengths). Pure TypeScript, so it runs in Node and browsers alike.
 * Every read is bounds-checked; malformed input throws `DerError`, never reads past the buffer.
 */

export class DerError extends Error {
  override name = 'DerError';
}

/** One TLV. `bytes` is the whole encoding (tag, length and content); `content` the value only. */
export interface DerNode {
  tag: number;
  bytes: Uint8Array;
  content: Uint8Array;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Context-specific tag number n, constructed (`[n]` EXPLICIT, or IMPLICIT of a constructed type). */
export const ctx = (n: number): number => 0xa0 | n;
/** Context-specific tag number n, primitive (`[n]` IMPLICIT of a primitive type). */
export const ctxPrimitive = (n: number): number => 0x80 | n;

const MAX_LENGTH_OCTETS = 4;

/** Reads the TLV starting at `offset` of `bytes`. */
export function readNode(bytes: Uint8Array, offset = 0): DerNode {
  if (offset >= bytes.length) throw new DerError('unexpected end of data');
  const tag = bytes[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not supported');
  let pos = offset + 1;
  if (pos >= bytes.length) throw new DerError('missing length');
  const first = bytes[pos++] as number;
  let length = first;
  if (first === 0x80) throw new DerError('indefinite length is not DER');
  if (first > 0x80) {
    const count = first & 0x7f;
    if (count > MAX_LENGTH_OCTETS) throw new DerError('length too large');
    if (pos + count > bytes.length) throw new DerError('truncated length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[pos++] as number);
  }
  const end = pos + length;
  if (end > bytes.length) throw new DerError('value runs past the end of data');
  return { tag, bytes: bytes.subarray(offset, end), content: bytes.subarray(pos, end) };
}

/** Parses `bytes` as exactly one TLV (trailing bytes are an error). */
export function readSingle(bytes: Uint8Array, expectedTag?: number, what = 'value'): DerNode {
  const node = readNode(bytes);
  if (node.bytes.length !== bytes.length) throw new DerError(`trailing data after ${what}`);
  return expectedTag === undefined ? node : expectTag(node, expectedTag, what);
}

export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (node === undefined) throw new DerError(`${what} is missing`);
  if (node.tag !== tag) {
    throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${node.tag.toString(16)}`);
  }
  return node;
}

/** The TLVs inside a constructed node, in order. */
export function childrenOf(node: DerNode): DerNode[] {
  if ((node.tag & 0x20) === 0) throw new DerError('not a constructed value');
  const out: DerNode[] = [];
  for (let offset = 0; offset < node.content.length; ) {
    const child = readNode(node.content, offset);
    out.push(child);
    offset += child.bytes.length;
  }
  return out;
}

/** The single TLV wrapped by an EXPLICIT tag. */
export function unwrapExplicit(node: DerNode, what: string): DerNode {
  const inner = childrenOf(node);
  if (inner.length !== 1) throw new DerError(`${what}: expected one wrapped value`);
  return inner[0] as DerNode;
}

export function readOid(node: DerNode | undefined, what = 'object identifier'): string {
  const { content } = expectTag(node, TAG.OID, what);
  if (content.length === 0) throw new DerError(`${what}: empty`);
  const arcs: bigint[] = [];
  let value = 0n;
  for (let i = 0; i < content.length; i++) {
    const byte = content[i] as number;
    value = (value << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
    } else if (i === content.length - 1) {
      throw new DerError(`${what}: truncated`);
    }
  }
  const head = arcs[0] as bigint;
  const first = head < 40n ? 0n : head < 80n ? 1n : 2n;
  return [first, head - first * 40n, ...arcs.slice(1)].join('.');
}

export function readInteger(node: DerNode | undefined, what = 'integer'): bigint {
  const { content } = expectTag(node, TAG.INTEGER, what);
  if (content.length === 0) throw new DerError(`${what}: empty`);
  let value = 0n;
  for (const byte of content) value = (value << 8n) | BigInt(byte);
  if ((content[0] as number) & 0x80) value -= 1n << BigInt(content.length * 8);
  return value;
}

/** The bits of a BIT STRING with no unused bits (keys, signatures). */
export function readBitStringBytes(node: DerNode | undefined, what: string): Uint8Array {
  const { content } = expectTag(node, TAG.BIT_STRING, what);
  if (content.length === 0 || content[0] !== 0) throw new DerError(`${what}: unexpected unused bits`);
  return content.subarray(1);
}

/** Indexes of the set bits of a named-bit BIT STRING (bit 0 is the most significant bit of the first octet). */
export function readBitFlags(node: DerNode, what: string): number[] {
  const { content } = expectTag(node, TAG.BIT_STRING, what);
  if (content.length === 0) throw new DerError(`${what}: empty`);
  const flags: number[] = [];
  for (let i = 1; i < content.length; i++) {
    for (let bit = 0; bit < 8; bit++) if (((content[i] as number) >> (7 - bit)) & 1) flags.push((i - 1) * 8 + bit);
  }
  return flags;
}

const TIME_PATTERNS: Record<number, RegExp> = {
  [TAG.UTC_TIME]: /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/,
  [TAG.GENERALIZED_TIME]: /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d{1,9})?Z$/,
};

/** UTCTime or GeneralizedTime (UTC, "Z" form only, as DER requires). */
export function readTime(node: DerNode | undefined, what: string): Date {
  if (node === undefined) throw new DerError(`${what} is missing`);
  const pattern = TIME_PATTERNS[node.tag];
  if (!pattern) throw new DerError(`${what}: not a time`);
  const match = pattern.exec(new TextDecoder().decode(node.content));
  if (!match) throw new DerError(`${what}: malformed time`);
  const [, y, mo, d, h, mi, s, fraction] = match;
  let year = Number(y);
  if (node.tag === TAG.UTC_TIME) year += year < 50 ? 2000 : 1900;
  const ms = fraction ? Math.floor(Number(`0${fraction}`) * 1000) : 0;
  const date = new Date(Date.UTC(year, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms));
  if (Number.isNaN(date.getTime())) throw new DerError(`${what}: invalid date`);
  return date;
}

// ---- writing ----

function encodeLength(length: number): number[] {
  if (length < 0x80) return [length];
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
  return [0x80 | octets.length, ...octets];
}

/** One TLV with the concatenation of `parts` as its value. */
export function encodeNode(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const header = [tag, ...encodeLength(length)];
  const out = new Uint8Array(header.length + length);
  out.set(header, 0);
  let offset = header.length;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A non-negative INTEGER in minimal two's-complement form. */
export function encodeUnsignedInteger(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError('encodeUnsignedInteger: negative value');
  const octets: number[] = [];
  for (let rest = value; rest > 0n; rest >>= 8n) octets.unshift(Number(rest & 0xffn));
  if (octets.length === 0 || (octets[0] as number) & 0x80) octets.unshift(0);
  return encodeNode(TAG.INTEGER, new Uint8Array(octets));
}

export function encodeOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map((arc) => BigInt(arc));
  if (arcs.length < 2) throw new RangeError('encodeOid: needs at least two arcs');
  const values = [(arcs[0] as bigint) * 40n + (arcs[1] as bigint), ...arcs.slice(2)];
  const octets: number[] = [];
  for (const value of values) {
    const group = [Number(value & 0x7fn)];
    for (let rest = value >> 7n; rest > 0n; rest >>= 7n) group.unshift(Number(rest & 0x7fn) | 0x80);
    octets.push(...group);
  }
  return encodeNode(TAG.OID, new Uint8Array(octets));
}
