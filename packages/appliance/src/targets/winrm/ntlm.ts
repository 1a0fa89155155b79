import { createHmac, randomBytes } from 'node:crypto';
import { md4 } from './md4';

/**
 * NTLM (MS-NLMP), client side, NTLMv2 only: the NEGOTIATE (type 1), CHALLENGE (type 2) and
 * AUTHENTICATE (type 3) messages carried in `Authorization: Negotiate …` headers. No signing or
 * sealing: WinRM runs over HTTPS here and TLS protects the messages, so no session security is
 * negotiated (no NEGOTIATE_SIGN/SEAL/KEY_EXCH) and the session key only feeds the MIC.
 */

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');

export const NTLM_FLAGS = {
  UNICODE: 0x00000001,
  REQUEST_TARGET: 0x00000004,
  NTLM: 0x00000200,
  ALWAYS_SIGN: 0x00008000,
  EXTENDED_SESSIONSECURITY: 0x00080000,
  TARGET_INFO: 0x00800000,
  VERSION: 0x02000000,
  N128: 0x20000000,
  N56: 0x80000000,
} as const;

const NEGOTIATE_FLAGS =
  NTLM_FLAGS.UNICODE |
  NTLM_FLAGS.REQUEST_TARGET |
  NTLM_FLAGS.NTLM |
  NTLM_FLAGS.ALWAYS_SIGN |
  NTLM_FLAGS.EXTENDED_SESSIONSECURITY |
  NTLM_FLAGS.TARGET_INFO |
  NTLM_FLAGS.N128 |
  NTLM_FLAGS.N56;

/** AV_PAIR ids (MS-NLMP §2.2.2.1) this client reads or writes. */
export const AV_ID = { EOL: 0, NB_COMPUTER: 1, NB_DOMAIN: 2, FLAGS: 6, TIMESTAMP: 7 } as const;
/** MsvAvFlags bit: the AUTHENTICATE message carries a MIC. */
const AV_FLAG_MIC = 0x2;

/** A malformed or unexpected NTLM message from the server. */
export class NtlmError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NtlmError';
  }
}

const hmacMd5 = (key: Buffer, ...data: Buffer[]): Buffer => {
  const hmac = createHmac('md5', key);
  for (const part of data) hmac.update(part);
  return hmac.digest();
};

const utf16 = (text: string): Buffer => Buffer.from(text, 'utf16le');

/** NT hash: MD4 of the UTF-16LE password (MS-NLMP §3.3.1 NTOWFv1). */
export const ntHash = (password: string): Buffer => md4(utf16(password));

/** NTOWFv2 = HMAC-MD5(NT hash, UTF-16LE(upper(user) + domain)) (MS-NLMP §3.3.2). */
export function ntowfV2(password: string, user: string, domain: string): Buffer {
  return hmacMd5(ntHash(password), utf16(user.toUpperCase() + domain));
}

export interface NtlmV2Responses {
  ntChallengeResponse: Buffer;
  lmChallengeResponse: Buffer;
  ntProofStr: Buffer;
  sessionBaseKey: Buffer;
}

/**
 * The NTLMv2 responses (MS-NLMP §3.3.2): temp = 0x0101, Z(6), time, client challenge, Z(4), the AV
 * pairs, Z(4); NTProofStr = HMAC-MD5(key, server challenge + temp). `omitLmResponse`: when the
 * server sent a timestamp, the LM response is 24 zero bytes.
 */
export function ntlmV2Responses(params: {
  responseKey: Buffer;
  serverChallenge: Buffer;
  clientChallenge: Buffer;
  /** FILETIME: 100 ns intervals since 1601-01-01, 8 bytes little endian. */
  time: Buffer;
  targetInfo: Buffer;
  omitLmResponse: boolean;
}): NtlmV2Responses {
  const { responseKey, serverChallenge, clientChallenge } = params;
  const temp = Buffer.concat([
    Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]),
    params.time,
    clientChallenge,
    Buffer.alloc(4),
    params.targetInfo,
    Buffer.alloc(4),
  ]);
  const ntProofStr = hmacMd5(responseKey, serverChallenge, temp);
  const lmChallengeResponse = params.omitLmResponse
    ? Buffer.alloc(24)
    : Buffer.concat([hmacMd5(responseKey, serverChallenge, clientChallenge), clientChallenge]);
  return {
    ntChallengeResponse: Buffer.concat([ntProofStr, temp]),
    lmChallengeResponse,
    ntProofStr,
    sessionBaseKey: hmacMd5(responseKey, ntProofStr),
  };
}

/** The NEGOTIATE message: flags only, no domain or workstation supplied. */
export function negotiateMessage(): Buffer {
  const message = Buffer.alloc(32);
  SIGNATURE.copy(message, 0);
  message.writeUInt32LE(1, 8);
  message.writeUInt32LE(NEGOTIATE_FLAGS >>> 0, 12);
  // Domain and workstation fields (length, max length, offset) stay empty, pointing at the end.
  message.writeUInt32LE(32, 20);
  message.writeUInt32LE(32, 28);
  return message;
}

export interface ChallengeMessage {
  flags: number;
  serverChallenge: Buffer;
  targetInfo: Buffer;
  /** The whole message as received (the MIC covers it). */
  raw: Buffer;
}

function readField(message: Buffer, at: number, what: string): Buffer {
  if (message.length < at + 8) throw new NtlmError(`the NTLM message is too short for its ${what} field`);
  const length = message.readUInt16LE(at);
  const offset = message.readUInt32LE(at + 4);
  if (offset + length > message.length) throw new NtlmError(`the NTLM ${what} field points outside the message`);
  return message.subarray(offset, offset + length);
}

