import { base64UrlToBytes, sha256, utf8Bytes } from './crypto';
import { EXPORT_PATHS, type ExportTreeHead } from './export-format';
import { fail, readText, type VerifyContext } from './export-verify-context';
import { treeHeadSigningInput } from './tree-heads';
import { verifyTimestampToken } from './tsa';

/** Step 6 of the export verification: the RFC 3161 timestamp token of every timestamped tree head. */

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/g;
const MAX_PEM_CERTIFICATES = 100;
const TOKEN_PATH = /^tsa\/(\d+)\.tst$/;

/**
 * The DER certificates of a PEM bundle (text outside the CERTIFICATE blocks is ignored). Throws
 * when there is none, more than 100, or a block is not base64 of a DER SEQUENCE.
 */
export function parsePemCertificates(pem: string): Uint8Array[] {
  const certificates = [...pem.matchAll(PEM_BLOCK)].map((match) => {
    const base64 = (match[1] ?? '').replace(/\s+/g, '').replace(/=+$/, '');
    try {
      return base64UrlToBytes(base64.replace(/\+/g, '-').replace(/\//g, '_'));
    } catch {
      throw new Error('a CERTIFICATE block is not valid base64');
    }
  });
  if (certificates.length === 0) throw new Error('no PEM certificate found');
  if (certificates.length > MAX_PEM_CERTIFICATES) throw new Error(`more than ${MAX_PEM_CERTIFICATES} certificates`);
  if (certificates.some((der) => der.length < 16 || der[0] !== 0x30)) throw new Error('a certificate is not DER');
  return certificates;
}

/** The trust list and where it came from: the caller's option, else the export's own PEM file. */
function trustList(ctx: VerifyContext, step: string): Uint8Array[] {
  const given = ctx.options.tsaTrust;
  if (given && given.length > 0) {
    ctx.summary.tsaTrustSource = 'option';
    return given;
  }
  if (ctx.files.read(EXPORT_PATHS.tsaTrust) === undefined) {
    ctx.summary.tsaTrustSource = 'none';
    return [];
  }
  let certificates: Uint8Array[];
  try {
    certificates = parsePemCertificates(readText(ctx, EXPORT_PATHS.tsaTrust, step));
  } catch (error) {
    return fail(EXPORT_PATHS.tsaTrust, step, error instanceof Error ? error.message : String(error));
  }
  ctx.summary.tsaTrustSource = 'export';
  return certificates;
}

/** Tokens present for sizes that are not tree heads of the export. */
function checkStrayTokens(ctx: VerifyContext, heads: ExportTreeHead[], step: string): void {
  const sizes = new Set(heads.map((head) => head.treeSize));
  for (const path of ctx.files.paths()) {
    const match = TOKEN_PATH.exec(path);
    if (match && !sizes.has(Number(match[1]))) fail(path, step, 'is a timestamp token for no tree head of the export');
  }
}

export async function checkTimestamps(ctx: VerifyContext, heads: ExportTreeHead[]): Promise<void> {
  const step = 'timestamps';
  checkStrayTokens(ctx, heads, step);
  const stamped = heads.filter((head) => head.tsaTime !== null);
  const trust = trustList(ctx, step);
  for (const [index, head] of heads.entries()) {
    const path = EXPORT_PATHS.tsaToken(head.treeSize);
    const token = ctx.files.read(path);
    const entry = `tree-heads.json entry ${index + 1} (treeSize ${head.treeSize})`;
    if (head.tsaTime === null) {
      if (token !== undefined) fail(path, step, `is present, but ${entry} has tsaTime null`);
      continue;
    }
    if (token === undefined) fail(path, step, `is missing, but ${entry} has tsaTime ${head.tsaTime}`);
    if (trust.length === 0) {
      fail(path, step, 'cannot be checked: no TSA trust list (tsa/trusted-certs.pem is absent and none was given)');
    }
    const { treeSize, rootHash, issuedAt, keyId } = head;
    const digest = await sha256(utf8Bytes(treeHeadSigningInput({ treeSize, rootHash, issuedAt, keyId })));
    const result = await verifyTimestampToken(token, digest, { certificates: trust });
    if (!result.ok) fail(path, step, `does not verify for ${entry}: ${result.reason}`);
    if (result.time.getTime() !== Date.parse(head.tsaTime)) {
      fail(path, step, `genTime ${result.time.toISOString()} is not the tsaTime ${head.tsaTime} of ${entry}`);
    }
    ctx.summary.tsaTokens += 1;
    ctx.progress(step, ctx.summary.tsaTokens, stamped.length);
  }
  if (stamped.length === 0) {
    ctx.summary.warnings.push('No tree head carries an RFC 3161 timestamp: the export holds no outside proof of time.');
    ctx.steps.push('tsa: no tree head is timestamped');
    return;
  }
  const source = ctx.summary.tsaTrustSource === 'option' ? 'the trust list given' : EXPORT_PATHS.tsaTrust;
  if (ctx.summary.tsaTrustSource === 'export') {
    ctx.summary.warnings.push(
      `The TSA trust list was taken from the export itself (${EXPORT_PATHS.tsaTrust}); pass the TSA's CA certificate obtained independently (--tsa-ca) for an outside check.`,
    );
  }
  ctx.steps.push(`tsa: ${stamped.length} timestamp token(s) verify against ${source} (${trust.length} certificate(s))`);
}
