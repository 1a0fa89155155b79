import { describe, expect, it } from 'vitest';
import {
  AV_ID,
  authenticateMessage,
  encodeAvPairs,
  NtlmError,
  negotiateMessage,
  ntHash,
  ntlmV2Responses,
  ntowfV2,
  parseAvPairs,
  parseChallengeMessage,
  splitUsername,
} from './ntlm';
import { challengeMessage, verifyAuthenticate } from './ntlm-server.testkit';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** MS-NLMP §4.2.1 common values and §4.2.4 (NTLMv2 authentication) results. */
const SPEC = {
  user: 'User',
  domain: 'Domain',
  password: 'Password',
  serverChallenge: hex('01 23 45 67 89 ab cd ef'),
  clientChallenge: hex('aa aa aa aa aa aa aa aa'),
  time: Buffer.alloc(8),
  // §4.2.4.3: MsvAvNbDomainName "Domain", MsvAvNbComputerName "Server", MsvAvEOL.
  targetInfo: hex(
    '02 00 0c 00 44 00 6f 00 6d 00 61 00 69 00 6e 00 01 00 0c 00 53 00 65 00 72 00 76 00 65 00 72 00 00 00 00 00',
  ),
  ntowfV2: '0c868a403bfd7a93a3001ef22ef02e3f',
  sessionBaseKey: '8de40ccadbc14a82f15cb0ad0de95ca3',
  lmv2Response: '86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa',
  ntProofStr: '68cd0ab851e51c96aabc927bebef6a1c',
};

describe('NTLMv2 (MS-NLMP §4.2.4 test vectors)', () => {
  it('derives NTOWFv2 from the password, user and domain', () => {
    expect(ntHash(SPEC.password).toString('hex')).toBe('a4f49c406510bdcab6824ee7c30fd852');
    expect(ntowfV2(SPEC.password, SPEC.user, SPEC.domain).toString('hex')).toBe(SPEC.ntowfV2);
  });

  it('computes the NTProofStr, LMv2 response and session base key', () => {
    const responses = ntlmV2Responses({
      responseKey: ntowfV2(SPEC.password, SPEC.user, SPEC.domain),
      serverChallenge: SPEC.serverChallenge,
      clientChallenge: SPEC.clientChallenge,
      time: SPEC.time,
      targetInfo: SPEC.targetInfo,
      omitLmResponse: false,
    });
    expect(responses.ntProofStr.toString('hex')).toBe(SPEC.ntProofStr);
    expect(responses.lmChallengeResponse.toString('hex')).toBe(SPEC.lmv2Response);
    expect(responses.sessionBaseKey.toString('hex')).toBe(SPEC.sessionBaseKey);
    expect(responses.ntChallengeResponse.subarray(16, 24).toString('hex')).toBe('0101000000000000');
  });

  it('upper-cases the user but not the domain', () => {
    expect(ntowfV2(SPEC.password, 'USER', SPEC.domain).toString('hex')).toBe(SPEC.ntowfV2);
    expect(ntowfV2(SPEC.password, SPEC.user, 'DOMAIN').toString('hex')).not.toBe(SPEC.ntowfV2);
  });
});

describe('NTLM messages', () => {
  it('writes a NEGOTIATE message asking for NTLMv2 with Unicode and target info', () => {
    const message = negotiateMessage();
    expect(message.toString('latin1', 0, 8)).toBe('NTLMSSP\0');
    expect(message.readUInt32LE(8)).toBe(1);
    const flags = message.readUInt32LE(12);
    expect(flags & 0x1).toBe(0x1); // Unicode
    expect(flags & 0x80000).toBe(0x80000); // extended session security
    expect(flags & 0x800000).toBe(0x800000); // target info
    expect(flags & 0x30).toBe(0); // no sign/seal: TLS protects the channel
  });

  it('builds an AUTHENTICATE message a server accepts with the right password, with a MIC', () => {
    const negotiate = negotiateMessage();
    const challenge = challengeMessage({ domain: 'CORP', computer: 'DC01', withTimestamp: true });
    const authenticate = authenticateMessage({
      negotiate,
      challenge: parseChallengeMessage(challenge.message),
      username: 'CORP\\svc-osiris',
      password: 'S3cret!pass',
    });
    expect(verifyAuthenticate({ negotiate, challenge, authenticate, password: 'S3cret!pass' })).toEqual({
      ok: true,
      user: 'svc-osiris',
      domain: 'CORP',
    });
    expect(verifyAuthenticate({ negotiate, challenge, authenticate, password: 'wrong' })).toMatchObject({ ok: false });
    // With a timestamp the LM response is 24 zero bytes (MS-NLMP §3.1.5.1.2).
    const lmLength = authenticate.readUInt16LE(12);
    const lm = authenticate.subarray(authenticate.readUInt32LE(16), authenticate.readUInt32LE(16) + lmLength);
    expect(lm.equals(Buffer.alloc(24))).toBe(true);
  });

  it('fails the MIC when the AUTHENTICATE message is altered after it was built', () => {
    const negotiate = negotiateMessage();
    const challenge = challengeMessage({ domain: 'CORP', computer: 'DC01', withTimestamp: true });
    const authenticate = authenticateMessage({
      negotiate,
      challenge: parseChallengeMessage(challenge.message),
      username: 'CORP\\svc',
      password: 'pw',
    });
    authenticate.writeUInt32LE((authenticate.readUInt32LE(60) ^ 0x20000000) >>> 0, 60); // flip a flag
    expect(verifyAuthenticate({ negotiate, challenge, authenticate, password: 'pw' })).toEqual({
      ok: false,
      why: 'wrong MIC',
    });
  });

  it('rejects a truncated or foreign CHALLENGE message', () => {
    const { message } = challengeMessage({ domain: 'D', computer: 'C', withTimestamp: false });
    expect(() => parseChallengeMessage(message.subarray(0, 40))).toThrow(NtlmError);
    expect(() => parseChallengeMessage(Buffer.from('HTTP/1.1 401 Unauthorized'))).toThrow(NtlmError);
    const broken = Buffer.from(message);
    broken.writeUInt32LE(10_000, 44); // target info offset far outside the message
    expect(() => parseChallengeMessage(broken)).toThrow(/outside the message/);
  });

  it('round-trips AV pairs and refuses a list without an end marker', () => {
    const pairs = [{ id: AV_ID.NB_COMPUTER, value: Buffer.from('SRV', 'utf16le') }];
    const encoded = encodeAvPairs(pairs);
    expect(parseAvPairs(encoded)).toEqual(pairs);
    expect(() => parseAvPairs(encoded.subarray(0, encoded.length - 4))).toThrow(NtlmError);
  });

  it('splits DOMAIN\\user and keeps a UPN whole', () => {
    expect(splitUsername('CORP\\alice')).toEqual({ user: 'alice', domain: 'CORP' });
    expect(splitUsername('alice@corp.example')).toEqual({ user: 'alice@corp.example', domain: '' });
  });
});
