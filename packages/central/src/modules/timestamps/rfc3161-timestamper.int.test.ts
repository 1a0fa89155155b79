import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyTimestampToken } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTsaServer, type TestTsaServer } from '../../testing/tsa-server';
import { createRfc3161Timestamper, type TimestampError, type Timestamper } from './index';

const digestOf = (text: string) => new Uint8Array(createHash('sha256').update(text).digest());

async function failureOf(promise: Promise<unknown>): Promise<TimestampError> {
  try {
    await promise;
  } catch (error) {
    return error as TimestampError;
  }
  throw new Error('expected the time-stamp to be refused');
}

describe('createRfc3161Timestamper against a real openssl TSA on loopback', () => {
  let tsa: TestTsaServer;
  let timestamper: Timestamper;
  const trust = () => ({ certificates: [tsa.caCertDer] });

  beforeAll(async () => {
    tsa = await startTestTsaServer();
    timestamper = createRfc3161Timestamper({ url: tsa.url, timeoutMs: 5_000, trust: trust() });
  });
  afterAll(() => tsa.close());

  it('returns a verified token and its time, having sent a fresh nonce', async () => {
    tsa.setMode('normal');
    const digest = digestOf('tree head 1');
    const before = Date.now();
    const { token, time } = await timestamper.stamp(digest);
    expect(Math.abs(time.getTime() - before)).toBeLessThan(5_000);
    expect(token[0]).toBe(0x30);
    const verified = await verifyTimestampToken(token, digest, trust());
    expect(verified).toMatchObject({ ok: true, time });
    await timestamper.stamp(digestOf('tree head 2'));
    const [first, second] = tsa.requests.slice(-2);
    expect(first).toBeDefined();
    expect(Buffer.from(first as Uint8Array).equals(Buffer.from(second as Uint8Array))).toBe(false);
  });

  it('gives tokens that verification refuses once any signed byte changes', async () => {
    tsa.setMode('normal');
    const digest = digestOf('tamper');
    const { token } = await timestamper.stamp(digest);
    const genTime = Buffer.from(token).indexOf(String(new Date().getUTCFullYear()));
    const tampered = new Uint8Array(token);
    tampered[genTime + 3] = (tampered[genTime + 3] as number) ^ 0x01;
    expect(await verifyTimestampToken(tampered, digest, trust())).toEqual({
      ok: false,
      reason: 'the message-digest signed attribute does not match the TSTInfo',
    });
    const signature = new Uint8Array(token);
    signature[signature.length - 5] = (signature[signature.length - 5] as number) ^ 0x01;
    expect(await verifyTimestampToken(signature, digest, trust())).toMatchObject({ ok: false });
  });

  it('refuses a rejection and reports the failure info', async () => {
    tsa.setMode('reject');
    const error = await failureOf(timestamper.stamp(digestOf('x')));
    expect(error.failure).toBe('REJECTED');
    expect(error.message).toMatch(/status rejection \(failInfo: unacceptedPolicy\)/);
  });

  it('refuses a garbage answer', async () => {
    tsa.setMode('garbage');
    const error = await failureOf(timestamper.stamp(digestOf('x')));
    expect(error.failure).toBe('BAD_RESPONSE');
  });

  it('times out on a TSA that never answers', async () => {
    tsa.setMode('hang');
    const quick = createRfc3161Timestamper({ url: tsa.url, timeoutMs: 300, trust: trust() });
    const started = Date.now();
    const error = await failureOf(quick.stamp(digestOf('x')));
    expect(error.failure).toBe('TIMEOUT');
    expect(error.message).toBe('the TSA did not answer within 300 ms');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('does not follow a redirect, even to a working TSA', async () => {
    const other = await startTestTsaServer();
    try {
      tsa.setMode({ redirectTo: other.url });
      const error = await failureOf(timestamper.stamp(digestOf('x')));
      expect(error.failure).toBe('HTTP_STATUS');
      expect(error.message).toMatch(/HTTP 302/);
      expect(other.requests).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it('refuses a token for another digest', async () => {
    tsa.setMode('wrong-digest');
    const error = await failureOf(timestamper.stamp(digestOf('x')));
    expect(error.failure).toBe('BAD_TOKEN');
    expect(error.message).toMatch(/message imprint does not match/);
  });

  it('refuses tokens from an untrusted signer or a signer without the timeStamping EKU', async () => {
    tsa.setMode('untrusted-signer');
    expect((await failureOf(timestamper.stamp(digestOf('x')))).message).toMatch(/not trusted/);
    tsa.setMode('no-eku');
    expect((await failureOf(timestamper.stamp(digestOf('x')))).message).toMatch(/id-kp-timeStamping/);
  });

  it('refuses a token that does not echo the nonce', async () => {
    tsa.setMode('normal');
    // A fetch that replays an earlier genuine answer (same digest, earlier nonce).
    const digest = digestOf('replayed');
    let recorded: Uint8Array | undefined;
    const recording = createRfc3161Timestamper({
      url: tsa.url,
      timeoutMs: 5_000,
      trust: trust(),
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        const body = new Uint8Array(await response.arrayBuffer());
        recorded ??= body;
        return new Response(recorded, { status: 200, headers: { 'content-type': 'application/timestamp-reply' } });
      },
    });
    await recording.stamp(digest);
    const error = await failureOf(recording.stamp(digest));
    expect(error.failure).toBe('BAD_TOKEN');
    expect(error.message).toMatch(/nonce/);
  });

  it('refuses an answer with another content type', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const client = createRfc3161Timestamper({ url, timeoutMs: 2_000, trust: trust() });
      const error = await failureOf(client.stamp(digestOf('x')));
      expect(error.failure).toBe('BAD_RESPONSE');
      expect(error.message).toMatch(/text\/html/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('validates its options and the digest', async () => {
    expect(() => createRfc3161Timestamper({ url: 'ftp://tsa', timeoutMs: 1000, trust: trust() })).toThrow(/http/);
    expect(() => createRfc3161Timestamper({ url: tsa.url, timeoutMs: 0, trust: trust() })).toThrow(/timeoutMs/);
    expect(() => createRfc3161Timestamper({ url: tsa.url, timeoutMs: 1000, trust: { certificates: [] } })).toThrow();
    await expect(timestamper.stamp(new Uint8Array(31))).rejects.toThrow(/32-byte/);
  });
});

describe('createRfc3161Timestamper with an EC (P-256) TSA key', () => {
  it('returns a verified ECDSA token', async () => {
    const tsa = await startTestTsaServer({ keyType: 'ec' });
    try {
      const client = createRfc3161Timestamper({
        url: tsa.url,
        timeoutMs: 5_000,
        trust: { certificates: [tsa.caCertDer] },
      });
      const { token } = await client.stamp(digestOf('ec'));
      expect(token.length).toBeGreaterThan(100);
    } finally {
      await tsa.close();
    }
  });
});
