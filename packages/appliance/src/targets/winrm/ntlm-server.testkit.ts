import { createHmac, randomBytes } from 'node:crypto';
import { AV_ID, type AvPair, encodeAvPairs, NTLM_FLAGS, ntowfV2 } from './ntlm';

/**
 * The server side of NTLMv2 for tests (a stand-in for a Windows host at the network edge): it issues
 * CHALLENGE messages and checks an AUTHENTICATE message against a known password the way MS-NLMP
 * §3.2.5.1.2 describes, including the MIC. Written from the spec, independent of the client's builder.
 */

const hmacMd5 = (key: Buffer, ...data: Buffer[]): Buffer => {
  const hmac = createHmac('md5', key);
  for (const part of data) hmac.update(part);
  return hmac.digest();
};

export interface ServerChallenge {
  message: Buffer;
  serverChallenge: Buffer;
}

/** A CHALLENGE message with NetBIOS names and a timestamp (so the client must send a MIC). */
export function challengeMessage(options: {
  domain: string;
  computer: string;
  withTimestamp: boolean;
}): ServerChallenge {
  const serverChallenge = randomBytes(8);
  const pairs: AvPair[] = [
    { id: AV_ID.NB_DOMAIN, value: Buffer.from(options.domain, 'utf16le') },
    { id: AV_ID.NB_COMPUTER, value: Buffer.from(options.computer, 'utf16le') },
  ];
  if (options.withTimestamp) {
    const time = Buffer.alloc(8);
    time.writeBigUInt64LE((BigInt(Date.now()) + 11_644_473_600_000n) * 10_000n);
    pairs.push({ id: AV_ID.TIMESTAMP, value: time });
  }
  const targetInfo = encodeAvPairs(pairs);
  const targetName = Buffer.from(options.domain, 'utf16le');
  const header = Buffer.alloc(56);
  header.write('NTLMSSP\0', 0, 'latin1');
  header.writeUInt32LE(2, 8);
  header.writeUInt16LE(targetName.length, 12);
  header.writeUInt16LE(targetName.length, 14);
  header.writeUInt32LE(56, 16);
  const flags =
    NTLM_FLAGS.UNICODE |
    NTLM_FLAGS.REQUEST_TARGET |
    NTLM_FLAGS.NTLM |
    NTLM_FLAGS.ALWAYS_SIGN |
    NTLM_FLAGS.EXTENDED_SESSIONSECURITY |
    NTLM_FLAGS.TARGET_INFO |
    NTLM_FLAGS.N128 |
    NTLM_FLAGS.N56;
  header.writeUInt32LE(flags >>> 0, 20);
  serverChallenge.copy(header, 24);
  header.writeUInt16LE(targetInfo.length, 40);
  header.writeUInt16LE(targetInfo.length, 42);
  header.writeUInt32LE(56 + targetName.length, 44);
  return { message: Buffer.concat([header, targetName, targetInfo]), serverChallenge };
}

function field(message: Buffer, at: number): Buffer {
  const length = message.readUInt16LE(at);
  const offset = message.readUInt32LE(at + 4);
  if (offset + length > message.length) throw new Error('field outside the message');
  return message.subarray(offset, offset + length);
}

export type VerifyOutcome = { ok: true; user: string; domain: string } | { ok: false; why: string };

/** Checks the client's NTLMv2 response (and MIC, when MsvAvFlags says there is one). */
export function verifyAuthenticate(params: {
  negotiate: Buffer;
  challenge: ServerChallenge;
  authenticate: Buffer;
  password: string;
}): VerifyOutcome {
  const { authenticate } = params;
  if (authenticate.length < 88 || authenticate.toString('latin1', 0, 8) !== 'NTLMSSP\0')
    return { ok: false, why: 'not NTLM' };
  if (authenticate.readUInt32LE(8) !== 3) return { ok: false, why: 'not an AUTHENTICATE message' };
  const nt = field(authenticate, 20);
  const domain = field(authenticate, 28).toString('utf16le');
  const user = field(authenticate, 36).toString('utf16le');
  if (nt.length <= 24) return { ok: false, why: 'not an NTLMv2 response' };
  const proof = nt.subarray(0, 16);
  const blob = nt.subarray(16);
  const key = ntowfV2(params.password, user, domain);
  const expected = hmacMd5(key, params.challenge.serverChallenge, blob);
  if (!expected.equals(proof)) return { ok: false, why: 'wrong NTProofStr (bad password or user)' };
  // The blob's AV pairs start after 0x0101, Z(6), time(8), client challenge(8), Z(4).
  let offset = 28;
  let flags = 0;
  while (offset + 4 <= blob.length) {
    const id = blob.readUInt16LE(offset);
    const length = blob.readUInt16LE(offset + 2);
    if (id === AV_ID.EOL) break;
    if (id === AV_ID.FLAGS) flags = blob.readUInt32LE(offset + 4);
    offset += 4 + length;
  }
  if ((flags & 0x2) !== 0) {
    const sessionKey = hmacMd5(key, proof);
    const zeroed = Buffer.from(authenticate);
    const mic = Buffer.from(zeroed.subarray(72, 88));
    zeroed.fill(0, 72, 88);
    const expectedMic = hmacMd5(sessionKey, params.negotiate, params.challenge.message, zeroed);
    if (!expectedMic.equals(mic)) return { ok: false, why: 'wrong MIC' };
  }
  return { ok: true, user, domain };
}
