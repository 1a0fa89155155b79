import { describe, expect, it } from 'vitest';
import { base64UrlToBytes, generateSigningKeyPair } from './crypto';
import { logKeyId, signTreeHead, TREE_HEAD_SIGNING_PREFIX, treeHeadSigningInput, verifyTreeHead } from './tree-heads';

describe('signed tree heads', () => {
  it('signs the prefixed canonical body and verifies only the untouched head with its own key', async () => {
    const keys = await generateSigningKeyPair();
    const other = await generateSigningKeyPair();
    const body = {
      treeSize: 42,
      rootHash: 'a'.repeat(64),
      issuedAt: '2026-12-01T06:00:00.000Z',
      keyId: await logKeyId(keys.publicKey),
    };
    expect(treeHeadSigningInput(body)).toBe(
      `${TREE_HEAD_SIGNING_PREFIX}{"issuedAt":"2026-12-01T06:00:00.000Z","keyId":"${body.keyId}","rootHash":"${body.rootHash}","treeSize":42}`,
    );
    const head = await signTreeHead(body, keys.privateKey);
    expect(await verifyTreeHead(head, keys.publicKey)).toBe(true);
    expect(await verifyTreeHead({ ...head, tsaTime: null, tsaToken: null, tsaError: null }, keys.publicKey)).toBe(true);
    expect(await verifyTreeHead({ ...head, treeSize: 43 }, keys.publicKey)).toBe(false);
    expect(await verifyTreeHead({ ...head, rootHash: 'b'.repeat(64) }, keys.publicKey)).toBe(false);
    expect(await verifyTreeHead(head, other.publicKey)).toBe(false);
    expect(await verifyTreeHead({ ...head, signature: 'A'.repeat(86) }, keys.publicKey)).toBe(false);
    expect(await verifyTreeHead(null, keys.publicKey)).toBe(false);
    expect(base64UrlToBytes(head.signature)).toHaveLength(64);
  });
});