export function parseChallengeMessage(message: Buffer): ChallengeMessage {
  if (message.length < 48 || !message.subarray(0, 8).equals(SIGNATURE) || message.readUInt32LE(8) !== 2)
    throw new NtlmError('the server did not answer with an NTLM CHALLENGE message');
  const flags = message.readUInt32LE(20);
  if ((flags & NTLM_FLAGS.UNICODE) === 0) throw new NtlmError('the server does not offer Unicode NTLM');
  const targetInfo = (flags & NTLM_FLAGS.TARGET_INFO) !== 0 ? readField(message, 40, 'target info') : Buffer.alloc(0);
  parseAvPairs(targetInfo); // validates the structure
  return { flags, serverChallenge: Buffer.from(message.subarray(24, 32)), targetInfo, raw: message };
}

export interface AvPair {
  id: number;
  value: Buffer;
}

/** AV pairs up to (not including) MsvAvEOL; throws on a truncated list. */
export function parseAvPairs(targetInfo: Buffer): AvPair[] {
  const pairs: AvPair[] = [];
  let offset = 0;
  while (offset + 4 <= targetInfo.length) {
    const id = targetInfo.readUInt16LE(offset);
    const length = targetInfo.readUInt16LE(offset + 2);
    if (id === AV_ID.EOL) return pairs;
    if (offset + 4 + length > targetInfo.length) throw new NtlmError('the NTLM target info is truncated');
    pairs.push({ id, value: Buffer.from(targetInfo.subarray(offset + 4, offset + 4 + length)) });
    offset += 4 + length;
  }
  if (targetInfo.length === 0) return pairs;
  throw new NtlmError('the NTLM target info has no end marker');
}

export function encodeAvPairs(pairs: readonly AvPair[]): Buffer {
  const parts = pairs.flatMap(({ id, value }) => {
    const header = Buffer.alloc(4);
    header.writeUInt16LE(id, 0);
    header.writeUInt16LE(value.length, 2);
    return [header, value];
  });
  return Buffer.concat([...parts, Buffer.alloc(4)]);
}

/** `DOMAIN\user` → both parts; `user@domain.example` (a UPN) stays whole with an empty domain. */
export function splitUsername(username: string): { user: string; domain: string } {
  const slash = username.indexOf('\\');
  if (slash > 0) return { domain: username.slice(0, slash), user: username.slice(slash + 1) };
  return { user: username, domain: '' };
}

/** Now as a FILETIME. */
function fileTimeNow(nowMs = Date.now()): Buffer {
  const time = Buffer.alloc(8);
  time.writeBigUInt64LE((BigInt(nowMs) + 11_644_473_600_000n) * 10_000n);
  return time;
}

const TYPE3_HEADER_BYTES = 88;
const MIC_OFFSET = 72;

/**
 * The AUTHENTICATE message for `challenge`, with a MIC when the server sent a timestamp (then
 * MsvAvFlags announces it, as MS-NLMP §3.1.5.1.2 asks). `clientChallenge` and `nowMs` are for tests.
 */
export function authenticateMessage(params: {
  negotiate: Buffer;
  challenge: ChallengeMessage;
  username: string;
  password: string;
  workstation?: string;
  clientChallenge?: Buffer;
  nowMs?: number;
}): Buffer {
  const { challenge } = params;
  const { user, domain } = splitUsername(params.username);
  const pairs = parseAvPairs(challenge.targetInfo);
  const timestamp = pairs.find((pair) => pair.id === AV_ID.TIMESTAMP)?.value;
  const withMic = timestamp !== undefined;
  if (withMic) {
    const flags = pairs.find((pair) => pair.id === AV_ID.FLAGS);
    if (flags) flags.value.writeUInt32LE(flags.value.readUInt32LE(0) | AV_FLAG_MIC, 0);
    else pairs.push({ id: AV_ID.FLAGS, value: Buffer.from([AV_FLAG_MIC, 0, 0, 0]) });
  }
  const responses = ntlmV2Responses({
    responseKey: ntowfV2(params.password, user, domain),
    serverChallenge: challenge.serverChallenge,
    clientChallenge: params.clientChallenge ?? randomBytes(8),
    time: timestamp ?? fileTimeNow(params.nowMs),
    targetInfo: encodeAvPairs(pairs),
    omitLmResponse: withMic,
  });
  const flags = (NEGOTIATE_FLAGS & challenge.flags) >>> 0;
  const payloads = [
    responses.lmChallengeResponse,
    responses.ntChallengeResponse,
    utf16(domain),
    utf16(user),
    utf16(params.workstation ?? ''),
    Buffer.alloc(0), // EncryptedRandomSessionKey: none without KEY_EXCH
  ];
  const header = Buffer.alloc(TYPE3_HEADER_BYTES);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(3, 8);
  let offset = TYPE3_HEADER_BYTES;
  payloads.forEach((payload, index) => {
    const at = 12 + index * 8;
    header.writeUInt16LE(payload.length, at);
    header.writeUInt16LE(payload.length, at + 2);
    header.writeUInt32LE(offset, at + 4);
    offset += payload.length;
  });
  header.writeUInt32LE(flags, 60);
  const message = Buffer.concat([header, ...payloads]);
  if (withMic) {
    // Without key exchange the exported session key is the NTLMv2 session base key.
    const mic = hmacMd5(responses.sessionBaseKey, params.negotiate, challenge.raw, message);
    mic.copy(message, MIC_OFFSET);
  }
  return message;
}
