import {
  buildTimestampRequest,
  parseTimestampResponse,
  type TimestampTrust,
  verifyTimestampToken,
} from '@osiris/protocol';

/** What the evidence log's tree heads are time-stamped through. `digest` is a SHA-256 digest. */
export interface Timestamper {
  stamp(digest: Uint8Array): Promise<{ token: Uint8Array; time: Date }>;
}

/** Why a time-stamp could not be had; `message` says the details (never the TSA's body). */
type TimestampFailure = 'TIMEOUT' | 'NETWORK' | 'HTTP_STATUS' | 'BAD_RESPONSE' | 'REJECTED' | 'BAD_TOKEN';

export class TimestampError extends Error {
  override name = 'TimestampError';
  constructor(
    readonly failure: TimestampFailure,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

interface Rfc3161TimestamperOptions {
  /** http(s) URL of the TSA. */
  url: string;
  timeoutMs: number;
  trust: TimestampTrust;
  /** For tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

const MAX_RESPONSE_BYTES = 256 * 1024;
const REPLY_TYPE = 'application/timestamp-reply';

/** A random positive 64-bit nonce. */
function newNonce(): bigint {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value === 0n ? 1n : value;
}

async function readCapped(response: Response): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_RESPONSE_BYTES) throw new TimestampError('BAD_RESPONSE', 'the TSA response is too large');
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      throw new TimestampError('BAD_RESPONSE', 'the TSA response is too large');
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function validateOptions(options: Rfc3161TimestamperOptions): URL {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new TypeError('createRfc3161Timestamper: url is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError('createRfc3161Timestamper: url must be http(s)');
  }
  if (!Number.isInteger(options.timeoutMs) || options.timeoutMs < 1 || options.timeoutMs > 600_000) {
    throw new RangeError('createRfc3161Timestamper: timeoutMs must be an integer from 1 to 600000');
  }
  if (!options.trust?.certificates?.length) {
    throw new TypeError('createRfc3161Timestamper: trust needs at least one certificate');
  }
  return url;
}

/**
 * An RFC 3161 client: POSTs a TimeStampReq (SHA-256, random nonce, certReq), refuses redirects,
 * non-200 answers, other content types, non-granted statuses, tokens that do not verify against
 * `trust`, and tokens that do not echo the nonce. Throws TimestampError.
 */
export function createRfc3161Timestamper(options: Rfc3161TimestamperOptions): Timestamper {
  const url = validateOptions(options);
  const fetchFn = options.fetch ?? globalThis.fetch;
  const { timeoutMs, trust } = options;

  async function post(request: Uint8Array): Promise<Uint8Array> {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetchFn(url, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query', accept: REPLY_TYPE },
        body: new Uint8Array(request),
        redirect: 'manual',
        signal,
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new TimestampError(
          'HTTP_STATUS',
          `the TSA answered HTTP ${response.status} (redirects are not followed)`,
        );
      }
      const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== REPLY_TYPE) {
        await response.body?.cancel();
        throw new TimestampError('BAD_RESPONSE', `the TSA answered content type "${type}", not ${REPLY_TYPE}`);
      }
      return await readCapped(response);
    } catch (error) {
      if (error instanceof TimestampError) throw error;
      if (signal.aborted) {
        throw new TimestampError('TIMEOUT', `the TSA did not answer within ${timeoutMs} ms`, { cause: error });
      }
      throw new TimestampError('NETWORK', 'the TSA could not be reached', { cause: error });
    }
  }

  return {
    async stamp(digest) {
      if (!(digest instanceof Uint8Array) || digest.length !== 32) {
        throw new TypeError('stamp: digest must be a 32-byte SHA-256 digest');
      }
      const nonce = newNonce();
      const body = await post(buildTimestampRequest(digest, nonce));
      let parsed: ReturnType<typeof parseTimestampResponse>;
      try {
        parsed = parseTimestampResponse(body);
      } catch (error) {
        throw new TimestampError('BAD_RESPONSE', 'the TSA answered something that is not a TimeStampResp', {
          cause: error,
        });
      }
      if (parsed.status !== 'granted' && parsed.status !== 'grantedWithMods') {
        const info = parsed.failInfo?.length ? ` (failInfo: ${parsed.failInfo.join(', ')})` : '';
        const text = parsed.statusText?.length ? `: ${parsed.statusText.join('; ').slice(0, 200)}` : '';
        throw new TimestampError('REJECTED', `the TSA refused the request with status ${parsed.status}${info}${text}`);
      }
      if (!parsed.token) throw new TimestampError('BAD_RESPONSE', 'the TSA granted the request but sent no token');
      const verified = await verifyTimestampToken(parsed.token, digest, trust);
      if (!verified.ok) throw new TimestampError('BAD_TOKEN', `the TSA's token was refused: ${verified.reason}`);
      if (verified.nonce !== nonce) throw new TimestampError('BAD_TOKEN', "the TSA's token does not echo the nonce");
      return { token: parsed.token, time: verified.time };
    },
  };
}
